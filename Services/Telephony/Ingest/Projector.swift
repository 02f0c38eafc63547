import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit
import Storage

/// Folds the durable ingest log (events the ZeroMQ endpoint acknowledged) into the call log, in
/// the order they arrived, on its own thread: each batch is applied and removed from the log in
/// one transaction, so a crash repeats a batch at worst, and repeating is harmless (events are
/// stored once per producer and event id). While producers are sending, it gives the database
/// writer to the endpoint (acknowledgements stay fast during a burst) unless the backlog grows
/// past `maxBacklog`; between bursts it catches up.
final class Projector: @unchecked Sendable {
    // `lastIngest`, `pending`, `stopping` and `finished` are guarded by `lock`.
    private let database: ServiceDatabase
    private let phones: PhoneNormalizer
    private let logger: Logger
    private let batchSize: Int
    private let maxBacklog: Int64
    private let lock = NSCondition()
    private var lastIngest = Date.distantPast
    private var pending = true
    private var stopping = false
    private var finished = false

    init(database: ServiceDatabase, phones: PhoneNormalizer, logger: Logger, batchSize: Int = 250, maxBacklog: Int64 = 200_000) {
        self.database = database
        self.phones = phones
        self.logger = logger
        self.batchSize = batchSize
        self.maxBacklog = maxBacklog
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "telephony-projector"
        thread.start()
    }

    /// New events are in the log; `ingesting` when they come from a busy endpoint.
    func wake(ingesting: Bool = false) {
        lock.lock()
        pending = true
        if ingesting { lastIngest = Date() }
        lock.signal()
        lock.unlock()
    }

    /// Stops after the batch in hand and waits for the thread to end.
    func stop() {
        lock.lock()
        stopping = true
        lock.broadcast()
        let deadline = Date().addingTimeInterval(10)
        while !finished && lock.wait(until: deadline) {}
        lock.unlock()
    }

    private func run() {
        defer {
            lock.lock()
            finished = true
            lock.broadcast()
            lock.unlock()
        }
        while true {
            lock.lock()
            // Woken by the endpoint, or once a second to look anyway.
            if !pending && !stopping { _ = lock.wait(until: Date().addingTimeInterval(1)) }
            if stopping {
                lock.unlock()
                return
            }
            pending = false
            let busy = Date().timeIntervalSince(lastIngest) < 0.25
            lock.unlock()
            do {
                if busy, try backlog() < maxBacklog {
                    // Producers are sending: let the endpoint have the writer, look again shortly.
                    Thread.sleep(forTimeInterval: 0.005)
                    wake()
                    continue
                }
                if try projectBatch() == batchSize { wake() }
            } catch {
                logger.error("projecting the ingest log failed; will try again", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 1)
                wake()
            }
        }
    }

    /// The oldest and newest ids in the log. Two subqueries, because SQLite answers a lone MIN or
    /// MAX from the ends of the primary key but scans the whole log (an index of it) for both in
    /// one: during a burst, polled every 5 ms, that scan of up to 200,000 rows took a fifth of the
    /// machine from the endpoint.
    static let backlogSQL = "SELECT (SELECT MIN(id) FROM ingest_log) AS low, (SELECT MAX(id) FROM ingest_log) AS high"

    private func backlog() throws -> Int64 {
        try database.writer.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: Self.backlogSQL))
            guard let low: Int64 = row?["low"], let high: Int64 = row?["high"] else { return 0 }
            return high - low + 1
        }
    }

    /// Applies the oldest `batchSize` events of the log and removes them. Returns how many.
    @discardableResult
    func projectBatch() throws -> Int {
        let (phones, outbox, limit) = (phones, database.outbox, batchSize)
        return try database.writer.write { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, producer, at, payload FROM ingest_log ORDER BY id LIMIT ?"), arguments: [limit])
            guard let last: Int64 = rows.last?["id"] else { return 0 }
            // Consecutive events of one producer go in together, keeping the order they arrived in.
            let log = CallLog(db: db, outbox: outbox, phones: phones)
            var group: [CallStore.ValidEvent] = []
            var producer: String?
            for row in rows {
                let name: String = row["producer"]
                if name != producer, let current = producer, !group.isEmpty {
                    _ = try log.apply(producer: current, events: group)
                    group = []
                }
                producer = name
                let input = try CallEventJSON.event(row["payload"] as Data)
                group.append(
                    CallStore.ValidEvent(
                        input: input, eventId: input.eventId?.trimmed ?? "", callId: input.callId?.trimmed ?? "", type: input.type ?? "",
                        at: Date(timeIntervalSince1970: row["at"])))
            }
            if let producer, !group.isEmpty { _ = try log.apply(producer: producer, events: group) }
            try db.cachedStatement(sql: "DELETE FROM ingest_log WHERE id <= ?").execute(arguments: [last])
            return rows.count
        }
    }
}
