import Contracts
import Foundation
import GRDB
import Synchronization

/// Writes events into the outbox table inside the caller's transaction, and tells whoever
/// listens (the event publisher) once that transaction commits.
public final class Outbox: Sendable {
    private let listeners = Listeners()

    init() {}

    /// Adds an event to the current transaction. Returns its sequence number.
    @discardableResult
    public func append<Payload: Encodable>(_ db: Database, type: String, payload: Payload) throws -> Int64 {
        try append(db, type: type, json: try Wire.encode(payload))
    }

    /// Adds an event whose payload is already JSON; `occurredAt` (`Timestamp.string`) saves
    /// formatting the time again for each of many events of one transaction.
    @discardableResult
    public func append(_ db: Database, type: String, json: Data, occurredAt: String? = nil) throws -> Int64 {
        // A cached statement: a record insert compiled its SQL for every event (perf, call ingest).
        try db.cachedStatement(sql: "INSERT INTO outbox (type, payload, occurred_at) VALUES (?, ?, ?)")
            .run(.text(type), .blob(json), .text(occurredAt ?? Timestamp.string(from: Date())))
        // One commit hook per transaction, not one per event: GRDB consults every registered
        // transaction observer on every statement, so a hook per event made a transaction of
        // n events cost n² (an import of 100,000 rows ran for minutes).
        if listeners.armForNextCommit() {
            let listeners = self.listeners
            db.afterNextTransaction(
                onCommit: { _ in
                    listeners.disarm()
                    listeners.fire()
                },
                onRollback: { _ in listeners.disarm() })
        }
        return db.lastInsertedRowID
    }

    /// Rewrites the payloads of stored events of `types` whose top-level JSON member `key` is one
    /// of `ids` (GDPR: a subscriber that catches up later gets the scrubbed version, never the
    /// personal data). `transform` answers the new payload, or nil to keep the old. One pass over
    /// the outbox; answers how many events changed.
    @discardableResult
    public static func rewrite(
        _ db: Database, types: [String], key: String, ids: [Int64], _ transform: (Int64, Data) throws -> Data?
    ) throws -> Int {
        guard !types.isEmpty, !ids.isEmpty, key.allSatisfy({ $0.isLetter || $0 == "_" }) else { return 0 }
        let typeMarks = Array(repeating: "?", count: types.count).joined(separator: ",")
        let idMarks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT seq, payload, json_extract(CAST(payload AS TEXT), '$.\(key)') AS id FROM outbox
                WHERE type IN (\(typeMarks)) AND json_valid(CAST(payload AS TEXT))
                    AND json_extract(CAST(payload AS TEXT), '$.\(key)') IN (\(idMarks))
                """,
            arguments: StatementArguments(types.map { $0 as any DatabaseValueConvertible } + ids.map { $0 as any DatabaseValueConvertible })
        )
        var changed = 0
        for row in rows {
            guard let payload = try transform(row["id"], row["payload"]) else { continue }
            try db.execute(sql: "UPDATE outbox SET payload = ? WHERE seq = ?", arguments: [payload, row["seq"] as Int64])
            changed += 1
        }
        return changed
    }

    /// Calls `listener` after every commit that appended events.
    public func onCommit(_ listener: @escaping @Sendable () -> Void) {
        listeners.add(listener)
    }
}

/// The commit listeners, behind a lock.
private final class Listeners: Sendable {
    /// The listeners, and whether this transaction's commit hook is registered: one service has
    /// one writer connection, so one transaction at a time appends events.
    private let state = Mutex<(all: [@Sendable () -> Void], armed: Bool)>(([], false))

    func add(_ listener: @escaping @Sendable () -> Void) {
        state.withLock { $0.all.append(listener) }
    }

    /// Whether the caller should register the commit hook (the first event of a transaction).
    func armForNextCommit() -> Bool {
        state.withLock { state in
            if state.armed { return false }
            state.armed = true
            return true
        }
    }

    func disarm() {
        state.withLock { $0.armed = false }
    }

    func fire() {
        let current = state.withLock { $0.all }
        for listener in current { listener() }
    }
}
