import Foundation
import Testing

/// Several instances of one service share its database and its work.
@Suite("End to end: scaling a service")
struct ScalingTests {
    @Test("two telephony instances take concurrent call events for the same calls and log each call once")
    func twoTelephonyWorkers() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try system.start("telephony", label: "telephony-2")
        try await system.startAll()
        let (created, body) = try await system.http(
            "POST", "/api/v1/contacts",
            json: [
                "last_name": "Busy Line", "phones": [["number": "+47 45 00 00 00"]],
            ])
        #expect(created == 201)
        let contactId = try #require((body as? [String: Any])?["id"] as? Int)
        try await system.waitUntilTelephonyKnows("+4745000000", is: contactId)

        let calls = 60
        // Every call's three events arrive as separate requests, in parallel, so the two instances
        // write the same call at the same time.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for call in 0..<calls {
                for (index, type) in ["ringing", "answered", "hangup"].enumerated() {
                    group.addTask {
                        let (status, _) = try await system.http(
                            "POST", "/api/v1/telephony/events",
                            json: [
                                "event_id": "s-\(call)-\(index)", "call_id": "scaled-\(call)", "type": type,
                                "direction": "inbound", "from": "+4745000000",
                                "at": String(format: "2026-06-01T10:%02d:%02dZ", call % 60, index * 20),
                            ])
                        return status
                    }
                }
            }
            for try await status in group { #expect(status == 200) }
        }
        var items: [[String: Any]] = []
        var cursor: String?
        repeat {
            let page = try await system.getObject("/api/v1/calls?limit=50" + (cursor.map { "&cursor=\($0)" } ?? ""))
            items += page["items"] as? [[String: Any]] ?? []
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        let scaled = items.filter { ($0["external_id"] as? String)?.hasPrefix("scaled-") == true }
        #expect(scaled.count == calls)
        #expect(scaled.allSatisfy { $0["status"] as? String == "answered" && $0["event_count"] as? Int == 3 })
        #expect(scaled.allSatisfy { $0["billsec"] as? Int == 20 && $0["contact_id"] as? Int == contactId })

        // Both instances publish the outbox; the contact's history still has each call once.
        try await system.eventually("every call in the history") {
            var count = 0
            var cursor: String?
            repeat {
                let page = try await system.getObject(
                    "/api/v1/contacts/\(contactId)/history?kind=call&limit=200" + (cursor.map { "&cursor=\($0)" } ?? ""))
                count += (page["items"] as? [[String: Any]] ?? []).count
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            return count == calls
        }
    }
}
