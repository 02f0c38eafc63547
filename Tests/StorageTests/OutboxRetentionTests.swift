import Contracts
import Foundation
import GRDB
import Testing

@testable import Storage

@Suite("Outbox retention")
struct OutboxRetentionTests {
    /// An outbox with events 1...6 published at `start` + 0, 10, 20, ... seconds.
    func outbox(start: Date) async throws -> ServiceDatabase {
        let database = try ServiceDatabase(inMemory: { _ in })
        for step in 0..<6 {
            let stamp = Timestamp.string(from: start.addingTimeInterval(Double(step) * 10))
            _ = try await database.write { db, outbox in
                try outbox.append(db, type: "thing.happened", json: Data("{\"n\":\(step)}".utf8), occurredAt: stamp)
            }
        }
        return database
    }

    @Test("events go once every subscriber heard from has passed them and they are older than the retention period")
    func prunedBehindSubscribers() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let database = try await outbox(start: start)
        let now = start.addingTimeInterval(100)
        try await database.recordPosition(caller: "telephony", after: 4, now: now)
        try await database.recordPosition(caller: "gateway", after: 2, now: now)
        // Older than 35 s: events 1-4 (at 0-30 s); gateway has passed only 2.
        #expect(try await database.pruneOutbox(retention: 65, now: now) == 2)
        #expect(try await database.prunedThrough() == 2)
        #expect(try await database.outboxEvents(after: 0, limit: 10).map(\.seq) == [3, 4, 5, 6])
        // Gateway moves on: up to the retention boundary goes, nothing younger.
        try await database.recordPosition(caller: "gateway", after: 6, now: now)
        #expect(try await database.pruneOutbox(retention: 65, now: now) == 2)
        #expect(try await database.prunedThrough() == 4)
        #expect(try await database.outboxEvents(after: 0, limit: 10).map(\.seq) == [5, 6])
    }

    @Test("a subscriber not heard from within the retention period no longer holds the log")
    func staleSubscriberDoesNotHold() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let database = try await outbox(start: start)
        try await database.recordPosition(caller: "contacts", after: 0, now: start)
        let later = start.addingTimeInterval(1000)
        #expect(try await database.pruneOutbox(retention: 100, now: later) == 6)
        #expect(try await database.prunedThrough() == 6)
        #expect(try await database.lastOutboxSequence() == 6)  // sequences are never reused
    }
}
