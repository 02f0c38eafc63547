import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Call events in (generic JSON, Twilio, Vonage, CDR files) and the call log out (`/api/v1/calls`,
/// a contact's or company's calls, who spoke with them, numbers that matched nobody).
struct TelephonyRoutes: Sendable {
    typealias M = TelephonyContract.Method

    let api: APIForwarder
    let signatures: ProviderSignature

    static let producerHeader = HTTPField.Name("X-Producer")!

    /// The producer a request names (header or `producer` parameter), reduced to safe characters.
    static func producer(of request: Request) -> String? {
        let raw = request.headers[producerHeader] ?? request.uri.queryParameters.get("producer")
        return raw.map { String($0.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }.prefix(100)) }.flatMap {
            $0.isEmpty ? nil : $0
        }
    }

    func register(on routes: inout APIRouter) {
        routes.add(
            .post, "/api/v1/telephony/events", .scope(Scope.telephonyIngest), tag: "telephony",
            summary: "Post a call event, or an array of them (Prefer: respond-async answers 202 once they are durable)",
            query: ["producer"], body: "CallEvents", events)
        let webhooks: [(ProviderSignature.Kind, String)] = [
            (.twilio, "Twilio voice status callback (form-encoded; X-Twilio-Signature or a token)"),
            (.vonage, "Vonage voice event webhook (signed JWT or a token)"),
        ]
        for (kind, summary) in webhooks {
            WebhookRoutes(api: api, signatures: signatures, kind: kind, summary: summary).register(on: &routes)
        }
        routes.add(
            .post, "/api/v1/telephony/cdr", .scope(Scope.telephonyIngest), tag: "telephony",
            summary: "Upload a CDR file: asterisk (cdr-csv), asterisk-custom (with columns=), freeswitch (JSON), 3cx",
            query: ["format!asterisk,asterisk-custom,freeswitch,3cx", "producer", "columns", "timezone"], cdr)
        routes.add(
            .get, "/api/v1/calls", .scope(Scope.callsRead), tag: "calls", summary: "The call log",
            query: [
                "contact", "contact_id", "company", "company_id", "user_id", "direction", "status", "outcome", "user", "unmatched",
                "number",
                "from", "to", "cursor", "limit",
            ], calls)
        routes.add(
            .get, "/api/v1/calls/unmatched", .scope(Scope.callsRead), tag: "calls",
            summary: "Numbers whose calls matched no contact or company, most recent first", query: ["cursor", "limit"], unmatched)
        routes.add(
            .post, "/api/v1/calls/unmatched/resolve", .scope(Scope.contactsWrite), tag: "calls",
            summary:
                "Give an unmatched number to an existing contact (its calls follow); if_updated_at makes it a 409 when the contact changed since",
            body: "ResolveNumber", reply: "Contact", resolve)
        routes.add(.get, "/api/v1/calls/:id", .scope(Scope.callsRead), tag: "calls", summary: "One call", call)
        for (owner, key) in [("contacts", "contact_id"), ("companies", "company_id")] {
            CustomerCallRoutes(api: api, owner: owner, key: key).register(on: &routes)
        }
    }

    @Sendable func events(_ request: Request, context: GatewayContext) async throws -> Response {
        let raw = try await api.body(of: request)
        // One event object or an array of them; the service validates the events themselves.
        guard let first = raw.first(where: { !" \t\r\n".utf8.contains($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else {
            throw BusError.badRequest("the body must be a call event object or an array of them")
        }
        let producer = Self.producer(of: request).map { "\"\($0)\"" } ?? "null"
        var body = Data("{\"producer\":\(producer),\"events\":".utf8)
        if first == UInt8(ascii: "{") { body.append(UInt8(ascii: "[")) }
        body.append(raw)
        if first == UInt8(ascii: "{") { body.append(UInt8(ascii: "]")) }
        body.append(UInt8(ascii: "}"))
        // 200 only after the telephony service has committed the events to the call log; with
        // `Prefer: respond-async`, 202 once they are durable in its ingest log (the call log follows).
        if request.headers[HTTPField.Name("Prefer")!]?.lowercased().contains("respond-async") == true {
            return try await api.forward(
                request, context: context, method: M.ingestQueued, body: body, status: .accepted)
        }
        return try await api.forward(request, context: context, method: M.ingest, body: body)
    }

    @Sendable func cdr(_ request: Request, context: GatewayContext) async throws -> Response {
        // `format` is required and one of the four: `RequestValidation` saw to it.
        let format = request.uri.queryParameters.get("format") ?? ""
        let raw = try await api.body(of: request, limit: api.maxImport)
        let columns = request.uri.queryParameters.get("columns").map {
            $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        }
        let body = try Wire.encode(
            FormatIngestRequest(
                format: format, producer: Self.producer(of: request), content: raw, columns: columns,
                timeZone: request.uri.queryParameters.get("timezone").map { String($0) }))
        return try await api.forward(
            request, context: context, method: M.ingestFormat, body: body, timeout: .seconds(300))
    }

    @Sendable func calls(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.integer("contact", from: request, as: "contact_id")
        try query.integer("contact_id", from: request)
        try query.integer("company", from: request, as: "company_id")
        try query.integer("company_id", from: request)
        try query.integer("user_id", from: request)
        try query.boolean("unmatched", from: request)
        query.text("outcome", from: request, as: "status")
        for name in ["direction", "status", "user", "number", "from", "to"] { query.text(name, from: request) }
        try query.page(from: request)
        return try await api.forward(request, context: context, method: M.listCalls, query: query)
    }

    @Sendable func unmatched(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.page(from: request)
        return try await api.forward(request, context: context, method: M.unmatched, query: query)
    }

    @Sendable func resolve(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: ContactsContract.Method.addPhone, body: try await api.body(of: request))
    }

    @Sendable func call(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.getCall, query: try QueryBody(id: "id", from: context))
    }
}

/// One provider's webhook (`/api/v1/telephony/twilio`, `/vonage`): signed by the provider or sent with a token.
struct WebhookRoutes: Sendable {
    typealias M = TelephonyContract.Method

    let api: APIForwarder
    let signatures: ProviderSignature
    let kind: ProviderSignature.Kind
    let summary: String

    func register(on routes: inout APIRouter) {
        routes.add(
            .post, "/api/v1/telephony/\(kind.rawValue)", .scopeOrSignature(Scope.telephonyIngest, kind), tag: "telephony",
            summary: summary, query: ["producer"], body: kind == .vonage ? "VonageEvent" : nil,
            form: kind == .twilio ? "TwilioCallback" : nil, ingest)
    }

    @Sendable func ingest(_ request: Request, context: GatewayContext) async throws -> Response {
        let raw = try await api.body(of: request)
        if kind.isPresent(in: request) { try signatures.verify(kind, request, body: raw) }
        let body = try Wire.encode(
            FormatIngestRequest(format: kind.rawValue, producer: TelephonyRoutes.producer(of: request), content: raw))
        return try await api.forward(request, context: context, method: M.ingestFormat, body: body)
    }
}

/// The calls of one kind of customer: a company's log, and who spoke with a contact or company.
struct CustomerCallRoutes: Sendable {
    typealias M = TelephonyContract.Method

    let api: APIForwarder
    let owner: String
    let key: String

    func register(on routes: inout APIRouter) {
        let noun = owner == "contacts" ? "contact" : "company"
        if owner == "companies" {
            routes.add(
                .get, "/api/v1/companies/:id/calls", .scope(Scope.callsRead), tag: "calls",
                summary: "A company's calls: its own numbers and its contacts'", query: ["cursor", "limit"], companyCalls)
        }
        routes.add(
            .get, "/api/v1/\(owner)/:id/calls/by-user", .scope(Scope.callsRead), tag: "calls",
            summary: "Who in the company spoke with this \(noun), how often and when", speakers)
    }

    @Sendable func companyCalls(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: key, from: context)
        try query.page(from: request)
        return try await api.forward(request, context: context, method: M.listCalls, query: query)
    }

    @Sendable func speakers(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.speakers, query: try QueryBody(id: key, from: context))
    }
}
