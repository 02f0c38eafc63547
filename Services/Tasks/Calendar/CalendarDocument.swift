import Contracts
import Crypto
import Foundation

/// Appointments and follow-ups as iCalendar objects: a feed or a single .ics (PUBLISH, no
/// organizer or attendees) and an invitation (REQUEST or CANCEL, with them). Each zone used gets
/// its VTIMEZONE; DTSTART, EXDATE and RECURRENCE-ID share the form of the start.
enum CalendarDocument {
    static let productId = "-//Open Source CRM//Tasks 1.0//EN"

    static func publish(_ appointments: [Appointment], tasks: [TaskItem], name: String?, stamp: Date = Date()) -> String {
        var writer = ICalendarWriter()
        header(&writer, method: name == nil ? "PUBLISH" : nil)
        if let name {
            writer.text("X-WR-CALNAME", name)
            writer.text("NAME", name)
            writer.raw("REFRESH-INTERVAL", [("VALUE", "DURATION")], "PT1H")
            writer.raw("X-PUBLISHED-TTL", "PT1H")
        }
        zones(appointments, into: &writer)
        for appointment in appointments { event(appointment, stamp: stamp, invitation: nil, into: &writer) }
        for task in tasks { followUp(task, stamp: stamp, into: &writer) }
        writer.end("VCALENDAR")
        return writer.output
    }

    /// An iMIP object: METHOD REQUEST (every attendee listed, RSVP) or CANCEL.
    static func invitation(
        _ appointment: Appointment, method: String, organizer: (name: String?, address: String), attendees: [Attendee], stamp: Date = Date()
    ) -> String {
        var writer = ICalendarWriter()
        header(&writer, method: method)
        zones([appointment], into: &writer)
        event(appointment, stamp: stamp, invitation: (method, organizer, attendees), into: &writer)
        writer.end("VCALENDAR")
        return writer.output
    }

    static func etag(_ text: String) -> String {
        "\"" + SHA256.hash(data: Data(text.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
    }

    private static func header(_ writer: inout ICalendarWriter, method: String?) {
        writer.begin("VCALENDAR")
        writer.raw("VERSION", "2.0")
        writer.raw("PRODID", productId)
        writer.raw("CALSCALE", "GREGORIAN")
        if let method { writer.raw("METHOD", method) }
    }

    /// One VTIMEZONE per zone, covering the years its appointments need.
    private static func zones(_ appointments: [Appointment], into writer: inout ICalendarWriter) {
        var years: [String: ClosedRange<Int>] = [:]
        for appointment in appointments where !appointment.allDay {
            guard let zone = appointment.zone, zone != "UTC", let start = appointment.start else { continue }
            let first = CivilDate.from(days: Int64(floor(start.timeIntervalSince1970 / 86_400))).0
            var last = first + 1
            if let until = appointment.recurrence?.until, let day = CivilDate.parse(until) {
                last = CivilDate.from(days: day).0 + 1
            } else if appointment.recurrence != nil {
                let series = AppointmentStore.series(appointment)
                last = series.lastEnd().map { CivilDate.from(days: Int64(floor($0.timeIntervalSince1970 / 86_400))).0 + 1 } ?? first + 5
            }
            last = min(last, first + 30)
            let range = years[zone].map { min($0.lowerBound, first - 1)...max($0.upperBound, last) } ?? (first - 1)...last
            years[zone] = range
        }
        for (name, range) in years.sorted(by: { $0.key < $1.key }) {
            guard let zone = TimeZone(identifier: name) else { continue }
            TimeZoneComponent.write(zone, years: range, into: &writer)
        }
    }

    /// A start or end in the appointment's form: a DATE, a UTC time, or a local time with TZID.
    private static func time(_ writer: inout ICalendarWriter, _ property: String, _ date: Date, _ appointment: Appointment) {
        if appointment.allDay {
            writer.raw(property, [("VALUE", "DATE")], ICalendarTime.date(CivilDate.text(Int64(floor(date.timeIntervalSince1970 / 86_400)))))
        } else if let name = appointment.zone, name != "UTC", let zone = TimeZone(identifier: name) {
            writer.raw(property, [("TZID", name)], ICalendarTime.local(date, zone))
        } else {
            writer.raw(property, ICalendarTime.utc(date))
        }
    }

    private static func event(
        _ appointment: Appointment, stamp: Date, invitation: (String, (name: String?, address: String), [Attendee])?,
        into writer: inout ICalendarWriter
    ) {
        let series = AppointmentStore.series(appointment)
        let cancelledAll = appointment.status == "cancelled" || invitation?.0 == "CANCEL"
        func common(subject: String, place: String?) {
            writer.raw("UID", appointment.uid)
            writer.raw("DTSTAMP", ICalendarTime.utc(stamp))
            writer.raw("SEQUENCE", String(appointment.sequence))
            writer.text("SUMMARY", subject)
            var description = appointment.description ?? ""
            if let url = appointment.meetingUrl { description += (description.isEmpty ? "" : "\n\n") + "Join: " + url }
            if !description.isEmpty { writer.text("DESCRIPTION", description) }
            if let place = place ?? appointment.meetingUrl { writer.text("LOCATION", place) }
            if let url = appointment.meetingUrl { writer.raw("URL", url) }
            writer.raw("STATUS", cancelledAll ? "CANCELLED" : "CONFIRMED")
            writer.raw("CREATED", ICalendarTime.utc(appointment.createdAt))
            writer.raw("LAST-MODIFIED", ICalendarTime.utc(appointment.updatedAt))
            if let (_, organizer, attendees) = invitation {
                var parameters: [(String, String)] = []
                if let name = organizer.name { parameters.append(("CN", name)) }
                writer.raw("ORGANIZER", parameters, "mailto:" + organizer.address)
                for attendee in attendees {
                    guard let email = attendee.email else { continue }
                    var parameters: [(String, String)] = [("CUTYPE", "INDIVIDUAL"), ("ROLE", "REQ-PARTICIPANT")]
                    parameters.append(("PARTSTAT", partstat(attendee.status)))
                    parameters.append(("RSVP", "TRUE"))
                    if let name = attendee.name { parameters.append(("CN", name)) }
                    writer.raw("ATTENDEE", parameters, "mailto:" + email)
                }
            }
            if !cancelledAll {
                for minutes in appointment.alarms {
                    writer.begin("VALARM")
                    writer.raw("ACTION", "DISPLAY")
                    writer.text("DESCRIPTION", subject)
                    writer.raw("TRIGGER", ICalendarTime.before(minutes: minutes))
                    writer.end("VALARM")
                }
            }
        }
        writer.begin("VEVENT")
        time(&writer, "DTSTART", series.firstStart, appointment)
        time(&writer, "DTEND", series.firstStart.addingTimeInterval(series.duration), appointment)
        if let rule = series.rrule() { writer.raw("RRULE", rule) }
        let excluded =
            (appointment.recurrence?.excluded ?? []) + appointment.exceptions.filter { $0.cancelled == true }.map(\.originalStart)
        for date in Set(excluded).sorted() { time(&writer, "EXDATE", date, appointment) }
        common(subject: appointment.subject, place: appointment.place)
        writer.end("VEVENT")
        // Changed occurrences: the same UID with their RECURRENCE-ID.
        for change in appointment.exceptions where change.cancelled != true {
            writer.begin("VEVENT")
            let start = change.start ?? change.originalStart
            time(&writer, "RECURRENCE-ID", change.originalStart, appointment)
            time(&writer, "DTSTART", start, appointment)
            time(&writer, "DTEND", change.end ?? start.addingTimeInterval(series.duration), appointment)
            common(subject: change.subject ?? appointment.subject, place: change.place ?? appointment.place)
            writer.end("VEVENT")
        }
    }

    /// A follow-up task as an event (calendars ignore VTODO in subscribed feeds): on its day, or
    /// half an hour at its instant.
    private static func followUp(_ task: TaskItem, stamp: Date, into writer: inout ICalendarWriter) {
        writer.begin("VEVENT")
        writer.raw("UID", "task-\(task.id)@crm")
        writer.raw("DTSTAMP", ICalendarTime.utc(stamp))
        if let date = task.dueDate, let day = CivilDate.parse(date) {
            writer.raw("DTSTART", [("VALUE", "DATE")], ICalendarTime.date(date))
            writer.raw("DTEND", [("VALUE", "DATE")], ICalendarTime.date(CivilDate.text(day + 1)))
        } else if let at = task.dueAt {
            writer.raw("DTSTART", ICalendarTime.utc(at))
            writer.raw("DTEND", ICalendarTime.utc(at.addingTimeInterval(1800)))
        }
        writer.text("SUMMARY", task.title)
        if let description = task.description { writer.text("DESCRIPTION", description) }
        if let category = task.categoryName { writer.text("CATEGORIES", category) }
        writer.raw("STATUS", task.status == "cancelled" ? "CANCELLED" : "CONFIRMED")
        writer.raw("TRANSP", "TRANSPARENT")
        writer.raw("SEQUENCE", String(task.version))
        writer.raw("LAST-MODIFIED", ICalendarTime.utc(task.updatedAt))
        writer.end("VEVENT")
    }

    static func partstat(_ status: String) -> String {
        switch status {
        case "accepted": "ACCEPTED"
        case "declined": "DECLINED"
        case "tentative": "TENTATIVE"
        default: "NEEDS-ACTION"
        }
    }
}
