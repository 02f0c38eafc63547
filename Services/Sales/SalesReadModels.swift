import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Settings' side of sales, kept from its events in the transaction that moves the checkpoint:
/// processes and their statuses, the sales reference lists, budgets, users, visibility. A
/// status a process no longer has moves its open deals to the replacement the administrator
/// named (or the open status now at its place, else the first).
enum SettingsConsumer {
    /// The reference kinds sales keeps.
    static let kinds: Set<ReferenceKind> = [.salesCategories, .salesStages, .sources, .winReasons, .lossReasons]

    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case EventsSnapshot.resetType:
            try db.execute(
                sql: "DELETE FROM process; DELETE FROM process_status; DELETE FROM reference; DELETE FROM budget; DELETE FROM user")
            try db.execute(sql: "DELETE FROM setting")
        case SettingsContract.Event.processCreated, SettingsContract.Event.processUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let process = try change.after?.decode(CRMProcess.self) else { return }
            try store(process, db, outbox, replacements: replacements(change.details))
        case SettingsContract.Event.processDeleted:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let id = change.id else { return }
            try db.execute(sql: "DELETE FROM process_status WHERE process_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM process WHERE id = ?", arguments: [id])
            // Projects on it follow the default again; their deals keep their statuses until moved.
            try db.execute(sql: "UPDATE project SET process_id = NULL WHERE process_id = ?", arguments: [id])
        case SettingsContract.Event.referenceCreated, SettingsContract.Event.referenceUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let item = try change.after?.decode(ReferenceItem.self), kinds.contains(item.kind) else { return }
            try db.execute(
                sql: """
                    INSERT INTO reference (kind, id, name, active) VALUES (?, ?, ?, ?)
                    ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, active = excluded.active
                    """, arguments: [item.kind.rawValue, item.id, item.name, item.active])
        case SettingsContract.Event.referenceDeleted:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let kind = change.kind, let id = change.id else { return }
            try db.execute(sql: "DELETE FROM reference WHERE kind = ? AND id = ?", arguments: [kind, id])
        case SettingsContract.Event.budgetSet:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let budget = try change.after?.decode(SalesBudget.self) else { return }
            try db.execute(
                sql: """
                    INSERT INTO budget (id, user_id, period, amount, currency) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, period = excluded.period,
                        amount = excluded.amount, currency = excluded.currency
                    """, arguments: [budget.id, budget.userId, budget.period, budget.amount, budget.currency])
        case SettingsContract.Event.budgetDeleted:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let id = change.id else { return }
            try db.execute(sql: "DELETE FROM budget WHERE id = ?", arguments: [id])
        case SettingsContract.Event.userCreated, SettingsContract.Event.userUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let user = try change.after?.decode(User.self) else { return }
            try db.execute(
                sql: """
                    INSERT INTO user (id, name, boss, active, can_export) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, boss = excluded.boss, active = excluded.active,
                        can_export = excluded.can_export
                    """,
                arguments: [
                    user.id, user.name.isEmpty ? user.username : user.name, user.rank == .boss, user.active,
                    user.permissions.contains("export"),
                ])
        case SettingsContract.Event.configurationUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let section = change.kind, section == "visibility", let value = change.after else { return }
            try db.execute(
                sql: "INSERT INTO setting (section, value) VALUES (?, ?) ON CONFLICT(section) DO UPDATE SET value = excluded.value",
                arguments: [section, String(decoding: try JSONEncoder().encode(value), as: UTF8.self)])
        default:
            return
        }
    }

    /// `details.status_replacements`: removed status id (as text) to the status that takes its deals.
    static func replacements(_ details: [String: JSONValue]?) -> [Int64: Int64] {
        guard case .object(let map)? = details?["status_replacements"] else { return [:] }
        var result: [Int64: Int64] = [:]
        for (key, value) in map {
            if let from = Int64(key), case .int(let to) = value { result[from] = to }
        }
        return result
    }

    static func store(_ process: CRMProcess, _ db: Database, _ outbox: Outbox, replacements: [Int64: Int64]) throws {
        let labels = { (list: [String]?) throws -> String? in try list.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        }
        if process.isDefault { try db.execute(sql: "UPDATE process SET is_default = 0") }
        try db.execute(
            sql: """
                INSERT INTO process (id, name, is_default, subject_labels, weight_labels) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, is_default = excluded.is_default,
                    subject_labels = excluded.subject_labels, weight_labels = excluded.weight_labels
                """,
            arguments: [
                process.id, process.name, process.isDefault, try labels(process.subjectLabels), try labels(process.weightLabels),
            ])
        let before = try Row.fetchAll(
            db, sql: "SELECT id, position FROM process_status WHERE process_id = ?", arguments: [process.id])
        try db.execute(sql: "DELETE FROM process_status WHERE process_id = ?", arguments: [process.id])
        for (position, status) in process.statuses.enumerated() {
            guard let id = status.id else { continue }
            try db.execute(
                sql: "INSERT INTO process_status (id, process_id, position, name, probability, final) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, process.id, position, status.name, status.probability, status.final])
        }
        // Deals whose status went: to the replacement, or the open status now at its place, or the first open one.
        let kept = Set(process.statuses.compactMap(\.id))
        let open = process.statuses.filter { $0.final == nil }.compactMap(\.id)
        for row in before {
            let removed: Int64 = row["id"]
            guard !kept.contains(removed) else { continue }
            let position: Int = row["position"]
            let target =
                replacements[removed].flatMap { kept.contains($0) ? $0 : nil }
                ?? (position < process.statuses.count && process.statuses[position].final == nil ? process.statuses[position].id : nil)
                ?? open.first
            guard let target else { continue }
            try DealStore.moveAll(db, outbox, fromStatus: removed, toStatus: target, actor: "settings")
        }
        // A probability that follows its status follows the status's new probability.
        for status in process.statuses where status.final == nil {
            guard let id = status.id else { continue }
            try DealStore.reweigh(db, statusId: id, probability: status.probability)
        }
    }
}

/// Contacts' customers (companies and contacts): name, owner and deletion, for the board's
/// owner filter, the cards' names, visibility and the unprocessed customers; GDPR scrubbing.
enum CustomersConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case EventsSnapshot.resetType:
            try db.execute(sql: "DELETE FROM customer")
        case ContactsContract.Event.created, ContactsContract.Event.updated, ContactsContract.Event.restored:
            let contact = try Wire.decode(ContactChanged.self, from: event.payload)
            let name = [contact.firstName, contact.lastName].filter { !$0.isEmpty }.joined(separator: " ")
            try set(db, kind: "contact", id: contact.contactId, name: name, owner: contact.ownerId, deleted: false)
            try db.execute(
                sql: "UPDATE customer SET consumer = ? WHERE kind = 'contact' AND id = ?",
                arguments: [contact.consumer ?? false, contact.contactId])
        case ContactsContract.Event.deleted:
            let deleted = try Wire.decode(ContactDeleted.self, from: event.payload)
            try db.execute(sql: "UPDATE customer SET deleted = 1 WHERE kind = 'contact' AND id = ?", arguments: [deleted.contactId])
        case ContactsContract.Event.companyCreated, ContactsContract.Event.companyUpdated, ContactsContract.Event.companyRestored:
            let company = try Wire.decode(CompanyChanged.self, from: event.payload).company
            try set(db, kind: "company", id: company.id, name: company.name, owner: company.ownerId, deleted: company.deletedAt != nil)
        case ContactsContract.Event.companyDeleted:
            let company = try Wire.decode(CompanyChanged.self, from: event.payload).company
            try db.execute(sql: "UPDATE customer SET deleted = 1 WHERE kind = 'company' AND id = ?", arguments: [company.id])
        case ContactsContract.Event.anonymized:
            let anonymized = try Wire.decode(ContactDeleted.self, from: event.payload)
            try DealStore.scrub(db, outbox, contactId: anonymized.contactId)
        default:
            return
        }
    }

    static func set(_ db: Database, kind: String, id: Int64, name: String, owner: Int64?, deleted: Bool) throws {
        let before = try Row.fetchOne(db, sql: "SELECT name, owner_id FROM customer WHERE kind = ? AND id = ?", arguments: [kind, id])
        try db.execute(
            sql: """
                INSERT INTO customer (kind, id, name, owner_id, deleted) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, owner_id = excluded.owner_id, deleted = excluded.deleted
                """, arguments: [kind, id, name, owner, deleted])
        let oldName: String? = before?["name"]
        let oldOwner: Int64? = before?["owner_id"]
        if before != nil, oldName != name || oldOwner != owner {
            try DealStore.customerChanged(db, kind: kind, id: id, name: name, owner: owner)
        }
    }
}
