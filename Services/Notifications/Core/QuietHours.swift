import Foundation

/// Marketing messages go only in the day of the recipient's own clock (08:00-21:00 unless
/// configured). The recipient's zone is the one of their number's country when that country
/// has one zone (Norway, Poland, ...), else the configured default.
public struct QuietHours: Sendable, Equatable {
    /// Minutes after local midnight when sending may begin and must end.
    public var startMinute: Int
    public var endMinute: Int
    public var defaultZone: TimeZone

    public init(startMinute: Int = 8 * 60, endMinute: Int = 21 * 60, defaultZone: TimeZone = TimeZone(identifier: "Europe/Oslo")!) {
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.defaultZone = defaultZone
    }

    /// `08:00-21:00`.
    public static func parse(_ text: String, defaultZone: TimeZone) -> QuietHours? {
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let start = minute(parts[0]), let end = minute(parts[1]), start < end else { return nil }
        return QuietHours(startMinute: start, endMinute: end, defaultZone: defaultZone)
    }

    static func minute(_ text: String) -> Int? {
        let hm = text.split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440
        else { return nil }
        return h * 60 + m
    }

    /// Countries with one time zone, by calling code (the longest code that prefixes wins).
    static let zones: [String: String] = [
        "47": "Europe/Oslo", "46": "Europe/Stockholm", "45": "Europe/Copenhagen", "358": "Europe/Helsinki",
        "48": "Europe/Warsaw", "49": "Europe/Berlin", "31": "Europe/Amsterdam", "32": "Europe/Brussels", "33": "Europe/Paris",
        "34": "Europe/Madrid", "39": "Europe/Rome", "41": "Europe/Zurich", "43": "Europe/Vienna", "44": "Europe/London",
        "353": "Europe/Dublin", "354": "Atlantic/Reykjavik", "370": "Europe/Vilnius", "371": "Europe/Riga", "372": "Europe/Tallinn",
        "420": "Europe/Prague", "421": "Europe/Bratislava", "36": "Europe/Budapest", "40": "Europe/Bucharest", "30": "Europe/Athens",
        "380": "Europe/Kyiv", "90": "Europe/Istanbul", "91": "Asia/Kolkata", "81": "Asia/Tokyo", "82": "Asia/Seoul",
        "65": "Asia/Singapore", "27": "Africa/Johannesburg",
    ]

    /// The zone a number's owner most likely lives in.
    public func zone(of e164: String) -> TimeZone {
        guard e164.hasPrefix("+") else { return defaultZone }
        let digits = e164.dropFirst()
        for length in [3, 2, 1] where digits.count > length {
            if let name = Self.zones[String(digits.prefix(length))], let zone = TimeZone(identifier: name) { return zone }
        }
        return defaultZone
    }

    /// Nil when a message to `e164` may go at `now`; else the first moment it may.
    public func deferral(for e164: String, now: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone(of: e164)
        let parts = calendar.dateComponents([.hour, .minute], from: now)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        if minute >= startMinute && minute < endMinute { return nil }
        let day = calendar.startOfDay(for: now)
        let startToday = calendar.date(byAdding: .minute, value: startMinute, to: day)!
        if minute < startMinute { return startToday }
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: day)!
        return calendar.date(byAdding: .minute, value: startMinute, to: tomorrow)!
    }
}
