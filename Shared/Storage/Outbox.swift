import Contracts
import Foundation
import GRDB

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

    /// Adds an event whose payload is already JSON.
    @discardableResult
    public func append(_ db: Database, type: String, json: Data) throws -> Int64 {
        let record = OutboxRecord(seq: nil, type: type, payload: json, occurredAt: Timestamp.string(from: Date()))
        try record.insert(db)
        let listeners = self.listeners
        db.afterNextTransaction(onCommit: { _ in listeners.fire() })
        return db.lastInsertedRowID
    }

    /// Calls `listener` after every commit that appended events.
    public func onCommit(_ listener: @escaping @Sendable () -> Void) {
        listeners.add(listener)
    }
}

/// The commit listeners, behind a lock.
private final class Listeners: @unchecked Sendable {
    // Every access to `all` holds `lock`.
    private let lock = NSLock()
    private var all: [@Sendable () -> Void] = []

    func add(_ listener: @escaping @Sendable () -> Void) {
        lock.lock(); defer { lock.unlock() }
        all.append(listener)
    }

    func fire() {
        lock.lock()
        let current = all
        lock.unlock()
        for listener in current { listener() }
    }
}
