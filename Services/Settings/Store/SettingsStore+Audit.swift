import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

extension SettingsStore {
    /// Records one change: an audit entry (who, when, before, after) and the event other services
    /// follow, both in the caller's transaction, so neither exists without the change.
    static func recordChange(
        _ db: Database, _ outbox: Outbox, event: String, entity: String, kind: String? = nil, id: Int64?,
        actor: String?, before: JSONValue?, after: JSONValue?, details: [String: JSONValue]? = nil
    ) throws {
        let action = String(event.split(separator: ".").last ?? Substring(event))
        try db.execute(
            sql: """
                INSERT INTO audit (at, actor, action, entity, kind, entity_id, before, after)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                DatabaseDate.string(Date()), actor, action, entity, kind, id,
                try before.map { String(decoding: try Wire.encode($0), as: UTF8.self) },
                try after.map { String(decoding: try Wire.encode($0), as: UTF8.self) },
            ])
        try outbox.append(
            db, type: event,
            payload: SettingsChange(entity: entity, kind: kind, id: id, actor: actor, before: before, after: after, details: details))
    }

    /// The audit trail, newest first.
    func audit(_ request: ListAuditRequest) async throws -> Page<AuditEntry> {
        let limit = Self.pageSize(request.limit)
        let cursor = try Paging.idCursor(request.cursor)
        return try await database.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let cursor {
                conditions.append("id < ?")
                _ = arguments.append(contentsOf: [cursor])
            }
            if let entity = request.entity {
                conditions.append("entity = ?")
                _ = arguments.append(contentsOf: [entity])
            }
            if let id = request.entityId {
                conditions.append("entity_id = ?")
                _ = arguments.append(contentsOf: [id])
            }
            if let actor = request.actor {
                conditions.append("actor = ?")
                _ = arguments.append(contentsOf: [actor])
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM audit \(filter) ORDER BY id DESC LIMIT \(limit + 1)", arguments: arguments)
            let entries = try rows.prefix(limit).map { row -> AuditEntry in
                func json(_ column: String) throws -> JSONValue? {
                    guard let text: String = row[column] else { return nil }
                    return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
                }
                return AuditEntry(
                    id: row["id"], at: row["at"], actor: row["actor"], action: row["action"], entity: row["entity"],
                    kind: row["kind"], entityId: row["entity_id"], before: try json("before"), after: try json("after"))
            }
            return Page(items: entries, nextCursor: rows.count > limit ? entries.last.map { String($0.id) } : nil)
        }
    }
}

/// Shorthand for the JSON form of a value in an audit entry or event.
func snapshot<T: Encodable>(_ value: T?) throws -> JSONValue? {
    try value.map { try JSONValue.of($0) }
}
