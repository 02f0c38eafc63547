import Foundation
import GRDB

/// The tables every service has, created by the first migration of every database.
enum SharedTables {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("kit-v1-shared-tables") { db in
            // AUTOINCREMENT: a sequence number is never reused, even after the newest row is deleted.
            try db.execute(
                sql: """
                    CREATE TABLE outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        type TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        occurred_at TEXT NOT NULL
                    );
                    CREATE TABLE inbox_checkpoint (
                        source TEXT PRIMARY KEY NOT NULL,
                        last_seq INTEGER NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE idempotency (
                        request_id TEXT PRIMARY KEY NOT NULL,
                        method TEXT NOT NULL,
                        reply BLOB NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    """)
        }
    }
}

extension SharedTables {
    static func registerLater(in migrator: inout DatabaseMigrator) {
        // Outbox retention: how far each subscriber (by its bus role) has asked for events, and
        // up to which sequence the outbox has been pruned (a subscriber behind that rebuilds
        // from a snapshot).
        migrator.registerMigration("kit-v2-outbox-retention") { db in
            try db.execute(
                sql: """
                    CREATE TABLE subscriber_position (
                        caller TEXT PRIMARY KEY NOT NULL,
                        after INTEGER NOT NULL,
                        seen_at TEXT NOT NULL
                    );
                    CREATE TABLE outbox_pruned (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        through INTEGER NOT NULL
                    );
                    """)
        }
    }
}

/// One event waiting in (or kept by) the outbox; `seq` is its sequence number on the bus.
public struct OutboxRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    public static let databaseTableName = "outbox"
    public var seq: Int64?
    public var type: String
    public var payload: Data
    public var occurredAt: String

    public enum Columns {
        public static let seq = Column(CodingKeys.seq)
    }

    enum CodingKeys: String, CodingKey {
        case seq, type, payload
        case occurredAt = "occurred_at"
    }
}

/// How far a subscriber has applied one source's events.
struct InboxCheckpoint: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "inbox_checkpoint"
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    var source: String
    var lastSeq: Int64
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case source
        case lastSeq = "last_seq"
        case updatedAt = "updated_at"
    }
}

/// A reply stored under its request id.
struct IdempotencyRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "idempotency"
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    var requestId: String
    var method: String
    var reply: Data
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case requestId = "request_id"
        case method, reply
        case createdAt = "created_at"
    }
}
