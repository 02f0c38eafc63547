import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// E-mail and SMS through the notifications service: `/api/v1/messages`.
struct MessageRoutes: Sendable {
    typealias M = NotificationsContract.Method

    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.messagesRead), send = RoutePolicy.scope(Scope.messagesSend)
        routes.add(
            .post, "/api/v1/messages/email", send, tag: "messages",
            summary: "Queue an e-mail (sent once over SMTP; its state says what became of it)", body: "NewEmail", reply: "Message",
            status: .created, sendEmail)
        routes.add(
            .get, "/api/v1/messages", read, tag: "messages", summary: "Messages, newest first: all, or a customer's",
            query: [
                "contact_id", "company_id", "batch_id", "channel:email,sms", "state:" + Message.states.joined(separator: ","), "cursor",
                "limit",
            ], list)
        routes.add(.get, "/api/v1/messages/:id", read, tag: "messages", summary: "One message and its state", reply: "Message", get)
        routes.add(
            .post, "/api/v1/sms/preview", read, tag: "messages",
            summary: "How an SMS text travels: GSM-7 or UCS-2, its parts, and the characters that forced UCS-2", body: "SMSText",
            preview)
    }

    @Sendable func sendEmail(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(request, context: context, method: M.sendEmail, fields: [:], status: .created)
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        for name in ["contact_id", "company_id", "batch_id"] { try query.integer(name, from: request) }
        query.text("state", from: request)
        query.text("channel", from: request)
        try query.page(from: request)
        return try await api.forward(request, context: context, method: M.listMessages, query: query)
    }

    @Sendable func get(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(request, context: context, method: M.getMessage, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func preview(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(request, context: context, method: M.smsPreview, fields: [:])
    }
}
