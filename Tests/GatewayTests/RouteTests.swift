import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing

@testable import GatewayService

/// The gateway's routes in process against a fake bus: what each route sends to which method,
/// as whom, and how bus answers become HTTP answers.
@Suite("Gateway routes against a fake bus")
struct RouteTests {
    let bus = FakeBus()

    func run(_ test: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        let gateway = GatewayRoutes(
            bus: bus, config: ServiceConfig(), signatures: ProviderSignature(twilioAuthToken: nil, vonageSecret: nil, publicURL: nil))
        let app = Application(router: gateway.router)
        try await app.test(.router, test)
    }

    static let auth: HTTPFields = [.authorization: "Bearer good-token", .contentType: "application/json"]

    static func json(_ response: TestResponse) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any]) ?? [:]
    }

    static let kari = Contact.sample(id: 42, firstName: "Kari")

    @Test("creating a contact sends the body to contacts.create as the signed-in user, and answers 201 with the reply")
    func createForwards() async throws {
        bus.answer(ContactsContract.Method.create) { _ in Self.kari }
        try await run { client in
            let response = try await client.execute(
                uri: "/api/v1/contacts", method: .post, headers: Self.auth,
                body: ByteBuffer(string: #"{"first_name":"Kari","phones":[{"number":"+47 912 34 567"}]}"#))
            #expect(response.status == .created)
            #expect(Self.json(response)["id"] as? Int == 42)
        }
        let sent = try #require(bus.sent.first)
        #expect(sent.service == "contacts" && sent.method == "contacts.create")
        #expect(sent.object["first_name"] as? String == "Kari")
        #expect(sent.headers.userId == 1 && sent.headers.actor == "admin" && sent.headers.rank == "boss")
    }

    @Test("a body the document refuses is a 422 naming the place, and nothing reaches the bus")
    func invalidBodyStopsAtTheGateway() async throws {
        try await run { client in
            let response = try await client.execute(
                uri: "/api/v1/contacts", method: .post, headers: Self.auth,
                body: ByteBuffer(string: #"{"first_name":"Kari","phones":[{"number":""}]}"#))
            #expect(response.status == .unprocessableContent)
            let error = Self.json(response)["error"] as? [String: Any]
            #expect(error?["code"] as? String == "invalid")
            #expect((error?["message"] as? String)?.contains("phones[0].number") == true, "\(String(describing: error))")
        }
        #expect(bus.sent.isEmpty)
    }

    @Test("without a token a route answers 401 with a challenge and asks no service")
    func noToken() async throws {
        try await run { client in
            let response = try await client.execute(uri: "/api/v1/contacts/42", method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"crm\"")
        }
        #expect(bus.sent.isEmpty)
    }

    @Test("every bus error code becomes its one HTTP status, with the code and message in the body")
    func errorCodes() async throws {
        let expected: [BusErrorCode: HTTPResponse.Status] = [
            .badRequest: .badRequest, .invalid: .unprocessableContent, .notFound: .notFound, .conflict: .conflict,
            .tooLarge: .contentTooLarge, .unauthorized: .unauthorized, .forbidden: .forbidden, .rateLimited: .tooManyRequests,
            .unavailable: .serviceUnavailable, .timeout: .gatewayTimeout, .internal: .internalServerError,
        ]
        #expect(Set(expected.keys) == Set(BusErrorCode.allCases))
        for (code, status) in expected {
            bus.fail(ContactsContract.Method.get, with: BusError(code: code, message: "said by the fake", details: ["count": 3]))
            try await run { client in
                let response = try await client.execute(uri: "/api/v1/contacts/42", method: .get, headers: Self.auth)
                #expect(response.status == status, "\(code)")
                let error = Self.json(response)["error"] as? [String: Any]
                #expect(error?["code"] as? String == code.rawValue && error?["message"] as? String == "said by the fake")
                #expect(error?["count"] as? Int == 3)
            }
        }
        #expect(bus.sent.allSatisfy { $0.method == "contacts.get" && $0.object["id"] as? Int == 42 })
    }

    @Test("linking an unmatched number is one request to contacts.add_phone, passed through as it came")
    func resolveIsOneContactsMethod() async throws {
        bus.answer(ContactsContract.Method.addPhone) { _ in Self.kari }
        try await run { client in
            let response = try await client.execute(
                uri: "/api/v1/calls/unmatched/resolve", method: .post, headers: Self.auth,
                body: ByteBuffer(string: #"{"number":"+47 22 11 00 99","contact_id":42,"if_updated_at":"2026-11-27T10:00:00.000Z"}"#))
            #expect(response.status == .ok)
        }
        #expect(bus.sent.map(\.method) == ["contacts.add_phone"])
        let body = try #require(bus.sent.first).object
        #expect(body["contact_id"] as? Int == 42 && body["if_updated_at"] as? String == "2026-11-27T10:00:00.000Z")
    }

    @Test("a person's export is one request to contacts.export_person; the gateway assembles nothing")
    func exportIsOneContactsMethod() async throws {
        bus.answer(ContactsContract.Method.exportPerson) { _ in
            PersonExport(exportedAt: Date(), contact: Self.kari, companies: [], notes: [], history: [], calls: [])
        }
        try await run { client in
            let response = try await client.execute(uri: "/api/v1/contacts/42/export", method: .get, headers: Self.auth)
            #expect(response.status == .ok)
            #expect((Self.json(response)["calls"] as? [Any])?.isEmpty == true)
        }
        #expect(bus.sent.map(\.method) == ["contacts.export_person"])
        #expect(bus.sent.first?.object["id"] as? Int == 42)
    }

    @Test("an Idempotency-Key becomes the bus request id, scoped to the signed-in user")
    func idempotencyKey() async throws {
        bus.answer(ContactsContract.Method.create) { _ in Self.kari }
        var headers = Self.auth
        headers[HTTPField.Name("Idempotency-Key")!] = "retry-me"
        try await run { [headers] client in
            _ = try await client.execute(
                uri: "/api/v1/contacts", method: .post, headers: headers, body: ByteBuffer(string: #"{"first_name":"Kari"}"#))
        }
        #expect(bus.sent.first?.requestId == "http:1:retry-me")
    }
}

extension Contact {
    /// A contact as the contacts service would answer it.
    static func sample(id: Int64, firstName: String) -> Contact {
        let json = """
            {"id": \(id), "first_name": "\(firstName)", "last_name": "", "phones": [], "emails": [], "category_ids": [],
             "custom_fields": {}, "consumer": false, "created_at": "2026-11-27T10:00:00.000Z", "updated_at": "2026-11-27T10:00:00.000Z"}
            """
        return try! Wire.decode(Contact.self, from: Data(json.utf8))
    }
}
