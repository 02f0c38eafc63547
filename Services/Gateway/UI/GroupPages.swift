import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// For a boss: the employee groups tree (add, rename, move, delete; members with their role)
/// and the sales budgets (set and remove, per person and month, quarter or year).
struct GroupPages: Sendable {
    typealias M = SettingsContract.Method
    let ui: WebUI
    var settings: SettingsPages { SettingsPages(ui: ui) }

    func register(on router: Router<GatewayContext>) {
        router.get("/settings/groups", use: groups)
        router.post("/settings/groups", use: addGroup)
        router.post("/settings/groups/:id", use: updateGroup)
        router.post("/settings/groups/:id/delete", use: deleteGroup)
        router.post("/settings/groups/:id/members", use: addMember)
        router.post("/settings/groups/:id/members/:user/remove", use: removeMember)
        router.post("/settings/budgets", use: setBudget)
        router.post("/settings/budgets/:id/delete", use: deleteBudget)
    }

    static func node(_ group: EmployeeGroup, parents: [[String: Any]], users: [[String: Any]]) -> [String: Any] {
        [
            "group_id": group.id, "group_name": group.name, "group_type": group.type, "sales": group.type == "sales",
            "description": group.description ?? "",
            "members": group.members.map {
                [
                    "member": $0.name.isEmpty ? $0.username : $0.name, "role": $0.role ?? "", "member_id": $0.userId,
                    "member_group": group.id,
                ]
            },
            "children": (group.children ?? []).map { node($0, parents: parents, users: users) },
            "has_children": !(group.children ?? []).isEmpty,
            // Where the group can move: the top, or any group but itself (the service refuses a cycle).
            "moves": parents.filter { ($0["parent_id"] as? Int64) != group.id }.map { parent -> [String: Any] in
                var row = parent
                row["selected"] = (parent["parent_id"] as? Int64) == group.parentId
                return row
            },
            "at_top": group.parentId == nil, "users": users,
        ]
    }

    /// Flattened for the "parent" choice: every group with its depth shown by dashes.
    static func flatten(_ groups: [EmployeeGroup], depth: Int = 0) -> [[String: Any]] {
        groups.flatMap { group in
            [["parent_id": group.id, "parent_name": String(repeating: "\u{2014} ", count: depth) + group.name]]
                + flatten(group.children ?? [], depth: depth + 1)
        }
    }

    @Sendable func groups(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in try await groupsPage(request, context, session: session) }
    }

    func groupsPage(
        _ request: Request, _ context: GatewayContext, session: UISession, values extra: [String: Any] = [:],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        try await settings.show("groups", title: "Employee groups", session: session, extra: extra, status: status) {
            async let tree = ui.call(M.listGroups, ListGroupsRequest(tree: true), request, context)
            async let budgets = ui.call(M.listBudgets, ListBudgetsRequest(), request, context)
            async let users = ui.call(M.listUsers, ListUsersRequest(active: true), request, context)
            let (roots, planned, people) = try await (tree, budgets, users)
            let names = Dictionary(people.map { ($0.id, $0.name.isEmpty ? $0.username : $0.name) }, uniquingKeysWith: { first, _ in first })
            let userRows: [[String: Any]] = people.map { ["user_id": $0.id, "user_name": names[$0.id] ?? $0.username] }
            let parents = Self.flatten(roots)
            return [
                "groups": roots.map { Self.node($0, parents: parents, users: userRows) }, "no_groups": roots.isEmpty,
                "parents": parents, "users": userRows,
                "budgets": planned.map { budget -> [String: Any] in
                    [
                        "budget_id": budget.id, "who": names[budget.userId] ?? "user \(budget.userId)", "period": budget.period,
                        "amount": String(format: "%.2f", budget.amount), "currency": budget.currency,
                    ]
                },
                "no_budgets": planned.isEmpty,
            ]
        }
    }

    /// Runs a change and comes back to the page, or shows the page again with the service's
    /// objection under `errorKey`.
    private func change(
        _ request: Request, _ context: GatewayContext, session: UISession, errorKey: String, _ work: () async throws -> Void
    ) async throws -> Response {
        try await settings.change(
            back: "/settings/groups", session: session,
            again: {
                try await groupsPage(request, context, session: session, values: [errorKey: $0.message], status: .unprocessableContent)
            },
            work)
    }

    @Sendable func addGroup(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context)
            let name = (fields["group_name"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else {
                return try await groupsPage(
                    request, context, session: session, values: ["error_group": "Give the group a name."], status: .unprocessableContent)
            }
            return try await change(request, context, session: session, errorKey: "error_group") {
                _ = try await ui.call(
                    M.createGroup,
                    CreateGroupRequest(
                        name: name, type: fields["group_type"] == "sales" ? "sales" : "standard",
                        parentId: fields["parent_id"].flatMap { Int64($0) }),
                    request, context)
            }
        }
    }

    @Sendable func updateGroup(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such group"), session: session)
            }
            let name = (fields["group_name"] ?? "").trimmingCharacters(in: .whitespaces)
            var ask = UpdateGroupRequest(id: id, name: name.isEmpty ? nil : name, description: fields["description"])
            if let type = fields["group_type"] { ask.type = type == "sales" ? "sales" : "standard" }
            if let parent = fields["parent_id"] {
                if let parentId = Int64(parent) { ask.parentId = parentId } else { ask.moveToRoot = true }
            }
            return try await change(request, context, session: session, errorKey: "error_tree") {
                _ = try await ui.call(M.updateGroup, ask, request, context)
            }
        }
    }

    @Sendable func deleteGroup(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such group"), session: session)
            }
            return try await change(request, context, session: session, errorKey: "error_tree") {
                _ = try await ui.call(M.deleteGroup, DeleteGroupRequest(id: id, recursive: fields["recursive"] == "on"), request, context)
            }
        }
    }

    @Sendable func addMember(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such group"), session: session)
            }
            guard let user = fields["user_id"].flatMap({ Int64($0) }) else {
                return try await groupsPage(
                    request, context, session: session, values: ["error_tree": "Choose whom to add."], status: .unprocessableContent)
            }
            let role = (fields["role"] ?? "").trimmingCharacters(in: .whitespaces)
            return try await change(request, context, session: session, errorKey: "error_tree") {
                _ = try await ui.call(
                    M.setMember, GroupMemberRequest(groupId: id, userId: user, role: role.isEmpty ? nil : role), request, context)
            }
        }
    }

    @Sendable func removeMember(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }),
                let user = context.parameters.get("user").flatMap({ Int64($0) })
            else { return ui.errorPage(.notFound("there is no such member"), session: session) }
            return try await change(request, context, session: session, errorKey: "error_tree") {
                _ = try await ui.call(M.removeMember, GroupMemberRequest(groupId: id, userId: user), request, context)
            }
        }
    }

    @Sendable func setBudget(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context)
            let amountText = (fields["amount"] ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
            guard let user = fields["user_id"].flatMap({ Int64($0) }) else {
                return try await groupsPage(
                    request, context, session: session, values: ["error_budget": "Choose whose budget it is."],
                    status: .unprocessableContent)
            }
            guard let amount = Double(amountText), amount.isFinite, amount >= 0 else {
                return try await groupsPage(
                    request, context, session: session, values: ["error_budget": "The amount must be a number of 0 or more."],
                    status: .unprocessableContent)
            }
            let currency = (fields["currency"] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            let ask = SetBudgetRequest(
                userId: user, period: (fields["period"] ?? "").trimmingCharacters(in: .whitespaces), amount: amount,
                currency: currency.isEmpty ? nil : currency)
            return try await change(request, context, session: session, errorKey: "error_budget") {
                _ = try await ui.call(M.setBudget, ask, request, context)
            }
        }
    }

    @Sendable func deleteBudget(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such budget"), session: session)
            }
            return try await change(request, context, session: session, errorKey: "error_budget") {
                _ = try await ui.call(M.deleteBudget, IdRequest(id: id), request, context)
            }
        }
    }
}
