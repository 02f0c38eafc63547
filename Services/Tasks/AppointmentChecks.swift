import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit

/// What an appointment's fields must be, and how a save request changes one.
enum AppointmentChecks {
    /// The checks that need no database: sizes, forms, the rule.
    static func fields(_ request: SaveAppointmentRequest, creating: Bool) throws {
        if let subject = request.subject {
            let trimmed = subject.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.count <= 300 else { throw BusError.invalid("subject: 1 to 300 characters") }
        } else if creating {
            throw BusError.invalid("an appointment needs a subject")
        }
        if let text = request.description, text.count > 10_000 { throw BusError.invalid("description is at most 10,000 characters") }
        if let place = request.place, place.count > 500 { throw BusError.invalid("place is at most 500 characters") }
        if let url = request.meetingUrl, !url.isEmpty {
            guard url.count <= 2000, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                parsed.host != nil
            else { throw BusError.conflict("meeting_url is an http or https address") }
        }
        if let zone = request.zone { _ = try TaskStore.zone(zone) }
        if let alarms = request.alarms {
            guard alarms.count <= 5, alarms.allSatisfy({ (0...40_320).contains($0) }) else {
                throw BusError.invalid("alarms: at most 5, each 0 to 40,320 minutes before the start")
            }
        }
        if let attendees = request.attendees {
            guard attendees.count <= 100 else { throw BusError.invalid("at most 100 attendees") }
            for attendee in attendees {
                switch attendee.kind {
                case "user", "contact":
                    guard let id = attendee.id, id > 0 else { throw BusError.conflict("a \(attendee.kind) attendee is named by id") }
                case "email":
                    guard let email = attendee.email, InvitationMail.isAddress(email) else {
                        throw BusError.conflict("an e-mail attendee needs a valid address, not '\((attendee.email ?? "").prefix(254))'")
                    }
                default:
                    throw BusError.invalid("an attendee's kind is user, contact or email")
                }
                if let name = attendee.name, name.count > 200 { throw BusError.invalid("an attendee's name is at most 200 characters") }
            }
        }
        if let exceptions = request.exceptions, exceptions.count > 500 { throw BusError.invalid("at most 500 changed occurrences") }
        _ = try TaskStore.links(request.companyIds, request.contactIds, request.dealIds)
        if let date = request.startDate { _ = try TaskStore.day(date, "start_date") }
        if let date = request.endDate { _ = try TaskStore.day(date, "end_date") }
        for date in [request.start, request.end].compactMap({ $0 }) {
            guard date.timeIntervalSince1970.isFinite, date.timeIntervalSince1970 > 0, date.timeIntervalSince1970 < 253_402_300_799 else {
                throw BusError.conflict("start and end are instants between 1970 and 9999")
            }
        }
    }

    /// Applies a save request to an appointment (new or loaded), checking what needs the read models.
    static func apply(_ request: SaveAppointmentRequest, to appointment: inout Appointment, _ db: Database, headers: BusHeaders) throws {
        if let subject = request.subject { appointment.subject = subject.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let text = request.description { appointment.description = text.nilIfBlank }
        if let place = request.place { appointment.place = place.nilIfBlank }
        if let url = request.meetingUrl { appointment.meetingUrl = url.nilIfBlank }
        if let allDay = request.allDay { appointment.allDay = allDay }
        if let zone = request.zone { appointment.zone = zone }
        if appointment.allDay {
            if let date = request.startDate { appointment.startDate = date }
            if let date = request.endDate { appointment.endDate = date }
            if appointment.endDate == nil { appointment.endDate = appointment.startDate }
            guard let first = appointment.startDate.flatMap(CivilDate.parse), let last = appointment.endDate.flatMap(CivilDate.parse) else {
                throw BusError.conflict("an all-day appointment needs start_date (and end_date, its last day)")
            }
            guard last >= first, last - first < 366 else { throw BusError.conflict("end_date is on or after start_date, within a year") }
            appointment.start = nil
            appointment.end = nil
            appointment.zone = nil
        } else {
            if let start = request.start { appointment.start = start }
            if let end = request.end { appointment.end = end }
            guard let start = appointment.start, let end = appointment.end else {
                throw BusError.conflict("a timed appointment needs start and end (or all_day with dates)")
            }
            guard end >= start, end.timeIntervalSince(start) <= 31 * 86_400 else {
                throw BusError.conflict("end is at or after start, within 31 days")
            }
            if appointment.zone == nil { appointment.zone = "UTC" }
            appointment.startDate = nil
            appointment.endDate = nil
        }
        if request.clearRecurrence == true { appointment.recurrence = nil }
        if let rule = request.recurrence { appointment.recurrence = rule }
        if let exceptions = request.exceptions { appointment.exceptions = exceptions }
        if appointment.recurrence == nil { appointment.exceptions = [] }
        if let rule = appointment.recurrence {
            let series = AppointmentStore.series(appointment)
            let offset = series.zone.secondsFromGMT(for: series.firstStart)
            let startDay = Int64(floor((series.firstStart.timeIntervalSince1970 + Double(offset)) / 86_400))
            if let problem = Series.problem(rule, startDay: startDay) { throw BusError.conflict(problem) }
            for change in appointment.exceptions where !series.isOccurrence(change.originalStart) {
                throw BusError.conflict("a changed occurrence's original_start is not an occurrence of the series")
            }
            for change in appointment.exceptions {
                if let start = change.start, let end = change.end, end < start {
                    throw BusError.conflict("a changed occurrence ends before it starts")
                }
            }
        }
        if let alarms = request.alarms { appointment.alarms = Array(Set(alarms)).sorted() }
        if let organizer = request.organizerId { appointment.organizerId = try TaskStore.user(db, organizer) }
        if let links = try TaskStore.links(request.companyIds, request.contactIds, request.dealIds) {
            try Customers.check(db, companies: links.0, contacts: links.1, headers: headers)
            (appointment.companyIds, appointment.contactIds, appointment.dealIds) = links
        }
        if let attendees = request.attendees {
            var list: [Attendee] = []
            var seen = Set<String>()
            for given in attendees {
                var attendee = Attendee(kind: given.kind, id: given.kind == "email" ? nil : given.id, name: given.name?.nilIfBlank)
                switch given.kind {
                case "user":
                    guard let row = try Row.fetchOne(db, sql: "SELECT name, email FROM user WHERE id = ?", arguments: [given.id]) else {
                        throw BusError.conflict("user \(given.id ?? 0) does not exist")
                    }
                    attendee.name = attendee.name ?? row["name"]
                    attendee.email = (row["email"] as String?).flatMap { InvitationMail.isAddress($0) ? $0 : nil }
                case "contact":
                    guard
                        let row = try Row.fetchOne(
                            db, sql: "SELECT name, email FROM customer WHERE kind = 'contact' AND id = ? AND deleted = 0",
                            arguments: [given.id])
                    else { throw BusError.conflict("contact \(given.id ?? 0) does not exist") }
                    attendee.name = attendee.name ?? row["name"]
                    attendee.email =
                        given.email.flatMap { InvitationMail.isAddress($0) ? $0 : nil }
                        ?? (row["email"] as String?).flatMap { InvitationMail.isAddress($0) ? $0 : nil }
                default:
                    attendee.email = given.email?.trimmingCharacters(in: .whitespaces)
                }
                let key = AttendeeKey.of(kind: attendee.kind, id: attendee.id, email: attendee.email)
                guard seen.insert(key).inserted else { continue }
                if let old = appointment.attendees.first(where: { AttendeeKey.of(kind: $0.kind, id: $0.id, email: $0.email) == key }) {
                    attendee.status = old.status
                    attendee.respondedAt = old.respondedAt
                }
                list.append(attendee)
            }
            appointment.attendees = list
        }
    }

    /// A change every attendee must hear of: its time, place, subject, or being cancelled.
    static func significant(_ before: Appointment, _ after: Appointment) -> Bool {
        timeChanged(before, after) || before.place != after.place || before.meetingUrl != after.meetingUrl
            || before.subject != after.subject || before.status != after.status
    }

    static func timeChanged(_ before: Appointment, _ after: Appointment) -> Bool {
        before.allDay != after.allDay || before.start != after.start || before.end != after.end || before.zone != after.zone
            || before.startDate != after.startDate || before.endDate != after.endDate || before.recurrence != after.recurrence
            || before.exceptions != after.exceptions
    }
}
