import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Telephony's `call.missed` becomes a call-back task for the user the call was for (else the
/// contact's owner), due within the configured time; more missed calls from the same number
/// fold into the task while it is open. Applied once per event (the checkpoint moves in the same
/// transaction), so a redelivered event never makes a second task.
enum CallBacks {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox, dueAfter: TimeInterval) throws {
        guard event.type == TelephonyContract.Event.missed else { return }
        let call = try Wire.decode(Call.self, from: event.payload)
        guard let number = (call.fromE164 ?? call.from)?.nilIfBlank else { return }
        var owner = call.userId
        if owner == nil, let contact = call.contactId {
            owner = try Int64.fetchOne(db, sql: "SELECT owner_id FROM customer WHERE kind = 'contact' AND id = ?", arguments: [contact])
        }
        if let id = owner, try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE id = ?", arguments: [id]) == nil { owner = nil }
        let at = call.endedAt ?? call.startedAt ?? Date()
        let when = timeText(at)
        let who = call.callerName?.nilIfBlank ?? number
        if let id = try Int64.fetchOne(
            db,
            sql: """
                SELECT id FROM task WHERE origin = 'missed_call' AND caller_number = ? AND status IN ('open', 'in_progress')
                    AND deleted_at IS NULL AND owner_id IS ? ORDER BY id DESC LIMIT 1
                """, arguments: [number, owner])
        {
            let before = try TaskStore.load(db, id: id)
            var task = before
            task.missedCalls = (task.missedCalls ?? 1) + 1
            task.title = "Call back \(who) (\(task.missedCalls ?? 2) missed calls)"
            let line = "Missed call \(when)."
            task.description = String(((task.description.map { $0 + "\n" } ?? "") + line).suffix(10_000))
            for contact in call.contactIds where !task.contactIds.contains(contact) && task.contactIds.count < 50 {
                task.contactIds.append(contact)
            }
            for company in call.companyIds where !task.companyIds.contains(company) && task.companyIds.count < 50 {
                task.companyIds.append(company)
            }
            _ = try TaskStore.save(db, outbox, before: before, after: task, actor: "telephony")
            return
        }
        var task = TaskItem()
        task.title = "Call back \(who)"
        task.description = "Missed call \(when)."
        task.ownerId = owner
        task.priority = "high"
        task.dueAt = at.addingTimeInterval(dueAfter)
        task.dueZone = "UTC"
        task.origin = "missed_call"
        task.callerNumber = number
        task.missedCalls = 1
        task.contactIds = Array(call.contactIds.prefix(50))
        task.companyIds = Array(call.companyIds.prefix(50))
        task.createdAt = Date()
        task.updatedAt = task.createdAt
        _ = try TaskStore.insert(db, outbox, task, actor: "telephony")
    }

    static func timeText(_ date: Date) -> String {
        let stamp = ICalendarTime.stamp(date, offset: 0)
        let chars = Array(stamp)
        return
            "\(String(chars[0..<4]))-\(String(chars[4..<6]))-\(String(chars[6..<8])) \(String(chars[9..<11])):\(String(chars[11..<13])) UTC"
    }
}

/// Task categories in use (settings asks before deleting one, and moves them to a replacement).
enum CategoryUse {
    static func count(_ db: Database, kind: ReferenceKind, id: Int64) throws -> Int {
        guard kind == .taskCategories else { return 0 }
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM task WHERE category_id = ? AND deleted_at IS NULL", arguments: [id]) ?? 0
    }

    static func move(_ db: Database, _ outbox: Outbox, _ request: ReferenceMoveRequest, actor: String?) throws -> Int {
        guard request.kind == .taskCategories else { return 0 }
        if let to = request.to, try Bool.fetchOne(db, sql: "SELECT 1 FROM category WHERE id = ?", arguments: [to]) == nil {
            throw BusError.conflict("task category \(to) does not exist")
        }
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM task WHERE category_id = ?", arguments: [request.from])
        for id in ids {
            let before = try TaskStore.load(db, id: id, deleted: nil)
            var task = before
            task.categoryId = request.to
            _ = try TaskStore.save(db, outbox, before: before, after: task, actor: actor)
        }
        return ids.count
    }
}

/// `contact.anonymized`: the person leaves every attendee list and text they were named in.
enum Scrubbing {
    static func contact(_ db: Database, _ outbox: Outbox, id: Int64) throws {
        let name = try String.fetchOne(db, sql: "SELECT name FROM customer WHERE kind = 'contact' AND id = ?", arguments: [id])
        let email = try String.fetchOne(db, sql: "SELECT email FROM customer WHERE kind = 'contact' AND id = ?", arguments: [id])
        func scrub(_ text: String?) -> String? {
            guard var text else { return nil }
            for secret in [name, email].compactMap({ $0?.nilIfBlank }) {
                text = text.replacingOccurrences(of: secret, with: "(anonymised)", options: .caseInsensitive)
            }
            return text
        }
        let taskIds = try Int64.fetchAll(db, sql: "SELECT task_id FROM task_link WHERE kind = 'contact' AND target_id = ?", arguments: [id])
        for taskId in taskIds {
            let before = try TaskStore.load(db, id: taskId, deleted: nil)
            var task = before
            task.title = scrub(task.title) ?? task.title
            task.description = scrub(task.description)
            if task.origin == "missed_call" { task.callerNumber = nil }
            task.contactIds.removeAll { $0 == id }
            _ = try TaskStore.save(db, outbox, before: before, after: task, actor: "gdpr")
        }
        let appointmentIds = try Int64.fetchAll(
            db,
            sql: """
                SELECT appointment_id FROM appointment_link WHERE kind = 'contact' AND target_id = ?
                UNION SELECT appointment_id FROM attendee WHERE kind = 'contact' AND person_id = ?
                """, arguments: [id, id])
        for appointmentId in appointmentIds {
            try db.execute(
                sql:
                    "UPDATE attendee SET name = '(anonymised)', email = NULL, person_id = NULL WHERE appointment_id = ? AND kind = 'contact' AND person_id = ?",
                arguments: [appointmentId, id])
            let before = try AppointmentStore.load(db, id: appointmentId)
            var appointment = before
            appointment.subject = scrub(appointment.subject) ?? appointment.subject
            appointment.description = scrub(appointment.description)
            appointment.place = scrub(appointment.place)
            appointment.contactIds.removeAll { $0 == id }
            _ = try AppointmentStore.save(db, outbox, before: before, after: appointment, actor: "gdpr", significant: false)
        }
        // Mails not yet handed over: none goes to the person any more, and the others' texts lose
        // their name (the calendar part keeps it until it is handed over, within a second; then
        // every body here is cleared).
        if let email {
            try db.execute(
                sql:
                    "UPDATE invitation SET state = 'dropped', recipient = '(anonymised)' WHERE state = 'queued' AND lower(recipient) = lower(?)",
                arguments: [email])
            try db.execute(sql: "UPDATE invitation SET recipient = '(anonymised)' WHERE lower(recipient) = lower(?)", arguments: [email])
        }
        for secret in [name, email].compactMap({ $0?.nilIfBlank }) {
            try db.execute(
                sql: """
                    UPDATE invitation SET subject = replace(subject, ?1, '(anonymised)'), body_text = replace(body_text, ?1, '(anonymised)'),
                        body_html = replace(body_html, ?1, '(anonymised)')
                    WHERE state = 'queued'
                    """, arguments: [secret])
        }
        try db.execute(sql: "UPDATE customer SET name = '', email = NULL WHERE kind = 'contact' AND id = ?", arguments: [id])
    }
}
