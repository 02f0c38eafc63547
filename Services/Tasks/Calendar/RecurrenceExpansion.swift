import Contracts
import Foundation

/// An appointment's time shape, for expanding its occurrences: its first start and length, its
/// zone (UTC for all-day ones, whose days are midnights UTC), its rule and its exceptions.
struct Series: Sendable {
    let allDay: Bool
    let zone: TimeZone
    let firstStart: Date
    let duration: TimeInterval
    let rule: Recurrence?
    let excluded: Set<Date>
    let changes: [Date: OccurrenceChange]

    /// The most occurrences one expansion walks through, whatever the window.
    static let maxSteps = 200_000

    init(allDay: Bool, zone: TimeZone, firstStart: Date, duration: TimeInterval, rule: Recurrence?, changes: [OccurrenceChange]) {
        self.allDay = allDay
        self.zone = allDay ? TimeZone(identifier: "UTC")! : zone
        self.firstStart = firstStart
        self.duration = max(0, duration)
        self.rule = rule
        excluded = Set(rule?.excluded ?? [])
        var map: [Date: OccurrenceChange] = [:]
        for change in changes { map[change.originalStart] = change }
        self.changes = map
    }

    struct Instance: Equatable {
        /// The original start; nil for an appointment that does not recur.
        let recurrenceId: Date?
        let start: Date
        let end: Date
        let change: OccurrenceChange?
    }

    /// The occurrences that overlap [from, to), by start, at most `limit`.
    func occurrences(from: Date, to: Date, limit: Int = TasksContract.maxOccurrences) -> [Instance] {
        guard let rule else {
            let end = firstStart.addingTimeInterval(duration)
            return firstStart < to && (end > from || (duration == 0 && firstStart >= from))
                ? [Instance(recurrenceId: nil, start: firstStart, end: end, change: nil)] : []
        }
        var result: [Instance] = []
        var seen = Set<Date>()
        // Moved occurrences can land in the window from outside it: walk a little wider.
        let widest = changes.values.compactMap { change in change.start.map { abs($0.timeIntervalSince(change.originalStart)) } }.max() ?? 0
        let walkFrom = from.addingTimeInterval(-duration - widest)
        let walkTo = to.addingTimeInterval(widest)
        walk(rule, from: walkFrom) { start in
            if start >= walkTo { return false }
            guard start.addingTimeInterval(duration) > walkFrom || start >= walkFrom else { return true }
            seen.insert(start)
            if excluded.contains(start) { return true }
            var instance = Instance(recurrenceId: start, start: start, end: start.addingTimeInterval(duration), change: nil)
            if let change = changes[start] {
                if change.cancelled == true { return true }
                let newStart = change.start ?? start
                instance = Instance(
                    recurrenceId: start, start: newStart, end: change.end ?? newStart.addingTimeInterval(duration), change: change)
            }
            if instance.start < to && (instance.end > from || (instance.start == instance.end && instance.start >= from)) {
                result.append(instance)
            }
            return result.count < limit
        }
        return result.sorted { ($0.start, $0.recurrenceId ?? $0.start) < ($1.start, $1.recurrenceId ?? $1.start) }
    }

    /// Whether `start` is one of the series' original starts.
    func isOccurrence(_ start: Date) -> Bool {
        guard let rule else { return start == firstStart }
        var found = false
        walk(rule, from: start) { candidate in
            if candidate == start { found = true }
            return candidate < start
        }
        return found
    }

    /// The end of the last occurrence of a series that ends (a count or an end date), or nil.
    func lastEnd() -> Date? {
        guard let rule else { return firstStart.addingTimeInterval(duration) }
        guard rule.count != nil || rule.until != nil else { return nil }
        var last = firstStart
        walk(rule) { start in
            last = start
            return true
        }
        let moved = changes.values.compactMap { $0.end ?? $0.start?.addingTimeInterval(duration) }.max()
        return max(last.addingTimeInterval(duration), moved ?? .distantPast)
    }

    /// Calls `visit` with every original start in order (excluded ones too, as COUNT counts
    /// them) until it answers false, the rule ends, or `maxSteps`.
    ///
    /// With `from`, a series without a count starts its walk at the period holding the day
    /// before `from` rather than at its first start (the starts before that are skipped, not
    /// visited): a daily series begun in 1970 is not walked through 20,000 days for a week
    /// of 2026, nor cut off by `maxSteps` for a week of 2600. A series with a count has at most
    /// 999 occurrences and is walked from its start, as COUNT needs.
    func walk(_ rule: Recurrence, from: Date? = nil, _ visit: (Date) -> Bool) {
        let offset = zone.secondsFromGMT(for: firstStart)
        let localStart = Int64(floor(firstStart.timeIntervalSince1970)) + Int64(offset)
        let startDay = Int64(floor(Double(localStart) / 86_400))
        let timeOfDay = localStart - startDay * 86_400
        let untilDay = rule.until.flatMap(CivilDate.parse)
        let interval = Int64(max(1, rule.interval ?? 1))
        // The day to skip to: two days before `from` covers any zone's offset (at most ±14 h).
        // Series end with the year 9999 (as monthly and yearly ones always did): a later `from`
        // skips past it, and is clamped before it becomes an integer.
        var skipTo: Int64?
        if rule.count == nil, let from {
            let day = Int64(floor(min(max(from.timeIntervalSince1970 / 86_400, 0), Double(Self.lastDay + 3)))) - 2
            if day > startDay { skipTo = day }
        }
        var emitted = 0
        var steps = 0
        // Answers false to stop.
        func emit(_ day: Int64) -> Bool {
            steps += 1
            if steps > Self.maxSteps { return false }
            if day < startDay { return true }
            if day > Self.lastDay { return false }
            if let untilDay, day > untilDay { return false }
            if let count = rule.count, emitted >= count { return false }
            emitted += 1
            return visit(Self.instant(localSeconds: day * 86_400 + timeOfDay, zone: zone))
        }
        let (year, month, dayOfMonth) = CivilDate.from(days: startDay)
        switch rule.frequency {
        case "daily":
            var day = startDay + (skipTo.map { ($0 - startDay) / interval } ?? 0) * interval
            while emit(day) { day += interval }
        case "weekly":
            let weekStart = startDay - Int64(CivilDate.weekday(startDay))
            let days = (rule.byDay ?? []).compactMap { Self.weekdays.firstIndex(of: $0) }.sorted()
            let weekdays = days.isEmpty ? [CivilDate.weekday(startDay)] : days
            var week: Int64 = skipTo.map { ($0 - weekStart) / (7 * interval) } ?? 0
            outer: while true {
                for weekday in weekdays where !emit(weekStart + week * 7 * interval + Int64(weekday)) { break outer }
                week += 1
            }
        case "monthly", "yearly":
            let yearly = rule.frequency == "yearly"
            var k: Int64 = 0
            if let skipTo {
                let (toYear, toMonth, _) = CivilDate.from(days: skipTo)
                let periods = yearly ? Int64(toYear - year) : Int64(toYear - year) * 12 + Int64(toMonth - month)
                k = max(0, periods / interval)
            }
            while true {
                let index: Int64 = yearly ? Int64(year) + k * interval : Int64(year) * 12 + Int64(month - 1) + k * interval
                let y = Int(yearly ? index : index / 12)
                let m = yearly ? (rule.byMonth ?? month) : Int(index % 12) + 1
                guard y <= 9999 else { return }
                if let day = Self.day(in: y, m, rule: rule, defaultDay: dayOfMonth) {
                    if !emit(day) { return }
                } else {
                    steps += 1
                    if steps > Self.maxSteps { return }
                }
                k += 1
            }
        default:
            _ = emit(startDay)
        }
    }

    static let weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    /// 9999-12-31, the last day any series reaches.
    static let lastDay = CivilDate.days(9999, 12, 31)

    /// The day a monthly or yearly rule picks in a month, or nil when the month has none (the
    /// 31st in April; RFC 5545 skips such months).
    static func day(in year: Int, _ month: Int, rule: Recurrence, defaultDay: Int) -> Int64? {
        let length = CivilDate.daysIn(year, month)
        if let byDay = rule.byDay?.first, let (ordinal, weekday) = ordinalWeekday(byDay) {
            if ordinal > 0 {
                let first = CivilDate.days(year, month, 1)
                let day = first + Int64((weekday - CivilDate.weekday(first) + 7) % 7) + Int64(7 * (ordinal - 1))
                return day < first + Int64(length) ? day : nil
            }
            let last = CivilDate.days(year, month, length)
            let day = last - Int64((CivilDate.weekday(last) - weekday + 7) % 7) - Int64(7 * (-ordinal - 1))
            return day >= CivilDate.days(year, month, 1) ? day : nil
        }
        let wanted = rule.byMonthDay ?? defaultDay
        let day = wanted < 0 ? length + 1 + wanted : wanted
        guard day >= 1, day <= length else { return nil }
        return CivilDate.days(year, month, day)
    }

    /// `2TU` → (2, 1); `-1FR` → (-1, 4); a plain weekday has no ordinal.
    static func ordinalWeekday(_ text: String) -> (Int, Int)? {
        guard text.count > 2, let weekday = weekdays.firstIndex(of: String(text.suffix(2))), let ordinal = Int(text.dropLast(2)),
            ordinal != 0, (-5...5).contains(ordinal)
        else { return nil }
        return (ordinal, weekday)
    }

    /// A wall-clock time in `zone` as an instant. A time that happens twice (the hour the
    /// clocks go back) is the first; one that never happens (the hour they go forward) is read
    /// with the offset before the change, as RFC 5545 and Python's zoneinfo do.
    static func instant(localSeconds: Int64, zone: TimeZone) -> Date {
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localSeconds - 14 * 3600)))
        let after = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localSeconds + 14 * 3600)))
        let candidates = [localSeconds - Int64(before), localSeconds - Int64(after)].sorted()
        for candidate in candidates {
            let date = Date(timeIntervalSince1970: Double(candidate))
            if candidate + Int64(zone.secondsFromGMT(for: date)) == localSeconds { return date }
        }
        return Date(timeIntervalSince1970: Double(localSeconds - Int64(before)))
    }

    // MARK: - Checking a rule

    /// Why a rule is not one Outlook accepts, or does not fit its first start; nil when it is fine.
    static func problem(_ rule: Recurrence, startDay: Int64) -> String? {
        guard ["daily", "weekly", "monthly", "yearly"].contains(rule.frequency) else {
            return "recurrence.frequency is daily, weekly, monthly or yearly"
        }
        if let interval = rule.interval, !(1...999).contains(interval) { return "recurrence.interval is 1 to 999" }
        if let count = rule.count, !(1...999).contains(count) { return "recurrence.count is 1 to 999" }
        if rule.count != nil && rule.until != nil { return "a recurrence ends after a count or on a date, not both" }
        if let until = rule.until {
            guard let day = CivilDate.parse(until) else { return "recurrence.until is a date (YYYY-MM-DD)" }
            guard day >= startDay, day <= startDay + 366 * 30 else { return "recurrence.until is on or after the start, within 30 years" }
        }
        if (rule.excluded?.count ?? 0) > 1000 { return "at most 1,000 excluded occurrences" }
        let (_, month, dayOfMonth) = CivilDate.from(days: startDay)
        let weekday = CivilDate.weekday(startDay)
        switch rule.frequency {
        case "daily":
            if rule.byDay != nil || rule.byMonthDay != nil || rule.byMonth != nil { return "a daily recurrence takes no days or months" }
        case "weekly":
            if rule.byMonthDay != nil || rule.byMonth != nil { return "a weekly recurrence takes weekdays only" }
            let days = rule.byDay ?? []
            guard days.count <= 7, Set(days).count == days.count, days.allSatisfy({ weekdays.contains($0) }) else {
                return "recurrence.by_day of a weekly recurrence lists weekdays (MO, TU, WE, TH, FR, SA, SU) once each"
            }
            if !days.isEmpty, !days.contains(weekdays[weekday]) {
                return "the first start falls on \(weekdays[weekday]), which is not one of recurrence.by_day"
            }
        case "monthly", "yearly":
            if rule.frequency == "monthly", rule.byMonth != nil { return "a monthly recurrence takes no month" }
            if let byMonth = rule.byMonth {
                guard (1...12).contains(byMonth) else { return "recurrence.by_month is 1 to 12" }
                if byMonth != month { return "the first start is not in recurrence.by_month" }
            }
            if let days = rule.byDay {
                guard days.count == 1, let (ordinal, day) = ordinalWeekday(days[0]), (1...4).contains(ordinal) || ordinal == -1,
                    rule.byMonthDay == nil
                else { return "recurrence.by_day of a monthly or yearly recurrence is one weekday with its week: 1MO...4MO or -1MO" }
                let (y, m, _) = CivilDate.from(days: startDay)
                if Self.day(in: y, m, rule: rule, defaultDay: dayOfMonth) != startDay {
                    return "the first start is not the \(days[0]) of its month"
                }
                _ = day
            } else if let byMonthDay = rule.byMonthDay {
                guard (1...31).contains(byMonthDay) || byMonthDay == -1 else {
                    return "recurrence.by_month_day is 1 to 31, or -1 (the last)"
                }
                let (y, m, _) = CivilDate.from(days: startDay)
                if Self.day(in: y, m, rule: rule, defaultDay: dayOfMonth) != startDay {
                    return "the first start is not day \(byMonthDay) of its month"
                }
            }
        default: break
        }
        return nil
    }

    /// The RRULE value. UNTIL is UTC for a timed series (the last day's start time in its zone)
    /// and a DATE for an all-day one.
    func rrule() -> String? {
        guard let rule else { return nil }
        var parts = ["FREQ=" + rule.frequency.uppercased()]
        if let interval = rule.interval, interval > 1 { parts.append("INTERVAL=\(interval)") }
        if let count = rule.count { parts.append("COUNT=\(count)") }
        if let until = rule.until, let day = CivilDate.parse(until) {
            if allDay {
                parts.append("UNTIL=" + ICalendarTime.date(until))
            } else {
                let offset = zone.secondsFromGMT(for: firstStart)
                let local = Int64(floor(firstStart.timeIntervalSince1970)) + Int64(offset)
                let timeOfDay = local - Int64(floor(Double(local) / 86_400)) * 86_400
                parts.append("UNTIL=" + ICalendarTime.utc(Self.instant(localSeconds: day * 86_400 + timeOfDay, zone: zone)))
            }
        }
        if let days = rule.byDay, !days.isEmpty { parts.append("BYDAY=" + days.joined(separator: ",")) }
        if let day = rule.byMonthDay { parts.append("BYMONTHDAY=\(day)") }
        if let month = rule.byMonth { parts.append("BYMONTH=\(month)") }
        if rule.frequency == "weekly" { parts.append("WKST=MO") }
        return parts.joined(separator: ";")
    }
}
