import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Every e-mail the system sent or tried to send, newest first, by state: what an operator
/// looks at when a customer says a mail never came (a `failed` one says why; an `unknown` one
/// gives the Message-ID to look for in the mail server's log).
struct MessagePages: Sendable {
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/messages", use: list)
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let state = request.uri.queryParameters.get("state").flatMap { Message.states.contains($0) ? $0 : nil }
            var ask = ListMessagesRequest()
            ask.state = state
            ask.limit = 50
            ask.cursor = request.uri.queryParameters.get("cursor")
            do {
                let page = try await ui.call(NotificationsContract.Method.listMessages, ask, request, context)
                var values: [String: Any] = [
                    "rows": page.items.map { message -> [String: Any] in
                        var row: [String: Any] = [
                            "subject": message.subject, "to": message.to.joined(separator: ", "), "state": message.state,
                            "at": Timestamp.string(from: message.sentAt ?? message.createdAt), "message_id": message.messageId,
                            "attempts": message.attempts,
                        ]
                        if let contact = message.contactId { row["customer"] = "/contacts/\(contact)" }
                        if let company = message.companyId { row["customer"] = "/companies/\(company)" }
                        if let error = message.error, message.state != "sent" { row["problem"] = error }
                        return row
                    },
                    "empty": page.items.isEmpty,
                    "states": Message.states.map { ["value": $0, "selected": $0 == state] },
                ]
                if let next = page.nextCursor {
                    values["next"] = "/messages?cursor=\(next)" + (state.map { "&state=\($0)" } ?? "")
                }
                return ui.renderer.page("messages", title: "E-mail", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
