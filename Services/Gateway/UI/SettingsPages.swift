import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// The settings pages, for a boss: every kind of reference data with its colours and locks,
/// and the users. A user who is not a boss gets 403 here and sees no link to them.
struct SettingsPages: Sendable {
    typealias M = SettingsContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/settings", use: overview)
        router.get("/settings/audit", use: audit)
        // Before `/settings/:kind`, which would take their names for a kind.
        GroupPages(ui: ui).register(on: router)
        ProcessPages(ui: ui).register(on: router)
        ConfigurationPages(ui: ui).register(on: router)
        UserPages(ui: ui).register(on: router)
        FieldPages(ui: ui).register(on: router)
        router.get("/settings/:kind", use: reference)
        router.post("/settings/:kind", use: addReference)
        router.get("/settings/:kind/:id", use: item)
        router.post("/settings/:kind/:id", use: updateItem)
        router.post("/settings/:kind/:id/move", use: moveCustomers)
        router.post("/settings/:kind/:id/delete", use: deleteItem)
    }

    /// The page for a boss, or 403.
    func boss(
        _ request: Request, _ context: GatewayContext, _ page: @escaping (UISession) async throws -> Response
    ) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard session.principal.rank == .boss else {
                return ui.errorPage(.forbidden("only an administrator (a boss) changes the settings"), session: session)
            }
            return try await page(session)
        }
    }

    /// A settings page: the values `load` gathers, with `extra` (an objection to show, a secret
    /// shown once) on top; an error page when a service refuses to answer.
    func show(
        _ template: String, title: String, session: UISession, extra: [String: Any], status: HTTPResponse.Status,
        _ load: () async throws -> [String: Any]
    ) async throws -> Response {
        do {
            var values = try await load()
            values.merge(extra) { _, new in new }
            return ui.renderer.page(template, title: title, values: values, session: session, status: status)
        } catch let error as BusError {
            return ui.errorPage(error, session: session)
        }
    }

    /// A change made from a settings page: back to `path` when done, the page `again` with the
    /// service's objection when it refuses (one of `refusals`), an error page otherwise.
    func change(
        back path: String, session: UISession, refusals: Set<BusErrorCode> = [.invalid, .conflict, .notFound],
        again: (BusError) async throws -> Response, _ work: () async throws -> Void
    ) async throws -> Response {
        do {
            try await work()
            return PageRenderer.redirect(path)
        } catch let error as BusError where refusals.contains(error.code) {
            return try await again(error)
        } catch let error as BusError {
            return ui.errorPage(error, session: session)
        }
    }

    static func title(_ kind: ReferenceKind) -> String {
        kind.rawValue.replacingOccurrences(of: "-", with: " ").prefix(1).uppercased()
            + kind.rawValue.replacingOccurrences(of: "-", with: " ").dropFirst()
    }

    @Sendable func overview(_ request: Request, context: GatewayContext) async throws -> Response {
        try await boss(request, context) { session in
            let users: [User]
            do {
                users = try await ui.call(M.listUsers, ListUsersRequest(), request, context)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
            let values: [String: Any] = [
                "kinds": ReferenceKind.allCases.map { ["path": "/settings/\($0.rawValue)", "title": Self.title($0)] },
                "users": users.map { user -> [String: Any] in
                    ["username": user.username, "name": user.name, "rank": user.rank.rawValue, "active": user.active]
                },
            ]
            return ui.renderer.page("settings", title: "Settings", values: values, session: session)
        }
    }

    @Sendable func reference(_ request: Request, context: GatewayContext) async throws -> Response {
        try await boss(request, context) { session in
            guard let kind = context.parameters.get("kind").flatMap(ReferenceKind.init(rawValue:)) else {
                return ui.errorPage(.notFound("there is no such settings page"), session: session)
            }
            return try await referencePage(kind, request, context, session: session, values: [:], status: .ok)
        }
    }

    func referencePage(
        _ kind: ReferenceKind, _ request: Request, _ context: GatewayContext, session: UISession, values extra: [String: Any],
        status: HTTPResponse.Status
    ) async throws -> Response {
        let items: [ReferenceItem]
        do {
            items = try await ui.call(M.listReference, ListReferenceRequest(kind: kind), request, context)
        } catch let error as BusError {
            return ui.errorPage(error, session: session)
        }
        var values: [String: Any] = [
            "title": Self.title(kind), "item": kind.itemName, "path": "/settings/\(kind.rawValue)",
            "items": items.map { item -> [String: Any] in
                var row: [String: Any] = [
                    "name": item.name, "active": item.active, "locked": item.locked, "link": "/settings/\(kind.rawValue)/\(item.id)",
                ]
                if let colour = item.colour { row["colour"] = colour }
                return row
            },
            "empty": items.isEmpty, "colour": "#0b5cad",
        ]
        for (key, value) in extra { values[key] = value }
        return ui.renderer.page("reference", title: Self.title(kind), values: values, session: session, status: status)
    }

    @Sendable func addReference(_ request: Request, context: GatewayContext) async throws -> Response {
        try await boss(request, context) { session in
            guard let kind = context.parameters.get("kind").flatMap(ReferenceKind.init(rawValue:)) else {
                return ui.errorPage(.notFound("there is no such settings page"), session: session)
            }
            let fields = try await ui.form(request, context)
            let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespaces)
            let colour = fields["colour"].flatMap { $0.isEmpty ? nil : $0 }
            guard !name.isEmpty else {
                return try await referencePage(
                    kind, request, context, session: session, values: ["error_name": "Give the new \(kind.itemName) a name."],
                    status: .unprocessableContent)
            }
            do {
                _ = try await ui.call(M.createReference, CreateReferenceRequest(kind: kind, name: name, colour: colour), request, context)
            } catch let error as BusError where [.invalid, .conflict].contains(error.code) {
                return try await referencePage(
                    kind, request, context, session: session,
                    values: ["error_name": error.message, "name": name, "colour": colour ?? "#0b5cad"], status: .unprocessableContent)
            }
            return PageRenderer.redirect("/settings/\(kind.rawValue)")
        }
    }

    /// The audit trail: who changed which setting when, newest first, page by page.
    @Sendable func audit(_ request: Request, context: GatewayContext) async throws -> Response {
        try await boss(request, context) { session in
            do {
                let page = try await ui.call(
                    M.listAudit, ListAuditRequest(limit: 50, cursor: request.uri.queryParameters.get("cursor")), request, context)
                let rows: [[String: Any]] = page.items.map { entry in
                    [
                        "at": Timestamp.string(from: entry.at), "actor": entry.actor ?? "(the system)", "action": entry.action,
                        "what": [entry.entity, entry.kind, entry.entityId.map(String.init)].compactMap { $0 }.joined(separator: " "),
                    ]
                }
                var values: [String: Any] = ["rows": rows, "empty": rows.isEmpty]
                if let next = page.nextCursor {
                    values["next"] = "/settings/audit?cursor=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next)
                }
                return ui.renderer.page("audit", title: "Audit trail", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    // MARK: - One reference item

    /// The kind and id in the path, or nil.
    func target(_ context: GatewayContext) -> (ReferenceKind, Int64)? {
        guard let kind = context.parameters.get("kind").flatMap(ReferenceKind.init(rawValue:)),
            let id = context.parameters.get("id").flatMap({ Int64($0) })
        else { return nil }
        return (kind, id)
    }

    func itemPage(
        _ kind: ReferenceKind, _ id: Int64, _ request: Request, _ context: GatewayContext, session: UISession,
        values extra: [String: Any] = [:], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        do {
            async let found = ui.call(M.getReference, ReferenceIdRequest(kind: kind, id: id), request, context)
            async let usage = ui.call(M.referenceUsage, ReferenceIdRequest(kind: kind, id: id), request, context)
            async let all = ui.call(M.listReference, ListReferenceRequest(kind: kind, active: true), request, context)
            let (item, used, others) = try await (found, usage, all)
            var values: [String: Any] = [
                "kind_title": Self.title(kind), "kind_path": "/settings/\(kind.rawValue)", "path": "/settings/\(kind.rawValue)/\(id)",
                "item_name": item.name, "colour": item.colour ?? "#0b5cad", "active": item.active, "locked": item.locked,
                "used": used.count, "movable": !kind.owners.isEmpty,
                "others": others.filter { $0.id != id }.map { ["other_id": $0.id, "other_name": $0.name] },
                "noun": kind.itemName,
            ]
            for (key, value) in extra { values[key] = value }
            return ui.renderer.page("reference_item", title: item.name, values: values, session: session, status: status)
        } catch let error as BusError {
            return ui.errorPage(error, session: session)
        }
    }

    @Sendable func item(_ request: Request, context: GatewayContext) async throws -> Response {
        try await boss(request, context) { session in
            guard let (kind, id) = target(context) else { return ui.errorPage(.notFound("there is no such item"), session: session) }
            return try await itemPage(kind, id, request, context, session: session)
        }
    }

    @Sendable func updateItem(_ request: Request, context: GatewayContext) async throws -> Response {
        try await boss(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let (kind, id) = target(context) else { return ui.errorPage(.notFound("there is no such item"), session: session) }
            var ask = UpdateReferenceRequest(kind: kind, id: id)
            ask.name = (fields["name"] ?? "").trimmingCharacters(in: .whitespaces)
            ask.colour = fields["colour"].flatMap { $0.isEmpty ? nil : $0 }
            ask.active = fields["active"] == "on"
            do {
                _ = try await ui.call(M.updateReference, ask, request, context)
                return PageRenderer.redirect("/settings/\(kind.rawValue)")
            } catch let error as BusError where [.invalid, .conflict].contains(error.code) {
                return try await itemPage(
                    kind, id, request, context, session: session, values: ["error_name": error.message], status: .unprocessableContent)
            }
        }
    }

    /// Moving every customer to another item: the first press answers how many would move, the
    /// confirmation moves them.
    @Sendable func moveCustomers(_ request: Request, context: GatewayContext) async throws -> Response {
        try await boss(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let (kind, id) = target(context), let to = fields["to"].flatMap({ Int64($0) }) else {
                return ui.errorPage(.invalid("choose where the customers go"), session: session)
            }
            let confirm = fields["confirm"] == "yes"
            do {
                let reply = try await ui.call(
                    M.moveCustomers, MoveCustomersRequest(kind: kind, id: id, to: to, confirm: confirm), request, context)
                if confirm {
                    return try await itemPage(kind, id, request, context, session: session, values: ["moved": reply.count])
                }
                return try await itemPage(kind, id, request, context, session: session, values: ["would_move": reply.count, "move_to": to])
            } catch let error as BusError where [.invalid, .conflict].contains(error.code) {
                return try await itemPage(
                    kind, id, request, context, session: session, values: ["error_move": error.message], status: .unprocessableContent)
            }
        }
    }

    @Sendable func deleteItem(_ request: Request, context: GatewayContext) async throws -> Response {
        try await boss(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let (kind, id) = target(context) else { return ui.errorPage(.notFound("there is no such item"), session: session) }
            let replacement = fields["replacement"].flatMap { Int64($0) }
            do {
                _ = try await ui.call(
                    M.deleteReference,
                    DeleteReferenceRequest(
                        kind: kind, id: id, replacementId: replacement, clear: replacement == nil && fields["clear"] == "yes"),
                    request, context)
                return PageRenderer.redirect("/settings/\(kind.rawValue)")
            } catch let error as BusError where [.invalid, .conflict].contains(error.code) {
                return try await itemPage(
                    kind, id, request, context, session: session, values: ["error_delete": error.message], status: .unprocessableContent)
            }
        }
    }
}
