import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit
import Storage
import Synchronization

/// Folds the durable ingest log (events the ZeroMQ endpoint acknowledged) into the call log, in
/// the order they arrived, on its own thread: each batch is applied and removed from the log in
/// one transaction, so a crash repeats a batch at worst, and repeating is harmless (events are
/// stored once per producer and event id). While producers are sending, it gives the database
/// writer to the endpoint (acknowledgements stay fast during a burst) unless the backlog grows
/// past `maxBacklog`; between bursts it catches up.
final class Projector: Sendable {
    private let database: ServiceDatabase
    private let phones: PhoneNormalizer
    private let logger: Logger
    private let batchSize: Int
    private let maxBacklog: Int64
    /// When a busy endpoint last wrote, whether new events wait, and whether to stop.
    private let state = Mutex<(lastIngest: Date, pending: Bool, stopping: Bool)>((.distantPast, true, false))
    /// Signalled by `wake` and `stop`: the thread waits on it, never in a sleep loop.
    private let signal = DispatchSemaphore(value: 0)
    /// Signalled once by `stop`: ends the short waits of a burst at once.
    private let stopped = DispatchSemaphore(value: 0)
    /// Signalled once when the thread has ended.
    private let finished = DispatchSemaphore(value: 0)

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
        state.withLock { state in
            state.pending = true
            if ingesting { state.lastIngest = Date() }
        }
        signal.signal()
    }

    /// Stops after the batch in hand and waits (up to 10 s) for the thread to end.
    func stop() {
        state.withLock { $0.stopping = true }
        signal.signal()
        stopped.signal()
        _ = finished.wait(timeout: .now() + 10)
    }

    /// How long producers must be quiet before the projector takes the writer back.
    static let quiet: TimeInterval = 0.25

    private func run() {
        defer { finished.signal() }
        while true {
            // Woken by the endpoint, or once a second to look anyway.
            if !state.withLock({ $0.pending || $0.stopping }) { _ = signal.wait(timeout: .now() + 1) }
            // Wake-ups that came meanwhile are answered by this round (`pending` holds the news).
            while signal.wait(timeout: .now()) == .success {}
            let (stopping, lastIngest) = state.withLock { state -> (Bool, Date) in
                if !state.stopping { state.pending = false }
                return (state.stopping, state.lastIngest)
            }
            if stopping { return }
            let sinceIngest = Date().timeIntervalSince(lastIngest)
            do {
                if sinceIngest < Self.quiet, try backlog() < maxBacklog {
                    // Producers are sending: leave the writer to the endpoint and look at the
                    // backlog again in 5 ms (not at every write's wake-up: a burst commits
                    // hundreds of times a second, and each look is a query).
                    if stopped.wait(timeout: .now() + .milliseconds(5)) == .success { return }
                    state.withLock { $0.pending = true }
                    continue
                }
                if try projectBatch() == batchSize { state.withLock { $0.pending = true } }
            } catch {
                logger.error("projecting the ingest log failed; will try again", metadata: ["error": "\(error)"])
                _ = signal.wait(timeout: .now() + 1)
                state.withLock { $0.pending = true }
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
