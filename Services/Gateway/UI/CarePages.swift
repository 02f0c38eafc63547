import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Keeping the customer database clean: deleted contacts and companies to restore, likely
/// duplicates of either to merge,
/// and the GDPR review (contacts without activity for longer than the configured period, to
/// anonymise or to keep).
struct CarePages: Sendable {
    typealias M = ContactsContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        for kind in ["contacts", "companies"] {
            router.get("/\(kind)/deleted") { request, context in try await deleted(kind, request, context) }
            router.post("/\(kind)/:id/restore") { request, context in try await restore(kind, request, context) }
            router.get("/\(kind)/duplicates") { request, context in try await duplicates(kind, request, context) }
            router.post("/\(kind)/merge") { request, context in try await merge(kind, request, context) }
            router.post("/\(kind)/:id/delete") { request, context in try await delete(kind, request, context) }
        }
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

    /// Deleted contacts or companies (`kind`), newest first, each with its restore button.
    func deleted(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let cursor = request.uri.queryParameters.get("cursor")
            do {
                let rows: [[String: Any]]
                let next: String?
                if kind == "companies" {
                    var ask = ListCompaniesRequest(limit: 50, cursor: cursor)
                    ask.deleted = true
                    let page = try await ui.call(M.listCompanies, ask, request, context)
                    rows = page.items.map { company in
                        [
                            "id": company.id, "name": company.name,
                            "email": company.organisationNumber ?? company.emails.first?.address ?? "",
                            "deleted_at": company.deletedAt.map { Timestamp.string(from: $0) } ?? "",
                        ]
                    }
                    next = page.nextCursor
                } else {
                    var ask = ListContactsRequest(limit: 50, cursor: cursor)
                    ask.deleted = true
                    let page = try await ui.call(M.list, ask, request, context)
                    rows = Self.rows(page.items)
                    next = page.nextCursor
                }
                var values: [String: Any] = [
                    "rows": rows, "empty": rows.isEmpty, "kind": kind, "noun": kind == "companies" ? "companies" : "contacts",
                ]
                if let next { values["next"] = "/\(kind)/deleted?cursor=" + SearchFilters.encode(next) }
                return ui.renderer.page("deleted", title: "Restore \(kind)", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    func restore(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let customer = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            do {
                if customer.isContact {
                    _ = try await ui.call(M.restore, ContactIdRequest(id: customer.id), request, context)
                } else {
                    _ = try await ui.call(M.restoreCompany, ContactIdRequest(id: customer.id), request, context)
                }
                return PageRenderer.redirect(customer.path)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// Deletes a contact or company (softly: it is listed under "Restore deleted").
    func delete(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let customer = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            do {
                if customer.isContact {
                    _ = try await ui.call(M.delete, ContactIdRequest(id: customer.id), request, context)
                } else {
                    _ = try await ui.call(M.deleteCompany, ContactIdRequest(id: customer.id), request, context)
                }
                return PageRenderer.redirect("/\(kind)/deleted")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// Likely duplicates among contacts or companies, each group with its merge buttons.
    func duplicates(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            do {
                let companies = kind == "companies"
                let groups = try await ui.call(
                    companies ? M.companyDuplicates : M.duplicates, DuplicatesRequest(limit: 50), request, context)
                var rows: [[String: Any]] = []
                for group in groups {
                    // Each record of the group with its name, the first one offered as the survivor.
                    var members: [[String: Any]] = []
                    for id in group.ids.prefix(5) {
                        if companies {
                            if let company = try? await ui.call(M.getCompany, ContactIdRequest(id: id), request, context) {
                                members.append(["id": id, "name": company.name, "email": company.organisationNumber ?? ""])
                            }
                        } else if let contact = try? await ui.call(M.get, ContactIdRequest(id: id), request, context) {
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
                    "duplicates", title: "Duplicates",
                    values: ["groups": rows, "empty": rows.isEmpty, "kind": kind, "noun": companies ? "companies" : "contacts"],
                    session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    func merge(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let survivor = fields["survivor_id"].flatMap({ Int64($0) }), let other = fields["other_id"].flatMap({ Int64($0) }) else {
                return ui.errorPage(.invalid("choose the two records to merge"), session: session)
            }
            do {
                let ask = MergeRequest(survivorId: survivor, otherId: other)
                if kind == "companies" {
                    _ = try await ui.call(M.mergeCompanies, ask, request, context)
                } else {
                    _ = try await ui.call(M.merge, ask, request, context)
                }
                return PageRenderer.redirect("/\(kind)/\(survivor)")
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
