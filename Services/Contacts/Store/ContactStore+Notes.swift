import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Notes on companies and contacts. A private note is its author's alone: it is left out of
// every list, search and history entry anyone else reads.
extension ContactStore {
    func createNote(_ request: CreateNoteRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let text = try Self.checkNoteText(request.text)
        let isPrivate = request.private ?? false
        if isPrivate && headers.userId == nil { throw BusError.invalid("a private note needs a signed-in author") }
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.createNote) { db, outbox in
            let subject = try Self.recordSubject(db, headers: headers, contactId: request.contactId, companyId: request.companyId)
            return try Self.insertNote(db, outbox, subject: subject, text: text, private: isPrivate, headers: headers)
        }
    }

    /// Writes a checked note with its search row, history entry and event (a note made on a
    /// card, or one an import brings in).
    static func insertNote(
        _ db: Database, _ outbox: Outbox, subject: History.Subject, text: String, private isPrivate: Bool, headers: BusHeaders,
        at now: Date = Date()
    ) throws -> Note {
        var contactId: Int64?, companyId: Int64?
        switch subject {
        case .contact(let id): contactId = id
        case .company(let id): companyId = id
        }
        try db.execute(
            sql: """
                INSERT INTO note (contact_id, company_id, author_id, author, text, private, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                contactId, companyId, headers.userId, headers.actor, text, isPrivate, DatabaseDate.string(now), DatabaseDate.string(now),
            ])
        let note = try Self.note(db, id: db.lastInsertedRowID)!
        try Self.indexNote(db, note)
        try History.add(
            db, subject, kind: "note", actor: headers.actor, summary: (isPrivate ? "Private note: " : "Note: ") + Self.excerpt(text),
            changes: nil, visibleTo: isPrivate ? headers.userId : nil)
        try outbox.append(db, type: ContactsContract.Event.noteCreated, payload: NoteChanged(note))
        return note
    }

    func updateNote(_ request: UpdateNoteRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let text = try request.text.map(Self.checkNoteText)
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.updateNote) { db, outbox in
            var note = try Self.editableNote(db, id: request.id, headers: headers)
            if let text { note.text = text }
            if let isPrivate = request.private {
                if isPrivate && note.authorId != headers.userId { throw BusError.forbidden("only its author can make a note private") }
                note.private = isPrivate
            }
            note.updatedAt = Date()
            try db.execute(
                sql: "UPDATE note SET text = ?, private = ?, updated_at = ? WHERE id = ?",
                arguments: [note.text, note.private, note.updatedAt, note.id])
            try Self.indexNote(db, note)
            try outbox.append(db, type: ContactsContract.Event.noteUpdated, payload: NoteChanged(note))
            return note
        }
    }

    func deleteNote(id: Int64, headers: BusHeaders, requestId: String) async throws -> Data {
        try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.deleteNote) { db, outbox in
            let note = try Self.editableNote(db, id: id, headers: headers)
            try db.execute(sql: "DELETE FROM note WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM note_search WHERE rowid = ?", arguments: [id])
            let subject: History.Subject = note.contactId.map { .contact($0) } ?? .company(note.companyId!)
            try History.add(
                db, subject, kind: "note_deleted", actor: headers.actor, summary: "Note deleted", changes: nil,
                visibleTo: note.private ? note.authorId : nil)
            try outbox.append(db, type: ContactsContract.Event.noteDeleted, payload: NoteChanged(note))
            return Done()
        }
    }

    func notes(_ request: ListNotesRequest, headers: BusHeaders) async throws -> Page<Note> {
        let limit = try History.pageSize(request.limit)
        let search = request.q?.trimmed.nilIfEmpty
        if request.contactId == nil && request.companyId == nil && search == nil {
            throw BusError.badRequest("name a contact_id or a company_id, or search with q")
        }
        return try await database.read { db in
            let access = try Access.of(headers, db)
            var conditions = ["(n.private = 0 OR n.author_id = ?)"]
            var arguments: [any DatabaseValueConvertible] = [access.userId ?? -1]
            if request.contactId != nil || request.companyId != nil {
                _ = try Self.recordSubject(
                    db, headers: headers, contactId: request.contactId, companyId: request.companyId, allowDeleted: true)
            }
            if let id = request.contactId {
                conditions.append("n.contact_id = ?")
                arguments.append(id)
            }
            if let id = request.companyId {
                conditions.append("n.company_id = ?")
                arguments.append(id)
            }
            if let search {
                if search.count >= 3 {
                    conditions.append("n.id IN (SELECT rowid FROM note_search WHERE note_search MATCH ?)")
                    arguments.append(SearchIndex.phrase(search))
                } else {
                    conditions.append("n.text LIKE ? ESCAPE '\\'")
                    arguments.append(Self.likePattern(search))
                }
            }
            if let owner = access.ownerOnly {
                // Notes on records the caller may not see stay out of a search.
                conditions.append(
                    "(EXISTS (SELECT 1 FROM contact c WHERE c.id = n.contact_id AND c.owner_id = ?) OR EXISTS (SELECT 1 FROM company k WHERE k.id = n.company_id AND k.owner_id = ?))"
                )
                arguments += [owner, owner]
            }
            if let value = try Paging.idCursor(request.cursor) {
                conditions.append("n.id < ?")
                arguments.append(value)
            }
            let ids = try Int64.fetchAll(
                db, sql: "SELECT n.id FROM note n WHERE \(conditions.joined(separator: " AND ")) ORDER BY n.id DESC LIMIT \(limit + 1)",
                arguments: StatementArguments(arguments))
            let items = try ids.prefix(limit).compactMap { try Self.note(db, id: $0) }
            return Page(items: items, nextCursor: ids.count > limit ? items.last.map { String($0.id) } : nil)
        }
    }

    // MARK: - Helpers

    static let noteLimit = 20_000

    static func checkNoteText(_ raw: String) throws -> String {
        guard let text = raw.trimmed.nilIfEmpty, text.count <= noteLimit else {
            throw BusError.invalid("a note needs text, up to 20,000 characters")
        }
        return text
    }

    private static func excerpt(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.count > 80 ? String(line.prefix(79)) + "…" : line
    }

    /// The contact or company a note belongs to, if the caller may see it.
    static func recordSubject(
        _ db: Database, headers: BusHeaders, contactId: Int64?, companyId: Int64?, allowDeleted: Bool = false
    ) throws -> History.Subject {
        let access = try Access.of(headers, db)
        switch (contactId, companyId) {
        case (let id?, nil):
            guard let record = try ContactRecord.fetchOne(db, key: id), allowDeleted || record.deletedAt == nil,
                access.sees(owner: record.ownerId)
            else { throw BusError.notFound("contact \(id) does not exist") }
            return .contact(id)
        case (nil, let id?):
            guard let record = try CompanyRecord.fetchOne(db, key: id), allowDeleted || record.deletedAt == nil,
                access.sees(owner: record.ownerId)
            else { throw BusError.notFound("company \(id) does not exist") }
            return .company(id)
        default:
            throw BusError.badRequest("a note belongs to a contact_id or a company_id, one of them")
        }
    }

    /// A note the caller may change: its author's, or (shared) a boss's. A private note of
    /// someone else does not exist for the caller.
    private static func editableNote(_ db: Database, id: Int64, headers: BusHeaders) throws -> Note {
        guard let note = try note(db, id: id), !note.private || note.authorId == headers.userId else {
            throw BusError.notFound("note \(id) does not exist")
        }
        _ = try recordSubject(db, headers: headers, contactId: note.contactId, companyId: note.companyId, allowDeleted: true)
        let isAuthor = note.authorId != nil && note.authorId == headers.userId
        guard isAuthor || headers.isBoss || headers.userId == nil else {
            throw BusError.forbidden("only the note's author or a boss can change it")
        }
        return note
    }

    static func note(_ db: Database, id: Int64) throws -> Note? {
        try Row.fetchOne(db, sql: "SELECT * FROM note WHERE id = ?", arguments: [id]).map { row in
            Note(
                id: row["id"], contactId: row["contact_id"], companyId: row["company_id"], authorId: row["author_id"],
                author: row["author"],
                text: row["text"], private: row["private"], createdAt: row["created_at"], updatedAt: row["updated_at"])
        }
    }

    private static func indexNote(_ db: Database, _ note: Note) throws {
        try db.execute(sql: "DELETE FROM note_search WHERE rowid = ?", arguments: [note.id])
        try db.execute(sql: "INSERT INTO note_search (rowid, text) VALUES (?, ?)", arguments: [note.id, note.text])
    }
}
