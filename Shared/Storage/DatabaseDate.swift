import Contracts
import Foundation

/// Dates as GRDB stores them (`2026-01-31 09:30:00.123`, UTC), written by hand: GRDB formats a
/// `Date` argument with a DateFormatter (ICU), which was 5% of a 100,000-row import (perf). Pass
/// this string where a statement runs per row; GRDB reads it back as the same `Date`.
public enum DatabaseDate {
    public static func string(_ date: Date) -> String { Timestamp.utcString(date, separator: " ", suffix: "") }
}
