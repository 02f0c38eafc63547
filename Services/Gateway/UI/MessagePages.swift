import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Every e-mail and SMS the system sent, tried to send or received, newest first, by channel and
/// state: what an operator looks at when a customer says a message never came (a `failed` one
/// says why; an `unknown` e-mail gives the Message-ID to look for in the mail server's log, an
/// SMS the provider's id).
struct MessagePages: Sendable {
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/messages", use: list)
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let state = request.uri.queryParameters.get("state").flatMap { Message.states.contains($0) ? $0 : nil }
            let channel = request.uri.queryParameters.get("channel").flatMap { ["email", "sms"].contains($0) ? $0 : nil }
            var ask = ListMessagesRequest()
            ask.state = state
            ask.channel = channel
            ask.limit = 50
            ask.cursor = request.uri.queryParameters.get("cursor")
            do {
                let page = try await ui.call(NotificationsContract.Method.listMessages, ask, request, context)
                var values: [String: Any] = [
                    "rows": page.items.map { message -> [String: Any] in
                        let sms = message.channel == "sms"
                        var row: [String: Any] = [
                            "channel": sms ? "SMS" : "E-mail", "subject": sms ? message.text : message.subject,
                            "to": message.state == "received" ? "from " + message.from : message.to.joined(separator: ", "),
                            "state": message.state, "at": Timestamp.string(from: message.sentAt ?? message.createdAt),
                            "message_id": sms ? (message.providerId ?? "") : message.messageId, "attempts": message.attempts,
                        ]
                        if let contact = message.contactId { row["customer"] = "/contacts/\(contact)" }
                        if let company = message.companyId { row["customer"] = "/companies/\(company)" }
                        if let error = message.error, !["sent", "delivered", "received"].contains(message.state) { row["problem"] = error }
                        return row
                    },
                    "empty": page.items.isEmpty,
                    "states": Message.states.map { ["value": $0, "selected": $0 == state] },
                    "channels": [("email", "E-mail"), ("sms", "SMS")].map { ["value": $0.0, "label": $0.1, "selected": $0.0 == channel] },
                ]
                if let next = page.nextCursor {
                    values["next"] =
                        "/messages?cursor=\(next)" + (state.map { "&state=\($0)" } ?? "") + (channel.map { "&channel=\($0)" } ?? "")
                }
                return ui.renderer.page("messages", title: "Messages", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
