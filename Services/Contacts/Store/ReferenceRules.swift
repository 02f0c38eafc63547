import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// How contacts use the settings service's reference data (sources, roles, categories): which
/// ids a contact may be given, how many contacts use an item, and moving or clearing every use
/// of one. The items themselves are a local copy kept from settings' events.
enum ReferenceRules {
    /// Refuses ids that are not known items of the right kind, inactive, or (categories) that
    /// do not apply to contacts.
    static func check(_ db: Database, sourceId: Int64?, roleId: Int64?, categoryIds: [Int64]?) throws {
        if let sourceId { try checkItem(db, id: sourceId, kind: .sources, field: "source_id") }
        if let roleId { try checkItem(db, id: roleId, kind: .roles, field: "role_id") }
        for id in categoryIds ?? [] {
            let appliesTo = try checkItem(db, id: id, kind: .categories, field: "category_ids")
            guard appliesTo == "contact" || appliesTo == "both" else {
                throw BusError.invalid("category \(id) applies to companies, not contacts")
            }
        }
        if let categoryIds, Set(categoryIds).count != categoryIds.count { throw BusError.invalid("category_ids lists a category twice") }
    }

    @discardableResult
    private static func checkItem(_ db: Database, id: Int64, kind: ReferenceKind, field: String) throws -> String? {
        guard let row = try Row.fetchOne(db, sql: "SELECT kind, active, applies_to FROM reference_item WHERE id = ?", arguments: [id]),
            row["kind"] == kind.rawValue
        else {
            throw BusError.invalid("\(field): \(id) is not a known \(kind.itemName)")
        }
        guard row["active"] as Bool else { throw BusError.invalid("\(field): \(kind.itemName) \(id) is inactive") }
        return row["applies_to"]
    }

    /// Replaces a contact's categories (nil leaves them).
    static func replaceCategories(_ db: Database, contactId: Int64, _ ids: [Int64]?) throws {
        guard let ids else { return }
        try db.execute(sql: "DELETE FROM contact_category WHERE contact_id = ?", arguments: [contactId])
        for id in ids {
            try db.execute(sql: "INSERT INTO contact_category (contact_id, category_id) VALUES (?, ?)", arguments: [contactId, id])
        }
    }

    /// Names of the known items by id, for history entries.
    static func names(_ db: Database) throws -> [Int64: String] {
        Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, name FROM reference_item").map { ($0["id"], $0["name"]) })
    }

    /// The contacts (deleted ones too: a restore brings them back) that use an item.
    static func users(_ db: Database, kind: ReferenceKind, id: Int64) throws -> [Int64] {
        switch kind {
        case .sources: return try Int64.fetchAll(db, sql: "SELECT id FROM contact WHERE source_id = ?", arguments: [id])
        case .roles: return try Int64.fetchAll(db, sql: "SELECT id FROM contact WHERE role_id = ?", arguments: [id])
        case .categories:
            return try Int64.fetchAll(db, sql: "SELECT contact_id FROM contact_category WHERE category_id = ?", arguments: [id])
        default:
            // Industries and company statuses belong to companies, which this service does not hold yet.
            return []
        }
    }

    /// Moves every use of `from` to `to` (or clears it), with a history entry per contact and one
    /// event; answers how many contacts changed.
    static func move(_ db: Database, _ outbox: Outbox, kind: ReferenceKind, from: Int64, to: Int64?, actor: String?) throws -> Int {
        let ids = try users(db, kind: kind, id: from)
        guard !ids.isEmpty else { return 0 }
        let names = try names(db)
        let field: String
        switch kind {
        case .sources:
            field = "source"
            try db.execute(sql: "UPDATE contact SET source_id = ? WHERE source_id = ?", arguments: [to, from])
        case .roles:
            field = "role"
            try db.execute(sql: "UPDATE contact SET role_id = ? WHERE role_id = ?", arguments: [to, from])
        case .categories:
            field = "categories"
            if let to {
                try db.execute(
                    sql:
                        "INSERT OR IGNORE INTO contact_category (contact_id, category_id) SELECT contact_id, ? FROM contact_category WHERE category_id = ?",
                    arguments: [to, from])
            }
            try db.execute(sql: "DELETE FROM contact_category WHERE category_id = ?", arguments: [from])
        default:
            return 0
        }
        let before = names[from] ?? "#\(from)", after = to.map { names[$0] ?? "#\($0)" }
        let change = try Wire.encode([FieldChange(field: field, before: before, after: after)])
        let summary =
            after.map { "\(kind.itemName.capitalized) \(before) replaced by \($0)" } ?? "\(kind.itemName.capitalized) \(before) removed"
        let now = Date()
        for id in ids {
            try db.execute(sql: "UPDATE contact SET updated_at = ? WHERE id = ?", arguments: [now, id])
            try db.execute(
                sql: "INSERT INTO contact_history (contact_id, kind, at, actor, summary, changes) VALUES (?, 'updated', ?, ?, ?, ?)",
                arguments: [id, now, actor, summary, change])
        }
        try outbox.append(
            db, type: ContactsContract.Event.referenceMoved, payload: ReferenceMoved(kind: kind, from: from, to: to, count: ids.count))
        return ids.count
    }
}
