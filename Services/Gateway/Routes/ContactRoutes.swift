import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/contacts` and the routes under one contact.
struct ContactRoutes: Sendable {
    typealias M = ContactsContract.Method

    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.contactsRead), write = RoutePolicy.scope(Scope.contactsWrite)
        routes.add(
            .post, "/api/v1/contacts", write, tag: "contacts", summary: "Create a contact", body: "NewContact", reply: "Contact",
            status: .created, create)
        routes.add(
            .get, "/api/v1/contacts", read, tag: "contacts", summary: "List or search contacts",
            query: [
                "q", "cursor", "limit", "sort", "count", "include_deleted", "deleted", "category_id", "source_id", "role_id",
                "owner_id", "company_id", "city", "consumer", "created_from", "created_to", "updated_from", "updated_to", "custom_field",
            ], list)
        routes.add(
            .get, "/api/v1/contacts/cities", read, tag: "contacts",
            summary: "The cities contacts are in, in order (for a search filter's drop-down)", query: ["limit"], cities)
        routes.add(
            .get, "/api/v1/contacts/gdpr-review", read, tag: "gdpr",
            summary: "Contacts without activity for longer than the GDPR review period, oldest first", query: ["cursor", "limit"],
            gdprReview)
        routes.add(
            .post, "/api/v1/contacts/:id/anonymize", .boss(Scope.contactsWrite), tag: "gdpr",
            summary: "Anonymise a contact irreversibly (name and the fields the GDPR settings name); other services scrub their copies",
            reply: "Contact", anonymize)
        routes.add(
            .post, "/api/v1/contacts/:id/touch", write, tag: "gdpr", summary: "Mark a contact as reviewed and still needed",
            reply: "Contact", touch)
        routes.add(
            .get, "/api/v1/contacts/:id/export", .boss(Scope.contactsRead), tag: "gdpr",
            summary: "Everything held about one person, as JSON: the contact, links, notes, history and calls", export)
        routes.add(
            .post, "/api/v1/contacts/:id/restore", write, tag: "contacts", summary: "Restore a deleted contact", reply: "Contact", restore)
        routes.add(
            .put, "/api/v1/contacts/:id/categories", write, tag: "contacts", summary: "Choose categories: replaces the set",
            body: "CategoriesInput", reply: "Contact", setCategories)
        routes.add(
            .get, "/api/v1/contacts/:id/companies", read, tag: "contacts", summary: "The companies a contact is linked to", companies)
        routes.add(
            .put, "/api/v1/contacts/:id/companies/:company_id", write, tag: "contacts",
            summary: "Link a contact to a company (or change the link's title, role, dates)", body: "LinkInput", reply: "ContactLink", link)
        routes.add(
            .delete, "/api/v1/contacts/:id/companies/:company_id", write, tag: "contacts", summary: "Unlink a contact from a company",
            unlink)
        routes.add(.get, "/api/v1/contacts/:id", read, tag: "contacts", summary: "One contact", get)
        routes.add(
            .patch, "/api/v1/contacts/:id", write, tag: "contacts", summary: "Change a contact's fields", body: "ContactInput",
            reply: "Contact", update)
        routes.add(.delete, "/api/v1/contacts/:id", write, tag: "contacts", summary: "Delete a contact (soft)", delete)
        routes.add(
            .get, "/api/v1/contacts/:id/history", read, tag: "contacts", summary: "A contact's history",
            query: ["kind", "from", "to", "cursor", "limit"], history)
        routes.add(
            .get, "/api/v1/contacts/:id/calls", .scope(Scope.callsRead), tag: "calls", summary: "A contact's calls",
            query: ["cursor", "limit"], calls)
    }

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.create, body: try await api.body(of: request), status: .created)
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        for name in ["q", "sort", "city", "created_from", "created_to", "updated_from", "updated_to"] {
            query.text(name, from: request)
        }
        try query.page(from: request)
        for name in ["include_deleted", "deleted", "consumer", "count"] { try query.boolean(name, from: request) }
        for name in ["category_id", "source_id", "role_id", "owner_id", "company_id"] { try query.integer(name, from: request) }
        try query.customFields(from: request)
        return try await api.forward(request, context: context, method: M.list, query: query)
    }

    @Sendable func cities(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.integer("limit", from: request)
        return try await api.forward(request, context: context, method: M.cities, query: query)
    }

    @Sendable func gdprReview(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.page(from: request)
        return try await api.forward(request, context: context, method: M.gdprReview, query: query)
    }

    @Sendable func anonymize(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.anonymize, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func touch(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.touch, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func export(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.exportPerson, query: try QueryBody(id: "id", from: context), timeout: .seconds(120))
    }

    @Sendable func restore(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.restore, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func setCategories(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.setCategories, fields: ["id": try pathID(context)])
    }

    @Sendable func companies(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.links, query: try QueryBody(id: "contact_id", from: context))
    }

    @Sendable func link(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.link,
            fields: ["contact_id": try pathID(context), "company_id": try pathID(context, "company_id")])
    }

    @Sendable func unlink(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: "contact_id", from: context)
        query.set("company_id", try pathID(context, "company_id"))
        return try await api.forward(request, context: context, method: M.unlink, query: query)
    }

    @Sendable func get(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(request, context: context, method: M.get, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func update(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(request, context: context, method: M.update, fields: ["id": try pathID(context)])
    }

    @Sendable func delete(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.delete, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func history(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: "contact_id", from: context)
        try query.page(from: request)
        for name in ["kind", "from", "to"] { query.text(name, from: request) }
        return try await api.forward(request, context: context, method: M.history, query: query)
    }

    @Sendable func calls(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: "contact_id", from: context)
        try query.page(from: request)
        return try await api.forward(
            request, context: context, method: TelephonyContract.Method.listCalls, query: query)
    }
}
