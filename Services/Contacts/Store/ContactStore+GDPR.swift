import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// GDPR: anonymise a contact irreversibly, review contacts without activity, keep one that is
// still needed, and export everything held about one person.
extension ContactStore {
    /// Personal fields scrubbed when settings has not said otherwise (its default configuration).
    static let defaultAnonymizedFields: Set<String> = ["address", "bank_details", "birthday", "emails", "phones", "picture", "title"]

    /// Replaces the name (and the fields settings' GDPR configuration names) with nothing a
    /// person can be found by, scrubs personal values from the history, and publishes
    /// `contact.anonymized` so other services scrub their copies. Cannot be undone.
    func anonymize(id: Int64, headers: BusHeaders, requestId: String) async throws -> Data {
        guard headers.userId == nil || headers.isBoss else { throw BusError.forbidden("only a boss can anonymise a contact") }
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.anonymize) { db, outbox in
            guard var record = try ContactRecord.fetchOne(db, key: id) else { throw BusError.notFound("contact \(id) does not exist") }
            if record.anonymizedAt != nil { return try loadContact(db, id: id)! }
            let fields = try Self.gdprFields(db)
            let oldName = [record.firstName, record.lastName].filter { !$0.isEmpty }.joined(separator: " ")
            record.firstName = "Anonymous"
            record.lastName = "#\(id)"
            if fields.contains("title") { record.title = nil }
            if fields.contains("address") {
                record.address = nil
                record.city = nil
            }
            if fields.contains("birthday") { record.birthday = nil }
            if fields.contains("bank_details") { record.bankDetails = nil }
            if fields.contains("custom_fields") { record.customFields = nil }
            if fields.contains("picture") { record.pictureFileId = nil }
            let now = Date()
            record.anonymizedAt = now
            record.updatedAt = now
            try record.update(db)
            if fields.contains("phones") { try db.execute(sql: "DELETE FROM contact_phone WHERE contact_id = ?", arguments: [id]) }
            if fields.contains("emails") { try db.execute(sql: "DELETE FROM contact_email WHERE contact_id = ?", arguments: [id]) }
            if fields.contains("notes") {
                try db.execute(sql: "DELETE FROM note_search WHERE rowid IN (SELECT id FROM note WHERE contact_id = ?)", arguments: [id])
                try db.execute(sql: "DELETE FROM note WHERE contact_id = ?", arguments: [id])
            }
            // The history keeps what happened, not the personal values: before/after and summaries go.
            try db.execute(
                sql: """
                    UPDATE contact_history SET changes = NULL,
                        summary = CASE kind WHEN 'call' THEN 'Call' WHEN 'note' THEN 'Note' ELSE upper(substr(kind, 1, 1)) || substr(kind, 2) END
                    WHERE contact_id = ?
                    """, arguments: [id])
            // Companies' histories name the person where they were linked or unlinked.
            try db.execute(
                sql: """
                    UPDATE company_history SET summary = replace(summary, ?, ?)
                    WHERE kind IN ('linked', 'unlinked') AND company_id IN (SELECT company_id FROM contact_company WHERE contact_id = ?)
                    """,
                arguments: [oldName, "Anonymous #\(id)", id])
            let contact = try loadContact(db, id: id)!
            try SearchIndex.indexContact(db, contact)
            // The events already published keep the old names, numbers and note texts: rewritten
            // to what the contact is now, so no catch-up, replay or snapshot brings them back.
            let scrubbed = try Wire.encode(ContactChanged(contact: contact))
            try Outbox.rewrite(
                db, types: [ContactsContract.Event.created, ContactsContract.Event.updated, ContactsContract.Event.restored],
                key: "contact_id", ids: [id]
            ) { _, _ in scrubbed }
            if fields.contains("notes") {
                try Outbox.rewrite(
                    db,
                    types: [ContactsContract.Event.noteCreated, ContactsContract.Event.noteUpdated, ContactsContract.Event.noteDeleted],
                    key: "contact_id", ids: [id]
                ) { _, payload in
                    guard var note = try? Wire.decode(NoteChanged.self, from: payload) else { return nil }
                    note.text = nil
                    return try Wire.encode(note)
                }
            }
            try History.add(db, .contact(id), kind: "anonymized", actor: headers.actor, summary: "Anonymised", changes: nil)
            try outbox.append(db, type: ContactsContract.Event.anonymized, payload: ContactDeleted(contactId: id))
            return contact
        }
    }

    /// Contacts without activity for longer than settings' review period, oldest activity first.
    func gdprReview(limit requested: Int?, cursor: String?, headers: BusHeaders) async throws -> Page<Contact> {
        let limit = try History.pageSize(requested)
        return try await database.read { db in
            let access = try Access.of(headers, db)
            let days = try Self.gdprConfiguration(db)?.reviewAfterDays ?? 730
            let before = Date().addingTimeInterval(-Double(days) * 86400)
            var conditions = ["deleted_at IS NULL", "anonymized_at IS NULL", "last_activity_at < ?"]
            var arguments: [any DatabaseValueConvertible] = [DatabaseDate.string(before)]
            if let owner = access.ownerOnly {
                conditions.append("owner_id = ?")
                arguments.append(owner)
            }
            if let cursor = try Paging.cursor(cursor) {
                conditions.append("(last_activity_at, id) > (?, ?)")
                arguments += [cursor.key(0), cursor.id]
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, last_activity_at FROM contact WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY last_activity_at, id LIMIT \(limit + 1)
                    """, arguments: StatementArguments(arguments))
            let items = try rows.prefix(limit).compactMap { try loadContact(db, id: $0["id"]) }
            let next = rows.count > limit ? Cursor(id: rows[limit - 1]["id"], keys: [rows[limit - 1]["last_activity_at"]]).text : nil
            return Page(items: items, nextCursor: next)
        }
    }

    /// Marks a contact as reviewed and still needed.
    func touch(id: Int64, headers: BusHeaders, requestId: String) async throws -> Data {
        try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.touch) { db, _ in
            guard let record = try ContactRecord.fetchOne(db, key: id), record.deletedAt == nil,
                try Access.of(headers, db).sees(owner: record.ownerId)
            else { throw BusError.notFound("contact \(id) does not exist") }
            try History.add(db, .contact(id), kind: "reviewed", actor: headers.actor, summary: "Reviewed and kept", changes: nil)
            return try loadContact(db, id: id)!
        }
    }

    /// Everything held about one person, for a subject access request: the contact, its links,
    /// every note (private ones too), its whole history, and every call telephony logged with
    /// them, page after page until the last (no cap: an export that stops early is a wrong one).
    func exportPerson(id: Int64, headers: BusHeaders) async throws -> PersonExport {
        guard headers.userId == nil || headers.isBoss else { throw BusError.forbidden("only a boss can export a person's data") }
        var export = try await database.read { db in
            guard let contact = try loadContact(db, id: id) else { throw BusError.notFound("contact \(id) does not exist") }
            let links = try Self.links(db, contactId: id, companyId: nil)
            let notes = try Int64.fetchAll(db, sql: "SELECT id FROM note WHERE contact_id = ? ORDER BY id", arguments: [id])
                .compactMap { try Self.note(db, id: $0) }
            var history: [HistoryEntry] = []
            var cursor: String?
            repeat {
                let page = try History.page(
                    db, .contact(id), viewer: nil, kind: nil, from: nil, to: nil, limit: 200, cursor: cursor, everything: true)
                history += page.items
                cursor = page.nextCursor
            } while cursor != nil
            return PersonExport(exportedAt: Date(), contact: contact, companies: links, notes: notes, history: history)
        }
        var cursor: String?
        repeat {
            try Task.checkCancellation()
            let page = try await calls.page(contactId: id, cursor: cursor)
            export.calls += page.items
            // A source that repeats its cursor would loop for ever: refuse it instead.
            guard page.nextCursor == nil || page.nextCursor != cursor else {
                throw BusError.internal("telephony answered the same page twice while exporting contact \(id)")
            }
            cursor = page.nextCursor
        } while cursor != nil
        return export
    }

    static func gdprConfiguration(_ db: Database) throws -> GDPRConfiguration? {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE section = 'gdpr'") else { return nil }
        return try? Wire.decode(GDPRConfiguration.self, from: Data(text.utf8))
    }

    static func gdprFields(_ db: Database) throws -> Set<String> {
        try gdprConfiguration(db).map { Set($0.anonymizeFields) } ?? defaultAnonymizedFields
    }
}
