import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// The history timelines of contacts and companies: every change field by field, plus entries
/// from other services' events (calls now). Newest first, filtered by kind and period, paged.
enum History {
    enum Subject {
        case contact(Int64)
        case company(Int64)

        var table: String {
            switch self {
            case .contact: return "contact_history"
            case .company: return "company_history"
            }
        }
        var column: String {
            switch self {
            case .contact: return "contact_id"
            case .company: return "company_id"
            }
        }
        var id: Int64 {
            switch self {
            case .contact(let id), .company(let id): return id
            }
        }
    }

    /// Adds an entry; with `visibleTo`, only that user sees it (the history of a private note).
    /// `touch: false` when the caller set the contact's activity time itself (an import), `at`
    /// (`DatabaseDate.string`) when it has the time at hand for many entries.
    static func add(
        _ db: Database, _ subject: Subject, kind: String, actor: String?, summary: String, changes: [FieldChange]?,
        visibleTo: Int64? = nil, touch: Bool = true, at: String? = nil
    ) throws {
        try db.cachedStatement(
            sql:
                "INSERT INTO \(subject.table) (\(subject.column), kind, at, actor, summary, changes, visible_to) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).run(
            .integer(subject.id), .text(kind), .text(at ?? DatabaseDate.string(Date())), .text(actor), .text(summary),
            try changes.map { .blob(try Wire.encode($0)) } ?? .null, .integer(visibleTo))
        if touch, case .contact(let id) = subject { try Self.touch(db, contactId: id) }
    }

    /// Anything in a contact's history is activity: it resets the GDPR review clock.
    static func touch(_ db: Database, contactId: Int64, at: Date = Date()) throws {
        try db.cachedStatement(sql: "UPDATE contact SET last_activity_at = ? WHERE id = ?").execute(arguments: [
            DatabaseDate.string(at), contactId,
        ])
    }

    static func page(
        _ db: Database, _ subject: Subject, viewer: Int64?, kind: String?, from: Date?, to: Date?, limit requested: Int?,
        cursor: String?, everything: Bool = false
    ) throws -> Page<HistoryEntry> {
        let limit = try pageSize(requested)
        var conditions = ["\(subject.column) = ?"]
        var arguments: [any DatabaseValueConvertible] = [subject.id]
        if !everything {
            conditions.append("(visible_to IS NULL OR visible_to = ?)")
            arguments.append(viewer ?? -1)
        }
        if let value = try Paging.idCursor(cursor) {
            conditions.append("id < ?")
            arguments.append(value)
        }
        if let kind {
            conditions.append("kind = ?")
            arguments.append(kind)
        }
        if let from {
            conditions.append("at >= ?")
            arguments.append(DatabaseDate.string(from))
        }
        if let to {
            conditions.append("at < ?")
            arguments.append(DatabaseDate.string(to))
        }
        let callColumn = subject.table == "contact_history" ? "call_id" : "NULL AS call_id"
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, \(subject.column) AS owner, kind, at, actor, summary, changes, \(callColumn) FROM \(subject.table)
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT \(limit + 1)
                """,
            arguments: StatementArguments(arguments))
        let items = rows.prefix(limit).map { row in
            var entry = HistoryEntry(
                id: row["id"], contactId: nil, kind: row["kind"], at: row["at"], actor: row["actor"], summary: row["summary"],
                changes: (row["changes"] as Data?).flatMap { try? Wire.decode([FieldChange].self, from: $0) }, callId: row["call_id"])
            switch subject {
            case .contact(let id): entry.contactId = id
            case .company(let id): entry.companyId = id
            }
            return entry
        }
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last.map { String($0.id) } : nil)
    }

    static func pageSize(_ requested: Int?) throws -> Int { try Paging.limit(requested, max: ContactsContract.maxPageSize) }
}
