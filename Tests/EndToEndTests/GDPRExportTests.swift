import Foundation
import Testing

/// What moved out of the gateway into the services (issue 14): the person export pages through
/// every call, and "link to a contact" is one contacts method with a version check.
@Suite("End to end: GDPR export and linking a number", .serialized)
struct GDPRExportTests {
    @Test("the export of a person holds every call, past 20,000 (the gateway's old loop stopped there)")
    func exportHoldsEveryCall() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        let (created, contact) = try await system.http(
            "POST", "/api/v1/contacts", json: ["first_name": "Ragnhild", "phones": [["number": "+47 400 11 222"]]])
        #expect(created == 201)
        let contactId = try #require((contact as? [String: Any])?["id"] as? Int)
        try await system.waitUntilTelephonyKnows("+4740011222", is: contactId)

        // 20,200 finished calls from her number, a thousand per request (the batch limit).
        let total = 20_200
        var sent = 0
        while sent < total {
            let events: [[String: Any]] = (sent..<min(total, sent + 1000)).map { n in
                [
                    "event_id": "export-\(n)", "call_id": "export-call-\(n)", "type": "completed", "direction": "inbound",
                    "from": "+4740011222", "to": "+4722000000", "at": "2026-02-01T08:00:00Z", "duration": 30, "billsec": 20,
                    "disposition": "ANSWERED",
                ]
            }
            // As a PBX does: a batch that timed out (504: a debug build on a loaded machine can
            // take longer than the 5 s deadline over a thousand events) is sent again; event ids
            // make the second delivery change nothing, which the counts below hold it to.
            var (status, body): (Int, Any?) = (504, nil)
            for _ in 0..<6 where status == 504 {
                (status, body) = try await system.http("POST", "/api/v1/telephony/events", json: events, timeout: 60)
            }
            #expect(status == 200, "\(String(describing: body))")
            sent += events.count
        }
        let (status, body) = try await system.http("GET", "/api/v1/contacts/\(contactId)/export")
        #expect(status == 200)
        let export = try #require(body as? [String: Any])
        let calls = try #require(export["calls"] as? [[String: Any]])
        // Every call sent, once each (besides the probe call that showed telephony knew her number).
        let exported = calls.compactMap { $0["external_id"] as? String }.filter { $0.hasPrefix("export-call-") }
        #expect(exported.count == total)
        #expect(Set(exported).count == total)
        #expect(calls.count == total + 1)
        #expect((export["contact"] as? [String: Any])?["id"] as? Int == contactId)
    }

    @Test("linking an unmatched number adds it once, and a stale if_updated_at is a 409 that changes nothing")
    func linkNumberWithVersion() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        let (_, contact) = try await system.http(
            "POST", "/api/v1/contacts", json: ["first_name": "Sindre", "phones": [["number": "+47 911 00 001"]]])
        let first = try #require(contact as? [String: Any])
        let contactId = try #require(first["id"] as? Int)
        let seen = try #require(first["updated_at"] as? String)

        // Someone else changes the contact after this caller read it.
        let (patched, _) = try await system.http("PATCH", "/api/v1/contacts/\(contactId)", json: ["title": "CTO"])
        #expect(patched == 200)
        let (stale, staleBody) = try await system.http(
            "POST", "/api/v1/calls/unmatched/resolve",
            json: ["number": "+47 22 11 00 99", "contact_id": contactId, "if_updated_at": seen])
        #expect(stale == 409, "\(String(describing: staleBody))")
        let unchanged = try await system.getObject("/api/v1/contacts/\(contactId)")
        #expect((unchanged["phones"] as? [[String: Any]])?.count == 1)
        #expect(unchanged["title"] as? String == "CTO")

        let current = try #require(unchanged["updated_at"] as? String)
        let (linked, linkedBody) = try await system.http(
            "POST", "/api/v1/calls/unmatched/resolve",
            json: ["number": "+47 22 11 00 99", "contact_id": contactId, "if_updated_at": current, "kind": "work"])
        #expect(linked == 200, "\(String(describing: linkedBody))")
        let phones = ((linkedBody as? [String: Any])?["phones"] as? [[String: Any]]) ?? []
        #expect(phones.compactMap { $0["e164"] as? String }.sorted() == ["+4722110099", "+4791100001"])
        #expect((linkedBody as? [String: Any])?["title"] as? String == "CTO")

        // The same number again (without a version) changes nothing; a contact that is not there is a 409.
        let (again, againBody) = try await system.http(
            "POST", "/api/v1/calls/unmatched/resolve", json: ["number": "0047 22110099", "contact_id": contactId])
        #expect(again == 200)
        #expect(((againBody as? [String: Any])?["phones"] as? [[String: Any]])?.count == 2)
        let (missing, _) = try await system.http(
            "POST", "/api/v1/calls/unmatched/resolve", json: ["number": "+47 22 11 00 98", "contact_id": 999_999])
        #expect(missing == 409)
    }
}
