import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit
import Storage
import Testing

@testable import TelephonyService

@Suite("Projecting the ingest log into the call log")
struct ProjectorTests {
    func log(_ test: TestCallLog, _ producer: String, _ events: [CallEventInput]) async throws {
        try await test.database.write { db, _ in
            for event in events {
                try db.execute(
                    sql: "INSERT INTO ingest_log (producer, event_id, at, payload) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: [producer, event.eventId, event.at!.timeIntervalSince1970, Wire.encode(event)])
            }
        }
    }

    @Test("batches fold in arrival order per producer, leave the log empty, and a repeat changes nothing")
    func projects() async throws {
        let test = try TestCallLog()
        let start = Date(timeIntervalSince1970: 1_772_000_000)
        var events: [CallEventInput] = []
        for n in 0..<7 {
            events.append(
                CallEventInput(eventId: "r\(n)", callId: "c\(n)", type: "ringing", direction: "inbound", from: "+4791234567", at: start))
            var end = CallEventInput(eventId: "h\(n)", callId: "c\(n)", type: "hangup", at: start.addingTimeInterval(30))
            end.disposition = "ANSWERED"
            end.billsec = 25
            events.append(end)
        }
        try await log(test, "pbx-a", Array(events[0..<8]))
        try await log(test, "pbx-b", Array(events[0..<2]))
        try await log(test, "pbx-a", Array(events[8...]))
        let projector = Projector(database: test.database, phones: test.store.phones, logger: Logger(label: "test"), batchSize: 5)
        var total = 0
        while case let count = try projector.projectBatch(), count > 0 { total += count }
        #expect(total == 16)
        let calls = try await test.calls()
        #expect(calls.count == 8)
        #expect(calls.allSatisfy { $0.status == "answered" && $0.billsec == 25 && $0.eventCount == 2 })
        #expect(Set(calls.map(\.producer)) == ["pbx-a", "pbx-b"])
        // Events the producer resends after they were projected: stored once.
        try await log(test, "pbx-a", events)
        #expect(try projector.projectBatch() == 5)
        while try projector.projectBatch() > 0 {}
        #expect(try await test.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM call_event") } == 16)
        #expect(try await test.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingest_log") } == 0)
        #expect(try await test.published().filter { $0 == "call.logged" }.count == 8)
    }

    @Test("the projector's look at the backlog reads the two ends of the log, never the whole of it")
    func backlogLooksAtTheEnds() async throws {
        let test = try TestCallLog()
        let plan = try await test.database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(Projector.backlogSQL)").map { $0["detail"] as String }
        }
        // MIN and MAX in one SELECT would be "SCAN ingest_log USING COVERING INDEX ...".
        #expect(!plan.isEmpty && plan.allSatisfy { !$0.hasPrefix("SCAN ingest_log") }, "\(plan)")
        #expect(plan.filter { $0.hasPrefix("SEARCH ingest_log") }.count == 2, "\(plan)")
    }
}
