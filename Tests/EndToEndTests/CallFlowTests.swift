import Foundation
import Testing

/// The first flow across real processes: contacts, telephony and the gateway over the bus.
@Suite("End to end: calls and contacts", .serialized)
struct CallFlowTests {
    @Test("out-of-order and repeated call events make one answered call, matched and in the contact's history")
    func callMatchedToContact() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()

        let (created, contact) = try await system.http(
            "POST", "/api/v1/contacts",
            json: [
                "first_name": "Kari", "last_name": "Nordmann",
                "phones": [["number": "+47 912 34 567", "kind": "mobile"], ["number": "22 33 44 55", "kind": "work"]],
                "emails": [["address": "kari@example.no"]],
            ])
        #expect(created == 201)
        let contactId = try #require((contact as? [String: Any])?["id"] as? Int)

        // Telephony learns the number from contact.created; wait until a probe call matches it.
        try await system.waitUntilTelephonyKnows("+4791234567", is: contactId)

        let ringing: [String: Any] = [
            "event_id": "ev-1", "call_id": "call-42", "type": "ringing", "direction": "inbound",
            "from": "004791234567", "to": "+4722000000", "extension": "105",
            "at": "2026-03-02T09:00:00Z",
        ]
        let answered: [String: Any] = ["event_id": "ev-2", "call_id": "call-42", "type": "answered", "at": "2026-03-02T09:00:07Z"]
        let hangup: [String: Any] = ["event_id": "ev-3", "call_id": "call-42", "type": "hangup", "at": "2026-03-02T09:01:37Z"]
        // Out of order, and the answer arrives twice.
        for event in [hangup, answered, ringing, answered] {
            let (status, body) = try await system.http("POST", "/api/v1/telephony/events", json: event)
            #expect(status == 200, "\(String(describing: body))")
        }
        let calls = try await system.getObject("/api/v1/calls?direction=inbound&status=answered")
        let items = try #require(calls["items"] as? [[String: Any]])
        #expect(items.count == 1)
        let call = try #require(items.first)
        #expect(call["external_id"] as? String == "call-42")
        #expect(call["contact_id"] as? Int == contactId)
        #expect(call["billsec"] as? Int == 90)
        #expect(call["duration"] as? Int == 97)
        #expect(call["from_e164"] as? String == "+4791234567")
        #expect(call["event_count"] as? Int == 3)
        let callId = try #require(call["id"] as? Int)

        try await system.eventually("the call appears in the contact's history") {
            let history = try await system.getObject("/api/v1/contacts/\(contactId)/history?kind=call")
            let entries = history["items"] as? [[String: Any]] ?? []
            return entries.contains { $0["call_id"] as? Int == callId && ($0["summary"] as? String)?.contains("answered") == true }
        }
        let history = try await system.getObject("/api/v1/contacts/\(contactId)/history?kind=call")
        let entries = (history["items"] as? [[String: Any]] ?? []).filter { $0["call_id"] as? Int == callId }
        #expect(entries.count == 1)

        // The gateway's error shape for bad input, and nothing is changed by it.
        let (badStatus, badBody) = try await system.http(
            "POST", "/api/v1/telephony/events",
            json: [
                ["event_id": "x1", "call_id": "c", "type": "ringing"], ["event_id": "x2", "call_id": "c", "type": "exploded"],
            ])
        #expect(badStatus == 422)
        let error = (badBody as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "invalid")
        #expect((error?["message"] as? String)?.contains("[1].type") == true, "\(String(describing: error))")
        let after = try await system.getObject("/api/v1/calls?limit=200")
        #expect((after["items"] as? [[String: Any]])?.contains { $0["external_id"] as? String == "c" } == false)
    }

    @Test("an Idempotency-Key makes a retried POST create one contact; oversized bodies get 413")
    func idempotencyAndLimits() async throws {
        let system = try SystemUnderTest()
        system.extraEnvironment["CRM_HTTP_MAX_BODY"] = "65536"
        defer { system.shutdown() }
        try await system.startAll()
        var ids: Set<Int> = []
        for _ in 0..<3 {
            let (status, body) = try await system.http(
                "POST", "/api/v1/contacts", json: ["first_name": "Only", "last_name": "Once"],
                headers: ["Idempotency-Key": "retry-me-1"])
            #expect(status == 201)
            if let id = (body as? [String: Any])?["id"] as? Int { ids.insert(id) }
        }
        #expect(ids.count == 1)
        let list = try await system.getObject("/api/v1/contacts?q=Once")
        #expect((list["items"] as? [[String: Any]])?.count == 1)

        let huge = String(repeating: "x", count: 100_000)
        let (status, body) = try await system.http("POST", "/api/v1/contacts", json: ["first_name": huge])
        #expect(status == 413)
        #expect(((body as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "too_large")
        let (badLimit, _) = try await system.http("GET", "/api/v1/contacts?limit=lots")
        #expect(badLimit == 422)
        let (tooMany, _) = try await system.http("GET", "/api/v1/contacts?limit=5000")
        #expect(tooMany == 422)
    }

    @Test("calls logged while the contacts service is down reach every history exactly once after it restarts")
    func contactsCatchUpAfterKill() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        let count = 200
        var ids: [Int] = []
        for index in 0..<count {
            let (status, body) = try await system.http(
                "POST", "/api/v1/contacts",
                json: [
                    "first_name": "Person", "last_name": "Number\(index)",
                    "phones": [["number": String(format: "+47 41 %06d", index)]],
                ])
            #expect(status == 201)
            ids.append(try #require((body as? [String: Any])?["id"] as? Int))
        }
        // Telephony applies contact events in order: once the last contact matches, all do.
        try await system.waitUntilTelephonyKnows(String(format: "+4741%06d", count - 1), is: try #require(ids.last))

        system.kill9("contacts")
        var batch: [[String: Any]] = []
        for index in 0..<count {
            batch.append([
                "event_id": "done-\(index)", "call_id": "down-\(index)", "type": "completed", "direction": "inbound",
                "from": String(format: "0047 41 %06d", index), "at": "2026-04-01T12:00:00Z",
                "duration": 30, "billsec": 20, "disposition": "ANSWERED",
            ])
        }
        // Half as single posts, half as one batch.
        for event in batch.prefix(count / 2) {
            let (status, body) = try await system.http("POST", "/api/v1/telephony/events", json: event)
            #expect(status == 200, "\(String(describing: body))")
        }
        let (batchStatus, _) = try await system.http("POST", "/api/v1/telephony/events", json: Array(batch.suffix(count / 2)))
        #expect(batchStatus == 200)

        try system.start("contacts")
        for (index, id) in ids.enumerated() {
            try await system.eventually("contact \(id) shows its call", timeout: .seconds(60)) {
                let history = try await system.getObject("/api/v1/contacts/\(id)/history?kind=call")
                return !(history["items"] as? [[String: Any]] ?? []).isEmpty
            }
            let history = try await system.getObject("/api/v1/contacts/\(id)/history?kind=call")
            let entries = history["items"] as? [[String: Any]] ?? []
            #expect(entries.count == 1, "contact \(id) has \(entries.count) call entries")
            #expect((entries.first?["summary"] as? String)?.contains(String(format: "+4741%06d", index)) == true)
        }
    }
}
