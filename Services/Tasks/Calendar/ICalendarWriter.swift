import Foundation

/// Writes iCalendar (RFC 5545) content lines: CRLF ends, lines folded at 75 octets with CRLF and
/// a space (never inside a UTF-8 character), TEXT values escaped, parameter values quoted when
/// they hold `:`, `;` or `,`.
struct ICalendarWriter {
    private(set) var output = ""

    init() { output.reserveCapacity(4096) }

    mutating func begin(_ component: String) { line("BEGIN:" + component) }
    mutating func end(_ component: String) { line("END:" + component) }

    /// A property whose value is already in its iCalendar form (a date, a URI, a number).
    mutating func raw(_ name: String, _ value: String) { raw(name, [], value) }
    mutating func text(_ name: String, _ value: String) { text(name, [], value) }

    mutating func raw(_ name: String, _ parameters: [(String, String)], _ value: String) {
        var line = name
        for (key, parameter) in parameters { line += ";" + key + "=" + Self.parameter(parameter) }
        self.line(line + ":" + Self.clean(value))
    }

    /// A TEXT property: escaped.
    mutating func text(_ name: String, _ parameters: [(String, String)], _ value: String) {
        raw(name, parameters, Self.escape(value))
    }

    mutating func line(_ content: String) {
        Self.fold(content, into: &output)
    }

    /// TEXT escaping: backslash first, then `;`, `,` and line breaks.
    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        var previousCR = false
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousCR { out += "\\n" }
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += " "
            default: out.unicodeScalars.append(scalar)
            }
            previousCR = scalar == "\r"
        }
        return out
    }

    /// A parameter value: controls and double quotes dropped, quoted when it holds `:;,`.
    static func parameter(_ value: String) -> String {
        let kept = String(value.unicodeScalars.filter { $0 != "\"" && $0.value >= 0x20 && $0.value != 0x7F })
        return kept.contains(where: { $0 == ":" || $0 == ";" || $0 == "," }) ? "\"" + kept + "\"" : kept
    }

    /// A value given raw: no line breaks or controls may reach the output.
    static func clean(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return value }
        return String(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    /// Appends `line` folded: at most 75 octets per physical line (the leading space of a
    /// continuation counts), each ending in CRLF, breaking only between Unicode scalars.
    static func fold(_ line: String, into out: inout String) {
        // Most lines fit: no walk over their characters.
        if line.utf8.count <= 75 {
            out += line
            out += "\r\n"
            return
        }
        var count = 0
        var limit = 75
        for scalar in line.unicodeScalars {
            let width = UTF8.width(scalar)
            if count + width > limit {
                out += "\r\n "
                count = 1
                limit = 75
            }
            out.unicodeScalars.append(scalar)
            count += width
        }
        out += "\r\n"
    }
}

/// The date and time forms iCalendar uses, computed without formatters (a feed writes thousands).
enum ICalendarTime {
    /// `20261128T093000Z`.
    static func utc(_ date: Date) -> String { stamp(date, offset: 0) + "Z" }

    /// `20261128T103000`: the wall-clock time in `zone`.
    static func local(_ date: Date, _ zone: TimeZone) -> String { stamp(date, offset: zone.secondsFromGMT(for: date)) }

    /// `20261128`: a `YYYY-MM-DD` day.
    static func date(_ day: String) -> String { day.replacingOccurrences(of: "-", with: "") }

    static func stamp(_ date: Date, offset: Int) -> String {
        let seconds = Int64(floor(date.timeIntervalSince1970)) + Int64(offset)
        let (day, time) = (Int64(floor(Double(seconds) / 86_400)), ((seconds % 86_400) + 86_400) % 86_400)
        let (y, m, d) = CivilDate.from(days: day)
        return pad(y, 4) + pad(m, 2) + pad(d, 2) + "T" + pad(Int(time / 3600), 2) + pad(Int(time % 3600 / 60), 2) + pad(Int(time % 60), 2)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// `-PT15M`: an alarm's trigger before the start.
    static func before(minutes: Int) -> String {
        if minutes == 0 { return "PT0M" }
        if minutes % 1440 == 0 { return "-P\(minutes / 1440)D" }
        if minutes % 60 == 0 { return "-PT\(minutes / 60)H" }
        return "-PT\(minutes)M"
    }
}

/// Days since 1970-01-01 and back, proleptic Gregorian (Howard Hinnant's algorithms).
enum CivilDate {
    static func days(_ y: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y - 1 : y)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((m + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func from(days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        let y = Int(yoe + era * 400) + (m <= 2 ? 1 : 0)
        return (y, m, d)
    }

    /// 0 Monday ... 6 Sunday.
    static func weekday(_ days: Int64) -> Int { Int(((days % 7) + 7 + 3) % 7) }

    static func daysIn(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `YYYY-MM-DD` to days, or nil when it is not a real day.
    static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (0...9999).contains(y), (1...12).contains(m),
            d >= 1, d <= daysIn(y, m)
        else { return nil }
        return days(y, m, d)
    }

    static func text(_ days: Int64) -> String {
        let (y, m, d) = from(days: days)
        return ICalendarTime.pad(y, 4) + "-" + ICalendarTime.pad(m, 2) + "-" + ICalendarTime.pad(d, 2)
    }

    /// Midnight UTC of a day.
    static func midnight(_ days: Int64) -> Date { Date(timeIntervalSince1970: Double(days) * 86_400) }
}

/// VTIMEZONE components built from the system's tzdata: every transition of the years asked
/// for as its own observance (no rules to get wrong), and the offset before the first.
enum TimeZoneComponent {
    static func write(_ zone: TimeZone, years: ClosedRange<Int>, into writer: inout ICalendarWriter) {
        let start = CivilDate.midnight(CivilDate.days(years.lowerBound, 1, 1))
        let end = CivilDate.midnight(CivilDate.days(years.upperBound + 1, 1, 1))
        writer.begin("VTIMEZONE")
        writer.raw("TZID", zone.identifier)
        // The offset in force when the window opens, as an observance from then.
        let initial = zone.secondsFromGMT(for: start)
        let before = zone.secondsFromGMT(for: start.addingTimeInterval(-1))
        observance(
            zone.isDaylightSavingTime(for: start) ? "DAYLIGHT" : "STANDARD", at: start, from: before, to: initial,
            name: zone.abbreviation(for: start), into: &writer)
        var cursor = start
        var emitted = 0
        while let transition = zone.nextDaylightSavingTimeTransition(after: cursor), transition < end, emitted < 200 {
            let from = zone.secondsFromGMT(for: transition.addingTimeInterval(-1))
            let to = zone.secondsFromGMT(for: transition)
            observance(
                zone.isDaylightSavingTime(for: transition) ? "DAYLIGHT" : "STANDARD", at: transition, from: from, to: to,
                name: zone.abbreviation(for: transition), into: &writer)
            cursor = transition
            emitted += 1
        }
        writer.end("VTIMEZONE")
    }

    private static func observance(_ kind: String, at instant: Date, from: Int, to: Int, name: String?, into writer: inout ICalendarWriter)
    {
        writer.begin(kind)
        // DTSTART is the onset in the local time of the observance being left.
        writer.raw("DTSTART", ICalendarTime.stamp(instant, offset: from))
        writer.raw("TZOFFSETFROM", offset(from))
        writer.raw("TZOFFSETTO", offset(to))
        if let name, !name.isEmpty { writer.text("TZNAME", name) }
        writer.end(kind)
    }

    static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let value = abs(seconds)
        let text = sign + ICalendarTime.pad(value / 3600, 2) + ICalendarTime.pad(value % 3600 / 60, 2)
        return value % 60 == 0 ? text : text + ICalendarTime.pad(value % 60, 2)
    }
}
