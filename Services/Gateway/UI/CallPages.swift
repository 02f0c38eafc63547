import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// The call log, the numbers that matched nobody, and "link to a contact".
struct CallPages: Sendable {
    typealias M = TelephonyContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/calls", use: log)
        router.get("/calls/unmatched", use: unmatched)
        router.get("/calls/unmatched/link", use: linkForm)
        router.post("/calls/unmatched/link", use: link)
    }

    static let statuses = ["answered", "missed", "busy", "failed", "no_answer", "voicemail"]

    @Sendable func log(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            var ask = ListCallsRequest()
            ask.limit = 50
            ask.cursor = request.uri.queryParameters.get("cursor")
            let status = request.uri.queryParameters.get("status").flatMap { Self.statuses.contains($0) ? $0 : nil }
            ask.status = status
            let from = request.uri.queryParameters.get("from") ?? "", to = request.uri.queryParameters.get("to") ?? ""
            ask.from = CardParts.day(from)
            ask.to = CardParts.day(to).map { $0.addingTimeInterval(86_400) }
            let user = request.uri.queryParameters.get("user").flatMap { Int64($0) }
            ask.userId = user
            // The users to filter by (settings:read; without it the filter is not offered).
            let users = (try? await ui.call(SettingsContract.Method.listUsers, ListUsersRequest(active: true), request, context)) ?? []
            let page: Page<Call>
            do {
                page = try await ui.call(M.listCalls, ask, request, context)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
            let rows: [[String: Any]] = page.items.map { call in
                var row: [String: Any] = [
                    "id": call.id, "direction": call.direction, "status": call.outcome ?? call.status,
                    "number": (call.direction == "outbound" ? call.to : call.from) ?? "", "user": call.user ?? call.extension ?? "",
                    "at": call.startedAt.map { Timestamp.string(from: $0) } ?? "", "duration": call.billsec.map { "\($0) s" } ?? "",
                ]
                if let contact = call.contactId { row["contact_id"] = contact }
                if call.unmatched { row["unmatched"] = true }
                return row
            }
            var values: [String: Any] = [
                "rows": rows, "empty": rows.isEmpty, "from": from, "to": to, "has_users": !users.isEmpty,
                "users": users.map { ["user_id": $0.id, "user_name": $0.name.isEmpty ? $0.username : $0.name, "selected": $0.id == user] },
                "statuses": Self.statuses.map {
                    ["value": $0, "label": $0.replacingOccurrences(of: "_", with: " "), "selected": $0 == status]
                },
            ]
            if let next = page.nextCursor {
                var query = "cursor=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next)"
                if let status { query += "&status=\(status)" }
                if !from.isEmpty { query += "&from=\(from)" }
                if !to.isEmpty { query += "&to=\(to)" }
                if let user { query += "&user=\(user)" }
                values["next"] = "/calls?" + query
            }
            return ui.renderer.page("calls", title: "Call log", values: values, session: session)
        }
    }

    @Sendable func unmatched(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            do {
                let page = try await ui.call(
                    M.unmatched, UnmatchedRequest(limit: 100, cursor: request.uri.queryParameters.get("cursor")), request, context)
                let rows: [[String: Any]] = page.items.map { number in
                    [
                        "number": number.number, "calls": number.calls, "missed": number.missed,
                        "last": number.lastCallAt.map { Timestamp.string(from: $0) } ?? "",
                        "link": "/calls/unmatched/link?number="
                            + (number.number.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
                    ]
                }
                return ui.renderer.page(
                    "unmatched", title: "Unmatched numbers", values: ["rows": rows, "empty": rows.isEmpty], session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// Choosing the contact a number belongs to: a contact search, each result a "link" button.
    @Sendable func linkForm(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let number = request.uri.queryParameters.get("number") ?? ""
            let q = request.uri.queryParameters.get("q")?.trimmingCharacters(in: .whitespaces) ?? ""
            var values: [String: Any] = ["number": number, "q": q]
            if !q.isEmpty {
                do {
                    let page = try await ui.call(ContactsContract.Method.list, ListContactsRequest(q: q, limit: 20), request, context)
                    values["contacts"] = page.items.map { contact -> [String: Any] in
                        [
                            "id": contact.id, "name": contact.displayName, "updated_at": Timestamp.string(from: contact.updatedAt),
                            "phones": contact.phones.map(\.number).joined(separator: ", "),
                        ]
                    }
                    values["none"] = page.items.isEmpty
                } catch let error as BusError {
                    return ui.errorPage(error, session: session)
                }
            }
            return ui.renderer.page("link_number", title: "Link \(number) to a contact", values: values, session: session)
        }
    }

    @Sendable func link(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let number = fields["number"], !number.isEmpty, let contactId = fields["contact_id"].flatMap({ Int64($0) }) else {
                return ui.errorPage(.invalid("choose the contact to link the number to"), session: session)
            }
            do {
                let contact = try await ui.call(
                    ContactsContract.Method.addPhone,
                    AddPhoneRequest(
                        contactId: contactId, number: number, kind: "work", ifUpdatedAt: fields["updated_at"].flatMap(Timestamp.parse)),
                    request, context)
                return PageRenderer.redirect("/contacts/\(contact.id)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
