import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Notes on contacts and companies: `/api/v1/contacts/{id}/notes`, `/api/v1/companies/{id}/notes`,
/// `/api/v1/notes/{id}`, and `/api/v1/notes?q=` to search the notes the caller may see.
struct NoteRoutes: Sendable {
    typealias M = ContactsContract.Method

    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.contactsRead), write = RoutePolicy.scope(Scope.contactsWrite)
        for (owner, key) in [("contacts", "contact_id"), ("companies", "company_id")] {
            CustomerNoteRoutes(api: api, owner: owner, key: key).register(on: &routes)
        }
        routes.add(
            .get, "/api/v1/notes", read, tag: "notes", summary: "Search the notes the caller may see", query: ["q!", "cursor", "limit"],
            search)
        routes.add(
            .patch, "/api/v1/notes/:id", write, tag: "notes", summary: "Change a note (its author or a boss)", body: "NoteInput",
            reply: "Note", update)
        routes.add(.delete, "/api/v1/notes/:id", write, tag: "notes", summary: "Delete a note (its author or a boss)", delete)
    }

    @Sendable func search(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        query.text("q", from: request)
        try query.page(from: request)
        return try await api.forward(request, context: context, method: M.listNotes, query: query)
    }

    @Sendable func update(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.updateNote, fields: ["id": try pathID(context)])
    }

    @Sendable func delete(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.deleteNote, query: try QueryBody(id: "id", from: context))
    }
}

/// The notes of one kind of customer (`/api/v1/contacts/{id}/notes` or the companies').
struct CustomerNoteRoutes: Sendable {
    typealias M = ContactsContract.Method

    let api: APIForwarder
    let owner: String
    let key: String

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.contactsRead), write = RoutePolicy.scope(Scope.contactsWrite)
        routes.add(
            .get, "/api/v1/\(owner)/:id/notes", read, tag: "notes", summary: "Notes (private ones only for their author)",
            query: ["q", "cursor", "limit"], list)
        routes.add(
            .post, "/api/v1/\(owner)/:id/notes", write, tag: "notes", summary: "Add a note (private: seen by its author only)",
            body: "NewNote", reply: "Note", status: .created, create)
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: key, from: context)
        query.text("q", from: request)
        try query.page(from: request)
        return try await api.forward(request, context: context, method: M.listNotes, query: query)
    }

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.createNote, fields: [key: try pathID(context)], status: .created)
    }
}
