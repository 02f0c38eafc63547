import Contracts
import Foundation
import GRDB
import Logging
import Storage

/// Group commit for `telephony.ingest_queued`: HTTP posts that arrive while the previous
/// transaction is being written go into the ingest log together, one commit (one fsync) for all
/// of them, each with its own stored reply. Concurrent posts of 100 events each were bound by a
/// commit per request (crm-bench telephony). A thread of its own collects and writes.
final class QueuedIngest: @unchecked Sendable {
    // `queue` and `stopping` are guarded by `lock`.
    struct Item {
        let requestId: String
        let producer: String
        let events: [CallStore.ValidEvent]
        let payloads: [Data]
        let done: CheckedContinuation<Data, Error>
    }

    private let database: ServiceDatabase
    private let projector: Projector?
    private let lock = NSCondition()
    private var queue: [Item] = []
    private var started = false

    init(database: ServiceDatabase, projector: Projector?) {
        self.database = database
        self.projector = projector
    }

    func submit(requestId: String, producer: String, events: [CallStore.ValidEvent], payloads: [Data]) async throws -> Data {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Data, Error>) in
            lock.lock()
            queue.append(Item(requestId: requestId, producer: producer, events: events, payloads: payloads, done: done))
            if !started {
                started = true
                let thread = Thread { [self] in run() }
                thread.name = "telephony-queued-ingest"
                thread.start()
            }
            lock.signal()
            lock.unlock()
        }
    }

    private func run() {
        while true {
            lock.lock()
            while queue.isEmpty { lock.wait() }
            let items = queue
            queue = []
            lock.unlock()
            let writes = items.map { item in
                (
                    requestId: item.requestId, method: TelephonyContract.Method.ingestQueued,
                    body: { (db: Database, _: Outbox) throws -> Data in
                        var queued = 0
                        for (event, payload) in zip(item.events, item.payloads) {
                            if try IngestLog.append(db, producer: item.producer, event: event, payload: payload) { queued += 1 }
                        }
                        return try Wire.encode(QueuedReply(queued: queued, duplicates: item.events.count - queued))
                    }
                )
            }
            do {
                let results = try database.idempotentWrites(writes)
                // Producers are sending: the projector leaves the writer to us until they pause.
                projector?.wake(ingesting: true)
                for (item, result) in zip(items, results) { item.done.resume(with: result) }
            } catch {
                for item in items { item.done.resume(throwing: error) }
            }
        }
    }
}
