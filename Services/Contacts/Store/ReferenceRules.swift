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
                throw BusError.conflict("category \(id) applies to companies, not contacts")
            }
        }
        if let categoryIds, Set(categoryIds).count != categoryIds.count { throw BusError.invalid("category_ids lists a category twice") }
    }

    /// The same for a company: status, industry, source, categories that apply to companies.
    static func checkCompany(_ db: Database, statusId: Int64?, industryId: Int64?, sourceId: Int64?, categoryIds: [Int64]?) throws {
        if let statusId { try checkItem(db, id: statusId, kind: .companyStatuses, field: "status_id") }
        if let industryId { try checkItem(db, id: industryId, kind: .industries, field: "industry_id") }
        if let sourceId { try checkItem(db, id: sourceId, kind: .sources, field: "source_id") }
        for id in categoryIds ?? [] {
            let appliesTo = try checkItem(db, id: id, kind: .categories, field: "category_ids")
            guard appliesTo == "company" || appliesTo == "both" else {
                throw BusError.conflict("category \(id) applies to contacts, not companies")
            }
        }
        if let categoryIds, Set(categoryIds).count != categoryIds.count { throw BusError.invalid("category_ids lists a category twice") }
    }

    @discardableResult
    private static func checkItem(_ db: Database, id: Int64, kind: ReferenceKind, field: String) throws -> String? {
        guard let row = try Row.fetchOne(db, sql: "SELECT kind, active, applies_to FROM reference_item WHERE id = ?", arguments: [id]),
            row["kind"] == kind.rawValue
        else {
            throw BusError.conflict("\(field): \(id) is not a known \(kind.itemName)")
        }
        guard row["active"] as Bool else { throw BusError.conflict("\(field): \(kind.itemName) \(id) is inactive") }
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

    /// Where each kind is used: (table, history subject, SQL for the ids that use it, SQL to move, SQL to clear).
    private struct Use {
        let subject: (Int64) -> History.Subject
        let field: String
        let users: String
        let move: String
        let clear: String
    }

    private static func uses(_ kind: ReferenceKind) -> [Use] {
        func column(_ table: String, _ column: String, _ subject: @escaping (Int64) -> History.Subject, _ field: String) -> Use {
            Use(
                subject: subject, field: field, users: "SELECT id FROM \(table) WHERE \(column) = ?",
                move: "UPDATE \(table) SET \(column) = ? WHERE \(column) = ?",
                clear: "UPDATE \(table) SET \(column) = NULL WHERE \(column) = ?")
        }
        func categories(_ table: String, _ owner: String, _ subject: @escaping (Int64) -> History.Subject) -> Use {
            Use(
                subject: subject, field: "categories", users: "SELECT \(owner) FROM \(table) WHERE category_id = ?",
                move: "INSERT OR IGNORE INTO \(table) (\(owner), category_id) SELECT \(owner), ? FROM \(table) WHERE category_id = ?",
                clear: "DELETE FROM \(table) WHERE category_id = ?")
        }
        switch kind {
        case .sources:
            return [
                column("contact", "source_id", History.Subject.contact, "source"),
                column("company", "source_id", History.Subject.company, "source"),
            ]
        case .roles:
            return [
                column("contact", "role_id", History.Subject.contact, "role"),
                Use(
                    subject: History.Subject.contact, field: "role at a company",
                    users: "SELECT contact_id FROM contact_company WHERE role_id = ?",
                    move: "UPDATE contact_company SET role_id = ? WHERE role_id = ?",
                    clear: "UPDATE contact_company SET role_id = NULL WHERE role_id = ?"),
            ]
        case .categories:
            return [
                categories("contact_category", "contact_id", History.Subject.contact),
                categories("company_category", "company_id", History.Subject.company),
            ]
        case .industries: return [column("company", "industry_id", History.Subject.company, "industry")]
        case .companyStatuses: return [column("company", "status_id", History.Subject.company, "status")]
        default: return []
        }
    }

    /// How many records (contacts and companies, deleted ones too: a restore brings them back) use an item.
    static func count(_ db: Database, kind: ReferenceKind, id: Int64) throws -> Int {
        try uses(kind).reduce(0) { total, use in total + (try Int64.fetchAll(db, sql: use.users, arguments: [id]).count) }
    }

    /// Moves every use of `from` to `to` (or clears it), with a history entry per record and one
    /// event; answers how many records changed.
    static func move(_ db: Database, _ outbox: Outbox, kind: ReferenceKind, from: Int64, to: Int64?, actor: String?) throws -> Int {
        let names = try names(db)
        let before = names[from] ?? "#\(from)", after = to.map { names[$0] ?? "#\($0)" }
        let summary =
            after.map { "\(kind.itemName.capitalized) \(before) replaced by \($0)" } ?? "\(kind.itemName.capitalized) \(before) removed"
        let now = Date()
        var total = 0
        for use in uses(kind) {
            let ids = Array(Set(try Int64.fetchAll(db, sql: use.users, arguments: [from])))
            guard !ids.isEmpty else { continue }
            if let to {
                try db.execute(sql: use.move, arguments: [to, from])
                if use.field == "categories" { try db.execute(sql: use.clear, arguments: [from]) }
            } else {
                try db.execute(sql: use.clear, arguments: [from])
            }
            let change = [FieldChange(field: use.field, before: before, after: after)]
            for id in ids {
                let subject = use.subject(id)
                let table = subject.table == "contact_history" ? "contact" : "company"
                try db.execute(sql: "UPDATE \(table) SET updated_at = ? WHERE id = ?", arguments: [DatabaseDate.string(now), id])
                try History.add(db, subject, kind: "updated", actor: actor, summary: summary, changes: change)
            }
            total += ids.count
        }
        if total > 0 {
            try outbox.append(
                db, type: ContactsContract.Event.referenceMoved, payload: ReferenceMoved(kind: kind, from: from, to: to, count: total))
        }
        return total
    }
}
