import Foundation
import Testing

/// The visibility rule (settings' `visibility.shared_customer_cards` off) walked over every route
/// that answers customer data: a user sees what they own and nothing of a colleague's customers
/// (their cards, calls, call partners, files, history); the boss, asking the same routes, sees all.
@Suite("End to end: customer visibility on every route", .serialized)
struct VisibilityTests {
    func id(_ body: Any?) throws -> Int { try #require((body as? [String: Any])?["id"] as? Int) }

    /// What a route answers about the other user's customer, for one caller.
    enum Expect {
        /// 404 (it does not exist for this caller).
        case hidden
        /// 200, and the JSON does not mention the marker anywhere.
        case without(String)
        /// 200, and the JSON mentions the marker (the boss's view: the route does answer the data).
        case with(String)
    }

    @Test("with customer cards not shared, a user gets nothing of a colleague's customers from any route; the boss gets all")
    func everyRoute() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        let (kari, ola) = try await system.twoUsers()
        // Ola's customers: a company and a contact with a phone, a note and a file; a call from the contact.
        let (_, company) = try await system.http(
            "POST", "/api/v1/companies", json: ["name": "Olafirma AS", "phones": [["number": "+47 22 00 11 22"]]], token: ola)
        let companyId = try id(company)
        let (_, contact) = try await system.http(
            "POST", "/api/v1/contacts",
            json: ["first_name": "Olakunde", "last_name": "Hemmelig", "phones": [["number": "+47 915 00 123"]]], token: ola)
        let contactId = try id(contact)
        #expect(try await system.http("PUT", "/api/v1/contacts/\(contactId)/companies/\(companyId)", json: [:], token: ola).0 < 300)
        #expect(try await system.http("POST", "/api/v1/contacts/\(contactId)/notes", json: ["text": "Olanote"], token: ola).0 == 201)
        try await system.waitUntilTelephonyKnows("+4791500123", is: contactId)
        let (posted, reply) = try await system.http(
            "POST", "/api/v1/telephony/events",
            json: [
                "event_id": "vis-1", "call_id": "vis-1", "type": "completed", "direction": "inbound", "from": "+4791500123",
                "at": "2026-05-01T10:00:00Z", "duration": 60, "billsec": 50,
            ])
        #expect(posted == 200)
        let callId = try #require(((reply as? [String: Any])?["call_ids"] as? [Int])?.first)
        // Kari's own customer, which she must keep seeing.
        let (_, own) = try await system.http("POST", "/api/v1/contacts", json: ["last_name": "Karikunde"], token: kari)
        let ownId = try id(own)

        let (set, _) = try await system.http("PUT", "/api/v1/settings/configuration/visibility", json: ["shared_customer_cards": false])
        #expect(set == 200)
        try await system.eventually("contacts and telephony apply the visibility setting") {
            let card = try await system.http("GET", "/api/v1/contacts/\(contactId)", token: kari).0
            let call = try await system.http("GET", "/api/v1/calls/\(callId)", token: kari).0
            return card == 404 && call == 404
        }

        let routes: [(String, Expect, Expect)] = [
            ("/api/v1/contacts/\(contactId)", .hidden, .with("Olakunde")),
            ("/api/v1/contacts", .without("Olakunde"), .with("Olakunde")),
            ("/api/v1/contacts?q=olakun", .without("Olakunde"), .with("Olakunde")),
            ("/api/v1/contacts?q=91500123", .without("Olakunde"), .with("Olakunde")),
            ("/api/v1/contacts/\(contactId)/history", .hidden, .with("Olakunde")),
            ("/api/v1/contacts/\(contactId)/notes", .hidden, .with("Olanote")),
            ("/api/v1/notes?q=olanote", .without("Olanote"), .with("Olanote")),
            ("/api/v1/contacts/\(contactId)/companies", .hidden, .with("Olafirma")),
            ("/api/v1/contacts/\(contactId)/files", .hidden, .with("folders")),
            ("/api/v1/contacts/\(contactId)/calls", .without("+4791500123"), .with("+4791500123")),
            ("/api/v1/contacts/\(contactId)/calls/by-user", .hidden, .with("calls")),
            ("/api/v1/companies/\(companyId)", .hidden, .with("Olafirma")),
            ("/api/v1/companies", .without("Olafirma"), .with("Olafirma")),
            ("/api/v1/companies?q=olafirma", .without("Olafirma"), .with("Olafirma")),
            ("/api/v1/companies/\(companyId)/contacts", .hidden, .with("Olakunde")),
            ("/api/v1/companies/\(companyId)/calls", .without("+4791500123"), .with("+4791500123")),
            ("/api/v1/companies/\(companyId)/calls/by-user", .hidden, .with("calls")),
            ("/api/v1/calls", .without("+4791500123"), .with("+4791500123")),
            ("/api/v1/calls/\(callId)", .hidden, .with("+4791500123")),
            ("/api/v1/calls?contact_id=\(contactId)", .without("+4791500123"), .with("+4791500123")),
            ("/api/v1/calls?number=%2B4791500123", .without("+4791500123"), .with("+4791500123")),
            ("/api/v1/contacts/duplicates", .without("Olakunde"), .without("nothing-to-find")),
        ]
        var failures: [String] = []
        for (path, forKari, forBoss) in routes {
            for (who, token, expect) in [("kari", kari, forKari), ("boss", system.token!, forBoss)] {
                let (status, body) = try await system.http("GET", path, token: .some(token))
                let text =
                    body.flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
                let escaped = text.replacingOccurrences(of: "\\/", with: "/")
                switch expect {
                case .hidden where status != 404: failures.append("\(who) GET \(path): \(status), expected 404: \(text.prefix(200))")
                case .without(let marker) where status != 200 || escaped.contains(marker):
                    failures.append("\(who) GET \(path): \(status), must not show \(marker): \(text.prefix(200))")
                case .with(let marker) where status != 200 || !escaped.contains(marker):
                    failures.append("\(who) GET \(path): \(status), must show \(marker): \(text.prefix(200))")
                default: break
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // Kari still sees her own.
        #expect(try await system.http("GET", "/api/v1/contacts/\(ownId)", token: kari).0 == 200)
    }
}
