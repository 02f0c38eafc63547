import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// The contacts service's data: contacts with their phones and e-mails, and their history.
/// Every change writes its history entry and its event in the same transaction.
struct ContactStore: Sendable {
    let database: ServiceDatabase
    let phones: PhoneNormalizer

    // MARK: - Writes

    func create(_ request: CreateContactRequest, actor: String?, requestId: String) async throws -> Data {
        let input = try validate(
            firstName: request.firstName ?? "", lastName: request.lastName ?? "",
            phones: request.phones ?? [], emails: request.emails ?? [])
        let title = request.title?.trimmed.nilIfEmpty
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.create) { db, outbox in
            let now = Date()
            try ReferenceRules.check(db, sourceId: request.sourceId, roleId: request.roleId, categoryIds: request.categoryIds)
            var record = ContactRecord(
                id: nil, firstName: input.firstName, lastName: input.lastName, title: title,
                sourceId: request.sourceId, roleId: request.roleId, createdAt: now, updatedAt: now, deletedAt: nil)
            try record.insert(db)
            let id = record.id!
            try replaceChildren(db, contactId: id, phones: input.phones, emails: input.emails)
            try ReferenceRules.replaceCategories(db, contactId: id, request.categoryIds)
            let contact = try loadContact(db, id: id)!
            try addHistory(
                db, contactId: id, kind: "created", actor: actor,
                summary: "Contact \(contact.displayName) created", changes: nil)
            try outbox.append(db, type: ContactsContract.Event.created, payload: ContactChanged(contact: contact))
            return try Wire.encode(contact)
        }
    }

    func update(_ request: UpdateContactRequest, actor: String?, requestId: String) async throws -> Data {
        let phoneInput = try request.phones.map { try normalisePhones($0) }
        let emailInput = try request.emails.map { try normaliseEmails($0) }
        if let first = request.firstName, let last = request.lastName, first.trimmed.isEmpty, last.trimmed.isEmpty {
            throw BusError.invalid("a contact needs a first or a last name")
        }
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.update) { db, outbox in
            guard var record = try ContactRecord.fetchOne(db, key: request.id), record.deletedAt == nil,
                let before = try loadContact(db, id: request.id)
            else {
                throw BusError.notFound("contact \(request.id) does not exist")
            }
            if let value = request.firstName { record.firstName = value.trimmed }
            if let value = request.lastName { record.lastName = value.trimmed }
            if let value = request.title { record.title = value.trimmed.nilIfEmpty }
            let sourceId = request.sourceId.map { $0 == 0 ? nil : $0 }, roleId = request.roleId.map { $0 == 0 ? nil : $0 }
            try ReferenceRules.check(db, sourceId: sourceId ?? nil, roleId: roleId ?? nil, categoryIds: request.categoryIds)
            if let sourceId { record.sourceId = sourceId }
            if let roleId { record.roleId = roleId }
            if record.firstName.isEmpty && record.lastName.isEmpty {
                throw BusError.invalid("a contact needs a first or a last name")
            }
            record.updatedAt = Date()
            try record.update(db)
            try replaceChildren(db, contactId: request.id, phones: phoneInput, emails: emailInput)
            try ReferenceRules.replaceCategories(db, contactId: request.id, request.categoryIds)
            let after = try loadContact(db, id: request.id)!
            let changes = try Self.diff(before, after, names: ReferenceRules.names(db))
            if !changes.isEmpty {
                try addHistory(
                    db, contactId: request.id, kind: "updated", actor: actor,
                    summary: "Changed " + changes.map(\.field).joined(separator: ", "), changes: changes)
                try outbox.append(db, type: ContactsContract.Event.updated, payload: ContactChanged(contact: after, changes: changes))
            }
            return try Wire.encode(after)
        }
    }

    func delete(id: Int64, actor: String?, requestId: String) async throws -> Data {
        try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.delete) { db, outbox in
            guard var record = try ContactRecord.fetchOne(db, key: id) else {
                throw BusError.notFound("contact \(id) does not exist")
            }
            if record.deletedAt == nil {
                record.deletedAt = Date()
                record.updatedAt = record.deletedAt!
                try record.update(db)
                try addHistory(db, contactId: id, kind: "deleted", actor: actor, summary: "Contact deleted", changes: nil)
                try outbox.append(db, type: ContactsContract.Event.deleted, payload: ContactDeleted(contactId: id))
            }
            return try Wire.encode(try loadContact(db, id: id)!)
        }
    }

    /// Moves or clears every use of a reference item, in one transaction (settings asks, when
    /// an item is deleted with a replacement, or for "move customers").
    func moveReference(_ request: ReferenceMoveRequest, actor: String?, requestId: String) async throws -> Data {
        try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.referenceMove) { db, outbox in
            if let to = request.to {
                guard
                    try Row.fetchOne(
                        db, sql: "SELECT 1 FROM reference_item WHERE id = ? AND kind = ?", arguments: [to, request.kind.rawValue]) != nil
                else { throw BusError.invalid("\(request.kind.itemName) \(to) is not known to the contacts service (yet)") }
            }
            let count = try ReferenceRules.move(db, outbox, kind: request.kind, from: request.from, to: request.to, actor: actor)
            return try Wire.encode(ReferenceCount(count: count))
        }
    }

    // MARK: - Reads

    func referenceUsage(kind: ReferenceKind, id: Int64) async throws -> ReferenceCount {
        ReferenceCount(count: try await database.read { db in try ReferenceRules.users(db, kind: kind, id: id).count })
    }

    func get(id: Int64) async throws -> Contact {
        guard let contact = try await database.read({ db in try loadContact(db, id: id) }) else {
            throw BusError.notFound("contact \(id) does not exist")
        }
        return contact
    }

    func list(_ request: ListContactsRequest) async throws -> Page<Contact> {
        let limit = try pageSize(request.limit)
        let cursor = try request.cursor.map { try decodeCursor($0) }
        let e164 = request.q.flatMap { phones.e164($0) }
        return try await database.read { db in
            var sql = "SELECT id FROM contact c WHERE 1 = 1"
            var arguments: [any DatabaseValueConvertible] = []
            if request.includeDeleted != true { sql += " AND c.deleted_at IS NULL" }
            if let cursor {
                sql += " AND c.id < ?"
                arguments.append(cursor)
            }
            if let q = request.q?.trimmed.nilIfEmpty {
                let pattern =
                    "%"
                    + q.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
                sql += """
                     AND (c.first_name || ' ' || c.last_name LIKE ? ESCAPE '\\'
                       OR EXISTS (SELECT 1 FROM contact_email e WHERE e.contact_id = c.id AND e.address LIKE ? ESCAPE '\\')
                       OR EXISTS (SELECT 1 FROM contact_phone p WHERE p.contact_id = c.id AND (p.number LIKE ? ESCAPE '\\' OR p.e164 = ?)))
                    """
                arguments += [pattern, pattern, pattern, e164 ?? ""]
            }
            sql += " ORDER BY c.id DESC LIMIT ?"
            arguments.append(limit + 1)
            let ids = try Int64.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
            let items = try ids.prefix(limit).compactMap { try loadContact(db, id: $0) }
            let next = ids.count > limit ? items.last.map { String($0.id) } : nil
            return Page(items: items, nextCursor: next)
        }
    }

    func history(_ request: HistoryRequest) async throws -> Page<HistoryEntry> {
        let limit = try pageSize(request.limit)
        let cursor = try request.cursor.map { try decodeCursor($0) }
        return try await database.read { db in
            guard try ContactRecord.fetchOne(db, key: request.contactId) != nil else {
                throw BusError.notFound("contact \(request.contactId) does not exist")
            }
            var query = HistoryRecord.filter(HistoryRecord.Columns.contactId == request.contactId)
            if let cursor { query = query.filter(HistoryRecord.Columns.id < cursor) }
            if let kind = request.kind { query = query.filter(HistoryRecord.Columns.kind == kind) }
            let rows = try query.order(HistoryRecord.Columns.id.desc).limit(limit + 1).fetchAll(db)
            let items = rows.prefix(limit).map { row in
                HistoryEntry(
                    id: row.id!, contactId: row.contactId, kind: row.kind, at: row.at, actor: row.actor,
                    summary: row.summary,
                    changes: row.changes.flatMap { try? Wire.decode([FieldChange].self, from: $0) },
                    callId: row.callId)
            }
            return Page(items: Array(items), nextCursor: rows.count > limit ? items.last.map { String($0.id) } : nil)
        }
    }

    // MARK: - Helpers

    private struct ValidInput: Sendable {
        var firstName: String
        var lastName: String
        var phones: [ContactPhone]
        var emails: [ContactEmail]
    }

    private func validate(firstName: String, lastName: String, phones: [PhoneInput], emails: [EmailInput]) throws -> ValidInput {
        let first = firstName.trimmed, last = lastName.trimmed
        guard !(first.isEmpty && last.isEmpty) else { throw BusError.invalid("a contact needs a first or a last name") }
        guard first.count <= 200, last.count <= 200 else { throw BusError.invalid("names are limited to 200 characters") }
        return ValidInput(firstName: first, lastName: last, phones: try normalisePhones(phones), emails: try normaliseEmails(emails))
    }

    private func normalisePhones(_ input: [PhoneInput]) throws -> [ContactPhone] {
        guard input.count <= 20 else { throw BusError.invalid("a contact has at most 20 phone numbers") }
        return try input.enumerated().map { index, phone in
            let number = phone.number.trimmed
            guard !number.isEmpty, number.count <= 64 else {
                throw BusError.invalid("phones[\(index)]: the number is empty or longer than 64 characters")
            }
            let kind = (phone.kind ?? "mobile").lowercased()
            guard ["mobile", "work", "home", "fax", "other"].contains(kind) else {
                throw BusError.invalid("phones[\(index)]: kind '\(kind)' is not mobile, work, home, fax or other")
            }
            return ContactPhone(number: number, e164: phones.e164(number), kind: kind)
        }
    }

    private func normaliseEmails(_ input: [EmailInput]) throws -> [ContactEmail] {
        guard input.count <= 20 else { throw BusError.invalid("a contact has at most 20 e-mail addresses") }
        return try input.enumerated().map { index, email in
            let address = email.address.trimmed
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !address.contains(" "), address.count <= 254 else {
                throw BusError.invalid("emails[\(index)]: '\(address)' is not an e-mail address")
            }
            let kind = (email.kind ?? "work").lowercased()
            guard ["work", "home", "other"].contains(kind) else {
                throw BusError.invalid("emails[\(index)]: kind '\(kind)' is not work, home or other")
            }
            return ContactEmail(address: address, kind: kind)
        }
    }

    private func replaceChildren(_ db: Database, contactId: Int64, phones: [ContactPhone]?, emails: [ContactEmail]?) throws {
        if let phones {
            try PhoneRecord.filter(PhoneRecord.Columns.contactId == contactId).deleteAll(db)
            for (position, phone) in phones.enumerated() {
                try PhoneRecord(
                    contactId: contactId, position: position, number: phone.number, e164: phone.e164,
                    kind: phone.kind
                ).insert(db)
            }
        }
        if let emails {
            try EmailRecord.filter(EmailRecord.Columns.contactId == contactId).deleteAll(db)
            for (position, email) in emails.enumerated() {
                try EmailRecord(contactId: contactId, position: position, address: email.address, kind: email.kind).insert(db)
            }
        }
    }

    private func addHistory(
        _ db: Database, contactId: Int64, kind: String, actor: String?, summary: String,
        changes: [FieldChange]?
    ) throws {
        var entry = HistoryRecord(
            id: nil, contactId: contactId, kind: kind, at: Date(), actor: actor, summary: summary,
            changes: try changes.map { try Wire.encode($0) }, callId: nil, ref: nil)
        try entry.insert(db)
    }

    private func pageSize(_ requested: Int?) throws -> Int {
        let limit = requested ?? 50
        guard (1...ContactsContract.maxPageSize).contains(limit) else {
            throw BusError.invalid("limit must be between 1 and \(ContactsContract.maxPageSize)")
        }
        return limit
    }

    private func decodeCursor(_ cursor: String) throws -> Int64 {
        guard let value = Int64(cursor), value > 0 else { throw BusError.invalid("cursor '\(cursor)' is not one this API gave out") }
        return value
    }

    static func diff(_ before: Contact, _ after: Contact, names: [Int64: String] = [:]) -> [FieldChange] {
        var changes: [FieldChange] = []
        func compare(_ field: String, _ old: String?, _ new: String?) {
            if old != new { changes.append(FieldChange(field: field, before: old, after: new)) }
        }
        compare("first_name", before.firstName, after.firstName)
        compare("last_name", before.lastName, after.lastName)
        compare("title", before.title, after.title)
        compare("phones", before.phones.map(\.number).joined(separator: ", "), after.phones.map(\.number).joined(separator: ", "))
        compare("emails", before.emails.map(\.address).joined(separator: ", "), after.emails.map(\.address).joined(separator: ", "))
        func name(_ id: Int64?) -> String? { id.map { names[$0] ?? "#\($0)" } }
        compare("source", name(before.sourceId), name(after.sourceId))
        compare("role", name(before.roleId), name(after.roleId))
        compare(
            "categories", before.categoryIds.compactMap(name).joined(separator: ", ").nilIfEmpty,
            after.categoryIds.compactMap(name).joined(separator: ", ").nilIfEmpty)
        return changes
    }
}

/// Reads one contact with its phones and e-mails.
func loadContact(_ db: Database, id: Int64) throws -> Contact? {
    guard let record = try ContactRecord.fetchOne(db, key: id) else { return nil }
    let phones = try PhoneRecord.filter(PhoneRecord.Columns.contactId == id).order(PhoneRecord.Columns.position).fetchAll(db)
    let emails = try EmailRecord.filter(EmailRecord.Columns.contactId == id).order(EmailRecord.Columns.position).fetchAll(db)
    return Contact(
        id: id, firstName: record.firstName, lastName: record.lastName, title: record.title,
        phones: phones.map { ContactPhone(number: $0.number, e164: $0.e164, kind: $0.kind) },
        emails: emails.map { ContactEmail(address: $0.address, kind: $0.kind) },
        sourceId: record.sourceId, roleId: record.roleId,
        categoryIds: try Int64.fetchAll(
            db, sql: "SELECT category_id FROM contact_category WHERE contact_id = ? ORDER BY category_id", arguments: [id]),
        createdAt: record.createdAt, updatedAt: record.updatedAt, deletedAt: record.deletedAt)
}

extension Contact {
    var displayName: String { [firstName, lastName].filter { !$0.isEmpty }.joined(separator: " ") }
}
