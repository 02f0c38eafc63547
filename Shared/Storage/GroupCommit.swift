import Contracts
import Foundation
import GRDB

/// Group commit for idempotent writes: writes submitted while the previous transaction is being
/// written go into the next one together, one commit (one fsync) for all of them, each in its own
/// savepoint with its own stored reply (`ServiceDatabase.idempotentWrites`), so one that fails
/// leaves the others alone. For small writes that come many at a time: telephony's HTTP ingest,
/// whose concurrent posts of 100 events were each waiting for a commit of their own
/// (crm-bench telephony). A thread of its own collects and writes; it ends after a quiet second
/// and starts again with the next write.
public final class GroupCommit: @unchecked Sendable {
    public typealias Body = @Sendable (Database, Outbox) throws -> Data
    // `queue` and `running` are guarded by `lock`.
    private struct Item {
        let requestId: String
        let method: String
        let weight: Int
        let body: Body
        let done: CheckedContinuation<Data, Error>
    }

    private let database: ServiceDatabase
    private let maxWeight: Int
    private let lock = NSCondition()
    private var queue: [Item] = []
    private var running = false

    /// `maxWeight`: how much one transaction takes (in the writes' own unit, events for the
    /// ingest), so a crowd of writes is committed in steps rather than held in one long one.
    public init(database: ServiceDatabase, maxWeight: Int = 5_000) {
        self.database = database
        self.maxWeight = maxWeight
    }

    /// `submit` for a bus method: `body` answers a value of the method's reply type, stored and
    /// returned as its JSON.
    public func submit<Request, Reply: Encodable>(
        requestId: String, method: BusMethod<Request, Reply>, weight: Int = 1,
        _ body: @escaping @Sendable (Database, Outbox) throws -> Reply
    ) async throws -> Data {
        try await submit(requestId: requestId, method: method.name, weight: weight) { db, outbox in try Wire.reply(try body(db, outbox)) }
    }

    /// Runs `body` as `ServiceDatabase.idempotentWrite` would, in the next group's transaction;
    /// returns its reply once that transaction is committed.
    public func submit(requestId: String, method: String, weight: Int = 1, _ body: @escaping Body) async throws -> Data {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Data, Error>) in
            lock.lock()
            queue.append(Item(requestId: requestId, method: method, weight: weight, body: body, done: done))
            if !running {
                running = true
                let thread = Thread { [self] in run() }
                thread.name = "group-commit"
                thread.start()
            }
            lock.signal()
            lock.unlock()
        }
    }

    /// How many writes wait for the next transaction (for operators' metrics and for tests
    /// that need the writes queued before they let the current one finish).
    public var waiting: Int {
        lock.lock()
        defer { lock.unlock() }
        return queue.count
    }

    private func run() {
        while let items = next() {
            do {
                let results = try database.idempotentWrites(items.map { ($0.requestId, $0.method, $0.body) })
                for (item, result) in zip(items, results) { item.done.resume(with: result) }
            } catch {
                for item in items { item.done.resume(throwing: error) }
            }
        }
    }

    /// The writes for the next transaction (at least one, up to `maxWeight`), or nil once nothing
    /// came for a second (the thread then ends).
    private func next() -> [Item]? {
        lock.lock()
        defer { lock.unlock() }
        let deadline = Date().addingTimeInterval(1)
        while queue.isEmpty {
            if !lock.wait(until: deadline) && queue.isEmpty {
                running = false
                return nil
            }
        }
        var weight = 0
        var count = 0
        while count < queue.count, count == 0 || weight + queue[count].weight <= maxWeight {
            weight += queue[count].weight
            count += 1
        }
        let items = Array(queue.prefix(count))
        queue.removeFirst(count)
        return items
    }
}
