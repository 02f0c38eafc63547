import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Employee groups (a tree), their members, the sales people and their budgets.
struct OrganisationRoutes: Sendable {
    typealias M = SettingsContract.Method

    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.settingsRead), write = RoutePolicy.boss(Scope.settingsWrite)
        let groups = "/api/v1/settings/groups"

        routes.add(
            .get, groups, read, tag: "groups", summary: "Employee groups, flat or as a tree", query: ["tree", "type:standard,sales"],
            listGroups)
        routes.add(
            .post, groups, write, tag: "groups", summary: "Add a group (under parent_id)", body: "NewGroup", reply: "EmployeeGroup",
            status: .created, createGroup)
        routes.add(.get, groups + "/:id", read, tag: "groups", summary: "One group with its subgroups", getGroup)
        routes.add(
            .patch, groups + "/:id", write, tag: "groups", summary: "Change or move a group (parent_id, move_to_root)", body: "GroupInput",
            reply: "EmployeeGroup", updateGroup)
        routes.add(
            .delete, groups + "/:id", write, tag: "groups", summary: "Delete a group; with subgroups only when recursive=true",
            query: ["recursive"], deleteGroup)
        routes.add(
            .put, groups + "/:id/members/:user_id", write, tag: "groups", summary: "Add a member (or change their role)",
            body: "MemberInput",
            reply: "EmployeeGroup", setMember)
        routes.add(.delete, groups + "/:id/members/:user_id", write, tag: "groups", summary: "Remove a member", removeMember)
        routes.add(.get, "/api/v1/settings/sales-people", read, tag: "groups", summary: "Members of sales groups", salesPeople)

        routes.add(
            .get, "/api/v1/settings/budgets", read, tag: "budgets", summary: "Sales budgets", query: ["user_id", "year"], listBudgets)
        routes.add(
            .put, "/api/v1/settings/budgets", write, tag: "budgets",
            summary: "Set a sales person's budget for a month (2026-11), quarter (2026-Q4) or year (2026)", body: "BudgetInput",
            reply: "SalesBudget", setBudget)
        routes.add(.delete, "/api/v1/settings/budgets/:id", write, tag: "budgets", summary: "Delete a budget", deleteBudget)
    }

    @Sendable func listGroups(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.boolean("tree", from: request)
        query.text("type", from: request)
        return try await api.forward(request, context: context, method: M.listGroups, query: query)
    }

    @Sendable func createGroup(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.createGroup, body: try await api.body(of: request), status: .created)
    }

    @Sendable func getGroup(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.getGroup, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func updateGroup(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.updateGroup, fields: ["id": try pathID(context)])
    }

    @Sendable func deleteGroup(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: "id", from: context)
        try query.boolean("recursive", from: request)
        return try await api.forward(request, context: context, method: M.deleteGroup, query: query)
    }

    @Sendable func setMember(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.setMember,
            fields: ["group_id": try pathID(context), "user_id": try pathID(context, "user_id")])
    }

    @Sendable func removeMember(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: "group_id", from: context)
        query.set("user_id", try pathID(context, "user_id"))
        return try await api.forward(request, context: context, method: M.removeMember, query: query)
    }

    @Sendable func salesPeople(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(request, context: context, method: M.listSalesPeople, query: QueryBody())
    }

    @Sendable func listBudgets(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.integer("user_id", from: request)
        try query.integer("year", from: request)
        return try await api.forward(request, context: context, method: M.listBudgets, query: query)
    }

    @Sendable func setBudget(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(request, context: context, method: M.setBudget, body: try await api.body(of: request))
    }

    @Sendable func deleteBudget(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.deleteBudget, query: try QueryBody(id: "id", from: context))
    }
}
