import Contracts
import Foundation
import GRDB
import Synchronization

/// A service's own SQLite database: a WAL-mode `DatabasePool` with `synchronous=FULL` (a commit
/// survives power loss before anything is acknowledged), a busy timeout, the shared tables
/// (`outbox`, `inbox_checkpoint`, `idempotency`) and the service's migrations.
///
/// It makes the reliable path the easy one:
/// - `write` runs a change and the events it causes (`outbox.append`) in one transaction;
/// - `idempotentWrite` also stores the reply under the request id, so a retry gets it back;
/// - `applyEvent` applies another service's event and moves the checkpoint in one transaction.
public final class ServiceDatabase: Sendable {
    /// The GRDB writer (a pool on disk, a queue in memory for tests).
    public let writer: any DatabaseWriter
    /// Appends events; hands them to the publisher after commit.
    public let outbox: Outbox
    /// The subscriber positions last written (`recordPosition`), so an unchanged one is not written again.
    let positions = Mutex<[String: (after: Int64, at: Date)]>([:])
    /// Moves the WAL into the file behind the writer's back (nil in memory).
    private let checkpointer: WALCheckpointer?

    /// How many times the log has been copied whole into the file (0 in memory).
    public var completedCheckpoints: Int { checkpointer?.completedRounds.withLock { $0 } ?? 0 }

    /// Opens (creating if needed) the database file at `path` and migrates it.
    /// - Parameter migrations: the service's own migrations, registered after the shared ones.
    public init(
        path: String, busyTimeout: TimeInterval = 10, checkpointInterval: DispatchTimeInterval = .milliseconds(100),
        migrations: (inout DatabaseMigrator) -> Void
    ) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: path, configuration: Self.configuration(busyTimeout: busyTimeout))
        // GRDB turns WAL on after prepareDatabase and sets synchronous=NORMAL with it (a commit can
        // be lost on power failure). The pool keeps one writer connection for its lifetime, so
        // setting FULL on it once here holds for every write.
        // Checkpoints run on a connection of their own (WALCheckpointer), not inside commits.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0") }
        writer = pool
        outbox = Outbox()
        // Two instances starting together (`instances: 2`, a rolling restart) would both see a
        // migration as not applied and both run it: one at a time, under a lock on a file beside
        // the database (released when this process ends, however it ends).
        try Self.exclusively(lockFile: path + "-migrate.lock") { try Self.migrate(pool, migrations) }
        checkpointer = try WALCheckpointer(path: path, interval: checkpointInterval)
    }

    /// Runs `body` holding an exclusive `flock` on `lockFile` (made if missing).
    static func exclusively(lockFile: String, _ body: () throws -> Void) throws {
        let descriptor = open(lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw MigrationLockError("cannot open \(lockFile): errno \(errno)") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw MigrationLockError("cannot lock \(lockFile): errno \(errno)") }
        }
        defer { flock(descriptor, LOCK_UN) }
        try body()
    }

    /// An in-memory database for tests, with the same schema.
    public init(inMemory migrations: (inout DatabaseMigrator) -> Void) throws {
        let queue = try DatabaseQueue(configuration: Self.configuration(busyTimeout: 1))
        writer = queue
        outbox = Outbox()
        checkpointer = nil
        try Self.migrate(queue, migrations)
    }

    static func configuration(busyTimeout: TimeInterval) -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            // FULL: the WAL is synced at every commit, so an acknowledged write survives power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // Page caches (negative = KiB, allocated as used): SQLite's default of 2 MB made a big
            // import spill dirty pages into the WAL mid-transaction and write many of them twice
            // (a fifth of the contacts process's time went to pwrite); readers keep more of a
            // large table's index pages at hand.
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -32768" : "PRAGMA cache_size = -131072")
        }
        return config
    }

    static func migrate(_ writer: any DatabaseWriter, _ migrations: (inout DatabaseMigrator) -> Void) throws {
        var migrator = DatabaseMigrator()
        SharedTables.register(in: &migrator)
        migrations(&migrator)
        // Shared tables added after services shipped go last, so existing databases migrate in order.
        SharedTables.registerLater(in: &migrator)
        try migrator.migrate(writer)
    }

    /// Runs `body` in one write transaction. Events appended with `outbox` commit or roll back
    /// with the change.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database, Outbox) throws -> T) async throws -> T {
        let outbox = self.outbox
        return try await writer.write { db in try body(db, outbox) }
    }

    /// Reads from a snapshot.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(body)
    }

    /// Runs a write once per request id: the reply is stored in the same transaction as the change,
    /// and a retry with the same id gets the stored reply without running `body` again.
    /// A `body` that throws stores nothing, so the caller can retry after fixing the problem.
    public func idempotentWrite(
        requestId: String, method: String, _ body: @escaping @Sendable (Database, Outbox) throws -> Data
    ) async throws -> Data {
        let outbox = self.outbox
        return try await writer.write { db in
            if let stored = try IdempotencyRecord.fetchOne(db, key: requestId) {
                guard stored.method == method else {
                    throw StorageError.requestIdReused(requestId: requestId, firstMethod: stored.method)
                }
                return stored.reply
            }
            let reply = try body(db, outbox)
            try IdempotencyRecord(requestId: requestId, method: method, reply: reply, createdAt: Date()).insert(db)
            return reply
        }
    }

    /// `idempotentWrite` for a bus method: `body` answers a value of the method's reply type,
    /// stored (and returned) as its JSON, so a write cannot answer another method's reply.
    public func idempotentWrite<Request, Reply: Encodable>(
        requestId: String, method: BusMethod<Request, Reply>, _ body: @escaping @Sendable (Database, Outbox) throws -> Reply
    ) async throws -> Data {
        try await idempotentWrite(requestId: requestId, method: method.name) { db, outbox in try Wire.reply(try body(db, outbox)) }
    }

    /// Runs several idempotent writes in one transaction (one commit, one fsync, for writes that
    /// arrive together): each as `idempotentWrite` would, in its own savepoint, so one that throws
    /// leaves the others alone. Call from a thread of your own, never the cooperative pool.
    public func idempotentWrites(
        _ items: [(requestId: String, method: String, body: (Database, Outbox) throws -> Data)]
    ) throws -> [Result<Data, Error>] {
        let outbox = self.outbox
        return try writer.write { db in
            try items.map { item -> Result<Data, Error> in
                if let stored = try IdempotencyRecord.fetchOne(db, key: item.requestId) {
                    guard stored.method == item.method else {
                        return .failure(StorageError.requestIdReused(requestId: item.requestId, firstMethod: stored.method))
                    }
                    return .success(stored.reply)
                }
                var outcome: Result<Data, Error> = .failure(CancellationError())
                do {
                    try db.inSavepoint {
                        let reply = try item.body(db, outbox)
                        try IdempotencyRecord(requestId: item.requestId, method: item.method, reply: reply, createdAt: Date()).insert(db)
                        outcome = .success(reply)
                        return .commit
                    }
                } catch {
                    outcome = .failure(error)
                }
                return outcome
            }
        }
    }

    /// The reply stored for a request id, if that request ran already: for writes that do other
    /// work (ask other services) before their own transaction, so a retry skips that work too.
    public func storedReply(requestId: String) async throws -> Data? {
        try await writer.read { db in try IdempotencyRecord.fetchOne(db, key: requestId)?.reply }
    }

    /// The last sequence applied from `source`, 0 when none.
    public func checkpoint(source: String) async throws -> Int64 {
        try await writer.read { db in try InboxCheckpoint.fetchOne(db, key: source)?.lastSeq ?? 0 }
    }

    /// Applies an event from `source` exactly once: `body` runs and the checkpoint moves to
    /// `sequence` in one transaction. Returns false (and changes nothing) for an event at or
    /// below the checkpoint.
    @discardableResult
    public func applyEvent(
        source: String, sequence: Int64, _ body: @escaping @Sendable (Database, Outbox) throws -> Void
    ) async throws -> Bool {
        try await applyEvents(source: source, through: sequence) { db, outbox, _ in try body(db, outbox) }
    }

    /// Applies a run of events from `source` exactly once, in one transaction (one commit, one
    /// sync, however many events): `body` gets the checkpoint as it was and applies the events
    /// past it, and the checkpoint moves to `through`, the run's last sequence. All or nothing.
    /// Returns false (and changes nothing) when the checkpoint is already at `through` or past it.
    @discardableResult
    public func applyEvents(
        source: String, through: Int64, _ body: @escaping @Sendable (Database, Outbox, _ checkpoint: Int64) throws -> Void
    ) async throws -> Bool {
        let outbox = self.outbox
        return try await writer.write { db in
            let current = try InboxCheckpoint.fetchOne(db, key: source)?.lastSeq ?? 0
            guard through > current else { return false }
            try body(db, outbox, current)
            try InboxCheckpoint(source: source, lastSeq: through, updatedAt: Date()).save(db)
            return true
        }
    }

    /// Outbox rows after `after`, oldest first.
    public func outboxEvents(after: Int64, limit: Int) async throws -> [OutboxRecord] {
        try await writer.read { db in
            try OutboxRecord.filter(OutboxRecord.Columns.seq > after).order(OutboxRecord.Columns.seq).limit(limit).fetchAll(db)
        }
    }

    /// Forgets stored replies older than `age`: retries come within seconds, so a day is plenty.
    /// Returns how many were removed.
    @discardableResult
    public func pruneIdempotency(olderThan age: TimeInterval, now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-age)
        return try await writer.write { db in
            try IdempotencyRecord.filter(Column("created_at") < DatabaseDate.string(cutoff)).deleteAll(db)
        }
    }

    /// The highest outbox sequence, 0 when empty.
    public func lastOutboxSequence() async throws -> Int64 {
        try await writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") ?? 0
        }
    }
}

/// Errors of the storage kit.
public enum StorageError: Error, Equatable, CustomStringConvertible {
    /// A client reused a request id for a different method.
    case requestIdReused(requestId: String, firstMethod: String)

    public var description: String {
        switch self {
        case .requestIdReused(let id, let method):
            return "request id \(id) was already used for \(method); use a new id for a new request"
        }
    }
}

/// The lock that keeps two processes from migrating one database at once could not be taken.
public struct MigrationLockError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
