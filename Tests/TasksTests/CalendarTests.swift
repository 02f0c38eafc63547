import Contracts
import Foundation
import Testing

@testable import TasksService

/// The iCalendar writer and the expansion of recurring appointments, without a database.
@Suite("iCalendar and recurrence")
struct CalendarTests {
    static let oslo = TimeZone(identifier: "Europe/Oslo")!

    /// An instant from a wall-clock time in Oslo.
    static func oslo(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ minute: Int = 0) -> Date {
        Series.instant(localSeconds: CivilDate.days(y, m, d) * 86_400 + Int64(h * 3600 + minute * 60), zone: oslo)
    }

    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("lines fold at 75 octets with CRLF and a space, never inside a UTF-8 character, and unfold to the text")
    func folding() {
        var writer = ICalendarWriter()
        let text = String(repeating: "Blåbærsyltetøy på Ærøy 🎉🇳🇴 ", count: 6)
        writer.text("SUMMARY", text)
        let output = writer.output
        #expect(output.hasSuffix("\r\n"))
        // ("\r\n" is one Character in Swift: cut it off by its bytes.)
        let body = String(decoding: output.utf8.dropLast(2), as: UTF8.self)
        let lines = body.components(separatedBy: "\r\n")
        #expect(lines.count > 2)
        for (index, line) in lines.enumerated() {
            #expect(line.utf8.count <= 75, "\(line)")
            #expect(index == 0 || line.hasPrefix(" "))
        }
        // Unfolding (RFC 5545 3.1) gives the line back.
        // (By octets, as a parser unfolds: a Swift string joins a space to a mark that follows it.)
        let unfolded = String(decoding: Data(body.utf8).split(separator: Data("\r\n ".utf8)).joined(), as: UTF8.self)
        #expect(unfolded == "SUMMARY:" + ICalendarWriter.escape(text))
        // Every physical line is whole UTF-8 on its own.
        let bytes = Array(output.utf8)
        var start = 0
        for index in bytes.indices.dropLast() where bytes[index] == 13 && bytes[index + 1] == 10 {
            #expect(String(data: Data(bytes[start..<index]), encoding: .utf8) != nil)
            start = index + 2
        }
    }

    @Test("TEXT escapes backslash first, then ; , and line breaks; parameters are quoted when they hold : ; or ,")
    func escaping() {
        #expect(ICalendarWriter.escape("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf")
        #expect(ICalendarWriter.parameter("Nordmann, Kari") == "\"Nordmann, Kari\"")
        #expect(ICalendarWriter.parameter("Kari \"K\" N") == "Kari K N")
        var writer = ICalendarWriter()
        writer.raw("LOCATION", "one\r\nline")
        #expect(writer.output == "LOCATION:one  line\r\n")
    }

    @Test("days since 1970 and back, weekdays, leap years")
    func civilDates() {
        #expect(CivilDate.days(1970, 1, 1) == 0)
        #expect(CivilDate.from(days: CivilDate.days(2028, 2, 29)) == (2028, 2, 29))
        #expect(CivilDate.weekday(CivilDate.days(2026, 11, 28)) == 5)  // a Saturday
        #expect(CivilDate.parse("2027-02-29") == nil)
        #expect(CivilDate.parse("2028-02-29") == CivilDate.days(2028, 2, 29))
        #expect(CivilDate.parse("2026-1-01") == nil)
        #expect(ICalendarTime.utc(Self.utc("2026-10-25T00:59:59Z")) == "20261025T005959Z")
        #expect(ICalendarTime.local(Self.utc("2026-10-25T00:30:00Z"), Self.oslo) == "20261025T023000")
    }

    @Test("a weekly series keeps its wall-clock time across the autumn change; count, exclusions and moved occurrences")
    func weeklyAcrossDST() {
        var rule = Recurrence(frequency: "weekly")
        rule.byDay = ["TU", "TH"]
        rule.count = 6
        rule.excluded = [Self.oslo(2026, 10, 22, 10)]
        var moved = OccurrenceChange(originalStart: Self.oslo(2026, 10, 27, 10))
        moved.start = Self.oslo(2026, 10, 28, 14)
        let series = Series(
            allDay: false, zone: Self.oslo, firstStart: Self.oslo(2026, 10, 20, 10), duration: 3600, rule: rule, changes: [moved])
        let starts = series.occurrences(from: Self.utc("2026-10-01T00:00:00Z"), to: Self.utc("2027-01-01T00:00:00Z")).map(\.start)
        #expect(
            starts == [
                Self.utc("2026-10-20T08:00:00Z"), Self.utc("2026-10-28T13:00:00Z"), Self.utc("2026-10-29T09:00:00Z"),
                Self.utc("2026-11-03T09:00:00Z"), Self.utc("2026-11-05T09:00:00Z"),
            ])
        #expect(series.lastEnd() == Self.utc("2026-11-05T10:00:00Z"))
        #expect(series.isOccurrence(Self.oslo(2026, 10, 29, 10)))
        #expect(!series.isOccurrence(Self.oslo(2026, 10, 30, 10)))
        #expect(series.rrule() == "FREQ=WEEKLY;COUNT=6;BYDAY=TU,TH;WKST=MO")
    }

    @Test("monthly on the last Friday, on the 31st (months without one are skipped), yearly, daily with an end date")
    func monthlyAndYearly() {
        func days(_ rule: Recurrence, from start: Date, limit: Int = 6) -> [String] {
            let series = Series(allDay: true, zone: Self.oslo, firstStart: start, duration: 86_400, rule: rule, changes: [])
            return series.occurrences(from: start, to: start.addingTimeInterval(400 * 86_400), limit: limit).map {
                CivilDate.text(Int64($0.start.timeIntervalSince1970 / 86_400))
            }
        }
        var lastFriday = Recurrence(frequency: "monthly")
        lastFriday.byDay = ["-1FR"]
        #expect(
            days(lastFriday, from: CivilDate.midnight(CivilDate.days(2027, 1, 29)), limit: 3) == ["2027-01-29", "2027-02-26", "2027-03-26"])
        var on31 = Recurrence(frequency: "monthly")
        on31.byMonthDay = 31
        #expect(days(on31, from: CivilDate.midnight(CivilDate.days(2027, 1, 31)), limit: 3) == ["2027-01-31", "2027-03-31", "2027-05-31"])
        var secondTuesday = Recurrence(frequency: "yearly")
        secondTuesday.byMonth = 3
        secondTuesday.byDay = ["2TU"]
        #expect(days(secondTuesday, from: CivilDate.midnight(CivilDate.days(2027, 3, 9)), limit: 2) == ["2027-03-09", "2028-03-14"])
        var daily = Recurrence(frequency: "daily")
        daily.interval = 2
        daily.until = "2027-01-07"
        #expect(
            days(daily, from: CivilDate.midnight(CivilDate.days(2027, 1, 1))) == ["2027-01-01", "2027-01-03", "2027-01-05", "2027-01-07"])
    }

    @Test("a series begun long ago shows the same occurrences in a window as a walk from its start, and shows them past 200,000 days")
    func longSeriesSkipAhead() {
        let start = Self.oslo(1970, 1, 31, 9, 30)
        var daily = Recurrence(frequency: "daily")
        daily.interval = 3
        var weekly = Recurrence(frequency: "weekly")
        weekly.interval = 2
        weekly.byDay = ["TH", "SA"]  // 1970-01-31 was a Saturday
        var monthly = Recurrence(frequency: "monthly")
        monthly.interval = 3
        monthly.byMonthDay = 31
        var lastFriday = Recurrence(frequency: "monthly")
        lastFriday.byDay = ["-1FR"]
        var yearly = Recurrence(frequency: "yearly")
        yearly.byMonth = 1
        var until = Recurrence(frequency: "daily")
        until.until = "1999-12-31"
        let firstStarts = [start, start, start, Self.oslo(1970, 1, 30, 9, 30), start, start]
        let windows = [
            (Self.utc("2026-01-01T00:00:00Z"), Self.utc("2027-01-01T00:00:00Z")),
            (Self.utc("1999-12-20T00:00:00Z"), Self.utc("2000-02-01T00:00:00Z")),
            (Self.utc("1970-01-01T00:00:00Z"), Self.utc("1970-03-01T00:00:00Z")),
        ]
        for (rule, firstStart) in zip([daily, weekly, monthly, lastFriday, yearly, until], firstStarts) {
            let series = Series(allDay: false, zone: Self.oslo, firstStart: firstStart, duration: 1800, rule: rule, changes: [])
            for (from, to) in windows {
                // The reference: every start from the series' first, without skipping ahead.
                var expected: [Date] = []
                series.walk(rule) { candidate in
                    if candidate >= to { return false }
                    if candidate.addingTimeInterval(1800) > from { expected.append(candidate) }
                    return true
                }
                let found = series.occurrences(from: from, to: to).map(\.start)
                #expect(found == expected, "\(rule.frequency) \(from)")
                #expect(!found.isEmpty || rule.until != nil, "\(rule.frequency) \(from)")
                for instant in expected { #expect(series.isOccurrence(instant)) }
            }
        }
        // 700 years of days is more than one walk's 200,000 steps: skipping ahead still finds them.
        let far = Series(
            allDay: true, zone: Self.oslo, firstStart: CivilDate.midnight(CivilDate.days(1970, 1, 1)), duration: 86_400,
            rule: Recurrence(frequency: "daily"), changes: [])
        let days = far.occurrences(from: CivilDate.midnight(CivilDate.days(2700, 3, 1)), to: CivilDate.midnight(CivilDate.days(2700, 3, 4)))
        #expect(days.map { CivilDate.text(Int64($0.start.timeIntervalSince1970 / 86_400)) } == ["2700-03-01", "2700-03-02", "2700-03-03"])
        // A window no calendar asks for (the gateway takes ISO times) neither traps nor walks.
        #expect(far.occurrences(from: Date(timeIntervalSince1970: 1e300), to: Date(timeIntervalSince1970: 2e300)).isEmpty)
        #expect(!far.isOccurrence(Date(timeIntervalSince1970: 1e300)))
    }

    @Test("rules Outlook would not take, or that do not fit their start, are refused with a reason")
    func refusals() {
        let tuesday = CivilDate.days(2026, 12, 1)
        var rule = Recurrence(frequency: "hourly")
        #expect(Series.problem(rule, startDay: tuesday) != nil)
        rule = Recurrence(frequency: "weekly")
        rule.byDay = ["MO"]
        #expect(Series.problem(rule, startDay: tuesday)?.contains("not one of") == true)
        rule.byDay = ["TU", "TU"]
        #expect(Series.problem(rule, startDay: tuesday) != nil)
        rule.byDay = ["TU"]
        rule.count = 5
        rule.until = "2027-01-01"
        #expect(Series.problem(rule, startDay: tuesday) != nil)
        rule.until = nil
        #expect(Series.problem(rule, startDay: tuesday) == nil)
        var monthly = Recurrence(frequency: "monthly")
        monthly.byDay = ["5TU"]
        #expect(Series.problem(monthly, startDay: tuesday) != nil)
        monthly.byDay = ["1TU"]
        #expect(Series.problem(monthly, startDay: tuesday) == nil)
        monthly.interval = 0
        #expect(Series.problem(monthly, startDay: tuesday) != nil)
    }

    @Test("a time that happens twice is the first; one that never happens is read with the offset before the change")
    func ambiguousTimes() {
        // 02:30 on 25 October 2026 happens twice in Oslo (CEST, then CET).
        #expect(Self.oslo(2026, 10, 25, 2, 30) == Self.utc("2026-10-25T00:30:00Z"))
        // 02:30 on 29 March 2026 never happens; read with +01:00 it is 01:30 UTC.
        #expect(Self.oslo(2026, 3, 29, 2, 30) == Self.utc("2026-03-29T01:30:00Z"))
    }

    @Test("VTIMEZONE from tzdata: each change of the years asked for with its offsets")
    func timeZoneComponent() {
        var writer = ICalendarWriter()
        TimeZoneComponent.write(Self.oslo, years: 2026...2026, into: &writer)
        let text = writer.output
        #expect(text.contains("TZID:Europe/Oslo"))
        #expect(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"))
        #expect(text.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"))
        #expect(TimeZoneComponent.offset(-12_600) == "-0330")
    }

    @Test("a feed: no METHOD, refresh hints, follow-ups as whole-day events, an ETag that follows the text")
    func feed() {
        var appointment = Appointment()
        appointment.id = 1
        appointment.uid = "a@crm"
        appointment.subject = "Møte"
        appointment.start = Self.utc("2026-12-01T09:00:00Z")
        appointment.end = Self.utc("2026-12-01T10:00:00Z")
        appointment.zone = "Europe/Oslo"
        appointment.alarms = [15]
        var task = TaskItem()
        task.id = 7
        task.title = "Ring Åse"
        task.dueDate = "2026-12-02"
        let text = CalendarDocument.publish([appointment], tasks: [task], name: "CRM – Kari", stamp: Self.utc("2026-11-28T00:00:00Z"))
        #expect(!text.contains("METHOD:"))
        #expect(text.contains("REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H"))
        #expect(text.contains("DTSTART;TZID=Europe/Oslo:20261201T100000"))
        #expect(text.contains("BEGIN:VALARM\r\nACTION:DISPLAY"))
        #expect(text.contains("TRIGGER:-PT15M"))
        #expect(text.contains("UID:task-7@crm\r\nDTSTAMP:20261128T000000Z\r\nDTSTART;VALUE=DATE:20261202\r\nDTEND;VALUE=DATE:20261203"))
        #expect(!text.contains("ORGANIZER") && !text.contains("ATTENDEE"))
        #expect(CalendarDocument.etag(text) == CalendarDocument.etag(text))
        #expect(CalendarDocument.etag(text) != CalendarDocument.etag(text + " "))
    }
}
