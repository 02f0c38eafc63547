import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/companies` and the routes under one company.
struct CompanyRoutes: Sendable {
    typealias M = ContactsContract.Method

    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.contactsRead), write = RoutePolicy.scope(Scope.contactsWrite)
        let base = "/api/v1/companies"
        routes.add(
            .post, base, write, tag: "companies", summary: "Create a company", body: "NewCompany", reply: "Company", status: .created,
            create)
        routes.add(
            .get, base, read, tag: "companies", summary: "List or search companies",
            query: [
                "q", "cursor", "limit", "sort", "count", "kind:" + Company.kindValues.joined(separator: ","), "category_id", "industry_id",
                "status_id", "source_id", "owner_id",
                "city", "include_deleted", "deleted", "created_from", "created_to", "updated_from", "updated_to", "custom_field",
            ], list)
        routes.add(
            .get, base + "/cities", read, tag: "companies",
            summary: "The cities companies are in, in order (for a search filter's drop-down)", query: ["limit"], cities)
        routes.add(.get, base + "/:id", read, tag: "companies", summary: "One company", reply: "Company", get)
        routes.add(
            .patch, base + "/:id", write, tag: "companies", summary: "Change a company's fields", body: "CompanyInput", reply: "Company",
            update)
        routes.add(.delete, base + "/:id", write, tag: "companies", summary: "Delete a company (soft)", reply: "Company", delete)
        routes.add(.post, base + "/:id/restore", write, tag: "companies", summary: "Restore a deleted company", reply: "Company", restore)
        routes.add(
            .put, base + "/:id/categories", write, tag: "companies", summary: "Choose categories: replaces the set",
            body: "CategoriesInput",
            reply: "Company", setCategories)
        routes.add(.get, base + "/:id/contacts", read, tag: "companies", summary: "The contacts linked to a company", contacts)
        routes.add(
            .get, base + "/:id/history", read, tag: "companies", summary: "A company's history",
            query: ["kind", "from", "to", "cursor", "limit"], history)
    }

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.createCompany, body: try await api.body(of: request),
            status: .created)
    }

    @Sendable func cities(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.integer("limit", from: request)
        query.set("companies", true)
        return try await api.forward(request, context: context, method: M.cities, query: query)
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        for name in ["q", "sort", "kind", "city", "created_from", "created_to", "updated_from", "updated_to"] {
            query.text(name, from: request)
        }
        try query.page(from: request)
        for name in ["include_deleted", "deleted", "count"] { try query.boolean(name, from: request) }
        for name in ["category_id", "industry_id", "status_id", "source_id", "owner_id"] { try query.integer(name, from: request) }
        try query.customFields(from: request)
        return try await api.forward(request, context: context, method: M.listCompanies, query: query)
    }

    @Sendable func get(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.getCompany, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func update(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.updateCompany, fields: ["id": try pathID(context)])
    }

    @Sendable func delete(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.deleteCompany, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func restore(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.restoreCompany, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func setCategories(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.setCompanyCategories, fields: ["id": try pathID(context)])
    }

    @Sendable func contacts(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.links, query: try QueryBody(id: "company_id", from: context))
    }

    @Sendable func history(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: "company_id", from: context)
        try query.page(from: request)
        for name in ["kind", "from", "to"] { query.text(name, from: request) }
        return try await api.forward(request, context: context, method: M.companyHistory, query: query)
    }
}
