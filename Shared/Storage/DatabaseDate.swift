import Foundation

/// Dates as GRDB stores them (`2026-01-31 09:30:00.123`, UTC), written by hand: GRDB formats a
/// `Date` argument with a DateFormatter (ICU), which was 5% of a 100,000-row import (perf). Pass
/// this string where a statement runs per row; GRDB reads it back as the same `Date`.
public enum DatabaseDate {
    public static func string(_ date: Date) -> String {
        var milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        milliseconds -= Int64(seconds) * 1000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + " "
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "." + pad(Int32(milliseconds), 3)
    }
}
