import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Puts the tasks service's events into the history of every company and contact they are
/// linked to: a task created, completed or deleted (and a call-back's further missed calls), an
/// appointment made, moved, cancelled, and an attendee's answer. Each entry is keyed by the
/// item's version, so a repeated event adds nothing.
enum TaskEventsConsumer {
    typealias E = TasksContract.Event

    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case E.taskCreated, E.taskCompleted, E.taskDeleted, E.taskUpdated:
            let change = try Wire.decode(TaskChanged.self, from: event.payload)
            let task = change.task
            let title = "\"\(task.title.prefix(120))\""
            let text: String
            switch event.type {
            case E.taskCreated: text = task.origin == "missed_call" ? "Call-back task: \(title)" : "Task created: \(title)"
            case E.taskCompleted: text = "Task done: \(title)"
            case E.taskDeleted: text = "Task deleted: \(title)"
            default:
                // Plain edits stay on the task; a status change or a further missed call is history.
                guard let from = change.fromStatus else {
                    guard task.origin == "missed_call", task.title.contains("missed calls") else { return }
                    try record(
                        db, task.companyIds, task.contactIds, kind: "task", at: task.updatedAt, actor: change.actor,
                        text: "Task changed: \(title)", ref: "task:\(task.id):\(task.version)")
                    return
                }
                text =
                    "Task \(from.replacingOccurrences(of: "_", with: " ")) → \(task.status.replacingOccurrences(of: "_", with: " ")): \(title)"
            }
            try record(
                db, task.companyIds, task.contactIds, kind: "task", at: task.updatedAt, actor: change.actor, text: text,
                ref: "task:\(task.id):\(task.version)")
        case E.appointmentCreated, E.appointmentUpdated, E.appointmentCancelled, E.attendeeResponded:
            let change = try Wire.decode(AppointmentChanged.self, from: event.payload)
            let appointment = change.appointment
            let subject = "\"\(appointment.subject.prefix(120))\""
            let when =
                appointment.start.map { " on " + Timestamp.string(from: $0).prefix(16).replacingOccurrences(of: "T", with: " ") + " UTC" }
                ?? appointment.startDate.map { " on \($0)" } ?? ""
            let text: String
            switch event.type {
            case E.appointmentCreated: text = "Appointment: \(subject)\(when)"
            case E.appointmentCancelled: text = "Appointment cancelled: \(subject)\(when)"
            case E.attendeeResponded:
                guard let attendee = change.attendee else { return }
                text = "\(attendee.name ?? attendee.email ?? "An attendee") \(attendee.status) \(subject)"
                try record(
                    db, appointment.companyIds, appointment.contactIds, kind: "appointment",
                    at: attendee.respondedAt ?? appointment.updatedAt,
                    actor: change.actor, text: text, ref: "rsvp:\(appointment.id):\(appointment.version)")
                return
            default:
                // An update is history when the time moved (the sequence went up).
                text = "Appointment changed: \(subject)\(when)"
            }
            try record(
                db, appointment.companyIds, appointment.contactIds, kind: "appointment", at: appointment.updatedAt,
                actor: change.actor, text: text, ref: "appointment:\(appointment.id):\(appointment.sequence)")
        default:
            return
        }
    }

    static func record(
        _ db: Database, _ companies: [Int64], _ contacts: [Int64], kind: String, at: Date, actor: String?, text: String, ref: String
    ) throws {
        let at = DatabaseDate.string(at)
        for (table, ids) in [("company", companies), ("contact", contacts)] {
            for id in ids {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE id = ?", arguments: [id]) != nil else { continue }
                try db.execute(
                    sql: "INSERT OR IGNORE INTO \(table)_history (\(table)_id, kind, at, actor, summary, ref) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [id, kind, at, actor, String(text.prefix(300)), ref])
            }
        }
    }
}
