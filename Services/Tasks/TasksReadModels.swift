import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Settings' side of tasks, kept from its events in the transaction that moves the checkpoint:
/// users (names and addresses for attendees), task categories with their colours, employee
/// groups' members (group calendars and feeds), and visibility.
enum SettingsConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        typealias E = SettingsContract.Event
        switch event.type {
        case EventsSnapshot.resetType:
            try db.execute(
                sql: "DELETE FROM user; DELETE FROM category; DELETE FROM group_member; DELETE FROM setting WHERE section = 'visibility'")
        case E.userCreated, E.userUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let user = try change.after?.decode(User.self) else { return }
            try db.execute(
                sql: """
                    INSERT INTO user (id, name, email, boss, active) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, boss = excluded.boss,
                        active = excluded.active
                    """,
                arguments: [user.id, user.name.isEmpty ? user.username : user.name, user.email, user.rank == .boss, user.active])
        case E.referenceCreated, E.referenceUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let item = try change.after?.decode(ReferenceItem.self), item.kind == .taskCategories else { return }
            try db.execute(
                sql: """
                    INSERT INTO category (id, name, colour, active) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, colour = excluded.colour, active = excluded.active
                    """, arguments: [item.id, item.name, item.colour, item.active])
        case E.referenceDeleted:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard change.kind == ReferenceKind.taskCategories.rawValue, let id = change.id else { return }
            try db.execute(sql: "DELETE FROM category WHERE id = ?", arguments: [id])
        case E.groupCreated, E.groupUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let group = try change.after?.decode(EmployeeGroup.self) else { return }
            try members(db, group: group.id, group.members.map(\.userId))
        case E.memberSet, E.memberRemoved:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let id = change.id, let members = try change.after?.decode([GroupMember].self) else { return }
            try self.members(db, group: id, members.map(\.userId))
        case E.groupDeleted:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let id = change.id else { return }
            try db.execute(sql: "DELETE FROM group_member WHERE group_id = ?", arguments: [id])
        case E.configurationUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard change.kind == "visibility", let value = change.after else { return }
            try db.execute(
                sql:
                    "INSERT INTO setting (section, value) VALUES ('visibility', ?) ON CONFLICT(section) DO UPDATE SET value = excluded.value",
                arguments: [String(decoding: try JSONEncoder().encode(value), as: UTF8.self)])
        default:
            return
        }
    }

    static func members(_ db: Database, group: Int64, _ users: [Int64]) throws {
        try db.execute(sql: "DELETE FROM group_member WHERE group_id = ?", arguments: [group])
        for user in Set(users) {
            try db.execute(sql: "INSERT INTO group_member (group_id, user_id) VALUES (?, ?)", arguments: [group, user])
        }
    }
}

/// Contacts' customers (names, owners, a contact's first address) for the tasks' cards,
/// visibility and attendees; `contact.anonymized` scrubs the person from tasks and appointments.
enum CustomersConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        typealias E = ContactsContract.Event
        switch event.type {
        case EventsSnapshot.resetType:
            try db.execute(sql: "DELETE FROM customer")
        case E.created, E.updated, E.restored:
            let contact = try Wire.decode(ContactChanged.self, from: event.payload)
            let name = [contact.firstName, contact.lastName].filter { !$0.isEmpty }.joined(separator: " ")
            try set(db, kind: "contact", id: contact.contactId, name: name, owner: contact.ownerId, email: contact.emails.first?.address)
        case E.deleted:
            let deleted = try Wire.decode(ContactDeleted.self, from: event.payload)
            try db.execute(sql: "UPDATE customer SET deleted = 1 WHERE kind = 'contact' AND id = ?", arguments: [deleted.contactId])
        case E.companyCreated, E.companyUpdated, E.companyRestored:
            let company = try Wire.decode(CompanyChanged.self, from: event.payload).company
            try set(db, kind: "company", id: company.id, name: company.name, owner: company.ownerId, email: nil)
            if company.deletedAt != nil {
                try db.execute(sql: "UPDATE customer SET deleted = 1 WHERE kind = 'company' AND id = ?", arguments: [company.id])
            }
        case E.companyDeleted:
            let company = try Wire.decode(CompanyChanged.self, from: event.payload).company
            try db.execute(sql: "UPDATE customer SET deleted = 1 WHERE kind = 'company' AND id = ?", arguments: [company.id])
        case E.anonymized:
            let anonymized = try Wire.decode(ContactDeleted.self, from: event.payload)
            try Scrubbing.contact(db, outbox, id: anonymized.contactId)
        default:
            return
        }
    }

    static func set(_ db: Database, kind: String, id: Int64, name: String, owner: Int64?, email: String?) throws {
        try db.execute(
            sql: """
                INSERT INTO customer (kind, id, name, owner_id, email, deleted) VALUES (?, ?, ?, ?, ?, 0)
                ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, owner_id = excluded.owner_id, email = excluded.email,
                    deleted = 0
                """, arguments: [kind, id, name, owner, email])
    }
}

/// Who sees what: with shared customer cards off, a user sees the tasks they own or that are
/// about customers they own, and the appointments they organise, attend, or that are about
/// customers they own; a boss (and a service) sees everything.
struct TasksAccess: Sendable {
    let restrictedTo: Int64?

    static func of(_ headers: BusHeaders, _ db: Database) throws -> TasksAccess {
        guard let userId = headers.userId, !headers.isBoss else { return TasksAccess(restrictedTo: nil) }
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE section = 'visibility'"),
            let value = try? Wire.decode(VisibilityConfiguration.self, from: Data(text.utf8)), !value.sharedCustomerCards
        else { return TasksAccess(restrictedTo: nil) }
        return TasksAccess(restrictedTo: userId)
    }

    /// A condition on `task` (with its arguments) that keeps what the caller may see.
    var taskCondition: (String, StatementArguments) {
        guard let user = restrictedTo else { return ("1", []) }
        return (
            """
            (task.owner_id = ? OR EXISTS (SELECT 1 FROM task_link JOIN customer ON customer.kind = task_link.kind
                AND customer.id = task_link.target_id WHERE task_link.task_id = task.id AND customer.owner_id = ?))
            """, [user, user]
        )
    }

    var appointmentCondition: (String, StatementArguments) {
        guard let user = restrictedTo else { return ("1", []) }
        return (
            """
            (EXISTS (SELECT 1 FROM appointment_user WHERE appointment_user.appointment_id = appointment.id
                AND appointment_user.user_id = ?)
             OR EXISTS (SELECT 1 FROM appointment_link JOIN customer ON customer.kind = appointment_link.kind
                AND customer.id = appointment_link.target_id WHERE appointment_link.appointment_id = appointment.id
                AND customer.owner_id = ?))
            """, [user, user]
        )
    }

    func allows(task id: Int64, _ db: Database) throws -> Bool {
        guard restrictedTo != nil else { return true }
        let (condition, arguments) = taskCondition
        return try Bool.fetchOne(db, sql: "SELECT 1 FROM task WHERE id = ? AND \(condition)", arguments: [id] + arguments) ?? false
    }

    func allows(appointment id: Int64, _ db: Database) throws -> Bool {
        guard restrictedTo != nil else { return true }
        let (condition, arguments) = appointmentCondition
        return try Bool.fetchOne(db, sql: "SELECT 1 FROM appointment WHERE id = ? AND \(condition)", arguments: [id] + arguments) ?? false
    }
}
