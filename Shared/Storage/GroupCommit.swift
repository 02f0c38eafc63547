import Contracts
import Foundation
import GRDB
import Synchronization

/// Group commit for idempotent writes: writes submitted while the previous transaction is being
/// written go into the next one together, one commit (one fsync) for all of them, each in its own
/// savepoint with its own stored reply (`ServiceDatabase.idempotentWrites`), so one that fails
/// leaves the others alone. For small writes that come many at a time: telephony's HTTP ingest,
/// whose concurrent posts of 100 events were each waiting for a commit of their own
/// (crm-bench telephony). A thread of its own collects and writes (waking on a semaphore, never
/// polling); it ends after a quiet second and starts again with the next write.
public final class GroupCommit: Sendable {
    public typealias Body = @Sendable (Database, Outbox) throws -> Data
    private struct Item: Sendable {
        let requestId: String
        let method: String
        let weight: Int
        let body: Body
        let done: CheckedContinuation<Data, Error>
    }

    private let database: ServiceDatabase
    private let maxWeight: Int
    /// The writes waiting for the next transaction, and whether the writing thread runs.
    private let state = Mutex<(queue: [Item], running: Bool)>(([], false))
    /// Signalled for each write queued: wakes the writing thread.
    private let arrived = DispatchSemaphore(value: 0)

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
            let start = state.withLock { state -> Bool in
                state.queue.append(Item(requestId: requestId, method: method, weight: weight, body: body, done: done))
                defer { state.running = true }
                return !state.running
            }
            if start {
                let thread = Thread { [self] in run() }
                thread.name = "group-commit"
                thread.start()
            }
            arrived.signal()
        }
    }

    /// How many writes wait for the next transaction (for operators' metrics and for tests
    /// that need the writes queued before they let the current one finish).
    public var waiting: Int { state.withLock { $0.queue.count } }

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
        let deadline = DispatchTime.now() + 1
        while true {
            let taken = state.withLock { state -> [Item]?? in
                if state.queue.isEmpty {
                    guard DispatchTime.now() >= deadline else { return .some(nil) }
                    // A quiet second: the thread ends; the next write starts another.
                    state.running = false
                    return .none
                }
                var weight = 0
                var count = 0
                while count < state.queue.count, count == 0 || weight + state.queue[count].weight <= maxWeight {
                    weight += state.queue[count].weight
                    count += 1
                }
                let items = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return .some(items)
            }
            switch taken {
            case .none: return nil
            case .some(.some(let items)): return items
            case .some(.none): _ = arrived.wait(timeout: deadline)
            }
        }
    }
}
