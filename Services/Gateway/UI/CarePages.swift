import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Keeping the customer database clean: deleted contacts to restore, likely duplicates to merge,
/// and the GDPR review (contacts without activity for longer than the configured period, to
/// anonymise or to keep).
struct CarePages: Sendable {
    typealias M = ContactsContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/contacts/deleted", use: deleted)
        router.post("/contacts/:id/restore", use: restore)
        router.get("/contacts/duplicates", use: duplicates)
        router.post("/contacts/merge", use: merge)
        router.get("/gdpr", use: review)
        router.post("/contacts/:id/touch", use: touch)
        router.post("/contacts/:id/anonymize", use: anonymize)
    }

    static func rows(_ contacts: [Contact]) -> [[String: Any]] {
        contacts.map { contact in
            [
                "id": contact.id, "name": contact.displayName.isEmpty ? "(no name)" : contact.displayName,
                "email": contact.emails.first?.address ?? "", "phone": contact.phones.first?.number ?? "",
                "last_activity": contact.lastActivityAt.map { Timestamp.string(from: $0) } ?? "never",
                "deleted_at": contact.deletedAt.map { Timestamp.string(from: $0) } ?? "",
            ]
        }
    }

    @Sendable func deleted(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            var ask = ListContactsRequest(limit: 50, cursor: request.uri.queryParameters.get("cursor"))
            ask.deleted = true
            do {
                let page = try await ui.call(M.list, ask, request, context)
                return ui.renderer.page(
                    "deleted", title: "Restore contacts", values: ["rows": Self.rows(page.items), "empty": page.items.isEmpty],
                    session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func restore(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            do {
                _ = try await ui.call(M.restore, ContactIdRequest(id: id), request, context)
                return PageRenderer.redirect("/contacts/\(id)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func duplicates(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            do {
                let groups = try await ui.call(M.duplicates, DuplicatesRequest(limit: 50), request, context)
                var rows: [[String: Any]] = []
                for group in groups {
                    // Each record of the group with its name, the first one offered as the survivor.
                    var members: [[String: Any]] = []
                    for id in group.ids.prefix(5) {
                        if let contact = try? await ui.call(M.get, ContactIdRequest(id: id), request, context) {
                            members.append(["id": id, "name": contact.displayName, "email": contact.emails.first?.address ?? ""])
                        }
                    }
                    guard members.count >= 2 else { continue }
                    let survivor = members[0]
                    rows.append([
                        "reason": group.reason, "value": group.value, "members": members, "survivor_id": survivor["id"] ?? 0,
                        "survivor": survivor["name"] ?? "", "others": members.dropFirst().map { $0 },
                    ])
                }
                return ui.renderer.page(
                    "duplicates", title: "Duplicates", values: ["groups": rows, "empty": rows.isEmpty], session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func merge(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let survivor = fields["survivor_id"].flatMap({ Int64($0) }), let other = fields["other_id"].flatMap({ Int64($0) }) else {
                return ui.errorPage(.invalid("choose the two contacts to merge"), session: session)
            }
            do {
                _ = try await ui.call(M.merge, MergeRequest(survivorId: survivor, otherId: other), request, context)
                return PageRenderer.redirect("/contacts/\(survivor)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func review(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            do {
                let page = try await ui.call(
                    M.gdprReview, ReviewRequest(limit: 50, cursor: request.uri.queryParameters.get("cursor")), request, context)
                return ui.renderer.page(
                    "gdpr", title: "GDPR review",
                    values: ["rows": Self.rows(page.items), "empty": page.items.isEmpty, "boss": session.principal.rank == .boss],
                    session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func touch(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            do {
                _ = try await ui.call(M.touch, ContactIdRequest(id: id), request, context)
                return PageRenderer.redirect("/gdpr")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func anonymize(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            // Irreversible: the form asks for a confirmation the plain form carries as a field.
            guard fields["confirm"] == "yes" else {
                return ui.errorPage(.invalid("tick the confirmation: anonymising cannot be undone"), session: session)
            }
            do {
                _ = try await ui.call(M.anonymize, ContactIdRequest(id: id), request, context)
                return PageRenderer.redirect("/gdpr")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
