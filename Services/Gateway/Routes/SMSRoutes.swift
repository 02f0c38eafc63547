import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// SMS through the notifications service: one message, batches with their dry run and
/// controls, consent, a customer's campaigns, and the providers' webhooks (status callbacks,
/// delivery receipts and inbound messages, signed by the provider or sent with a token).
struct SMSRoutes: Sendable {
    typealias M = NotificationsContract.Method

    let api: APIForwarder
    let signatures: ProviderSignature

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.messagesRead), send = RoutePolicy.scope(Scope.messagesSend)
        routes.add(
            .post, "/api/v1/messages/sms", send, tag: "messages",
            summary:
                "Queue an SMS to a number or a contact's mobile (text may use {{first_name}}, {{last_name}}, {{name}}, {{company}}, {{owner}}); refused for an opted-out number, or marketing without consent",
            body: "NewSMS", reply: "Message", status: .created, sendSMS)
        routes.add(
            .post, "/api/v1/sms/batches", send, tag: "sms batches",
            summary: "Create an SMS batch for customers: a snapshot of one message per number, as a draft (start it after)",
            body: "NewBatch", reply: "Batch", status: .created, createBatch)
        routes.add(
            .post, "/api/v1/sms/batches/dry-run", send, tag: "sms batches",
            summary: "What a batch would be, storing nothing: recipients, parts, cost, ETA, and who is left out and why",
            body: "NewBatch", reply: "Batch", dryRun)
        routes.add(
            .get, "/api/v1/sms/batches", read, tag: "sms batches", summary: "SMS batches, newest first", query: ["cursor", "limit"],
            listBatches)
        routes.add(
            .get, "/api/v1/sms/batches/:id", read, tag: "sms batches",
            summary: "A batch: counts per state, rate, ETA, top errors", reply: "Batch", getBatch)
        for (action, method) in [("start", M.startBatch), ("pause", M.pauseBatch), ("resume", M.resumeBatch), ("cancel", M.cancelBatch)] {
            routes.add(
                .post, "/api/v1/sms/batches/:id/\(action)", send, tag: "sms batches", summary: "\(action.capitalized) a batch",
                reply: "Batch"
            ) { request, context in
                try await api.forward(request, context: context, method: method, query: try QueryBody(id: "id", from: context))
            }
        }
        routes.add(
            .get, "/api/v1/contacts/:id/consents", read, tag: "consent",
            summary: "A contact's consents per channel and purpose, with evidence, and their numbers that opted out", consents)
        routes.add(
            .put, "/api/v1/contacts/:id/consents", .scope(Scope.contactsWrite), tag: "consent",
            summary: "Record a contact's consent (or its withdrawal) for a channel and purpose, with where it came from",
            body: "NewConsent",
            setConsent)
        routes.add(
            .get, "/api/v1/contacts/:id/campaigns", read, tag: "sms batches",
            summary: "The batches a contact was in, with their message's outcome or why they were left out", query: ["limit"], campaigns)
        let hooks: [(String, String, ProviderSignature.Kind, String?, String)] = [
            ("twilio", "status", .twilio, "TwilioSMSStatus", "Twilio SMS status callback (X-Twilio-Signature or a token)"),
            ("twilio", "inbound", .twilio, "TwilioSMSInbound", "Twilio inbound SMS: STOP and the configured words opt the number out"),
            ("vonage", "status", .vonageSMS, nil, "Vonage SMS delivery receipt, JSON or form (signed with sig, or a token)"),
            ("vonage", "inbound", .vonageSMS, nil, "Vonage inbound SMS: STOP and the configured words opt the number out"),
        ]
        for (provider, kind, signature, form, summary) in hooks {
            let path = "/api/v1/notifications/\(provider)/\(provider == "vonage" && kind == "status" ? "receipt" : kind)"
            routes.add(
                .post, path, .scopeOrSignature(Scope.messagesSend, signature), tag: "sms webhooks", summary: summary,
                query: provider == "twilio" && kind == "status" ? ["message"] : [], form: form
            ) { request, context in
                let raw = try await api.body(of: request, limit: 1 << 16)
                if signature.isPresent(in: request) { try signatures.verify(signature, request, body: raw) }
                let reference = request.uri.queryParameters.get("message").flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
                let body = try Wire.encode(SMSWebhookRequest(provider: provider, kind: kind, reference: reference, content: raw))
                return try await api.forward(request, context: context, method: M.webhook, body: body)
            }
        }
    }

    @Sendable func sendSMS(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(request, context: context, method: M.sendSMS, fields: [:], status: .created)
    }

    @Sendable func createBatch(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(request, context: context, method: M.createBatch, fields: [:], status: .created)
    }

    @Sendable func dryRun(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(request, context: context, method: M.createBatch, fields: ["dry_run": true])
    }

    @Sendable func listBatches(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.page(from: request)
        return try await api.forward(request, context: context, method: M.listBatches, query: query)
    }

    @Sendable func getBatch(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(request, context: context, method: M.getBatch, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func consents(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(request, context: context, method: M.consents, query: try QueryBody(id: "contact_id", from: context))
    }

    @Sendable func setConsent(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(request, context: context, method: M.setConsent, fields: ["contact_id": try pathID(context)])
    }

    @Sendable func campaigns(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: "contact_id", from: context)
        try query.integer("limit", from: request)
        return try await api.forward(request, context: context, method: M.customerBatches, query: query)
    }
}
