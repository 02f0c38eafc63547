import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Notes on contacts and companies: `/api/v1/contacts/{id}/notes`, `/api/v1/companies/{id}/notes`,
/// `/api/v1/notes/{id}`, and `/api/v1/notes?q=` to search the notes the caller may see.
struct NoteRoutes: Sendable {
    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let api = api
        typealias M = ContactsContract.Method
        let read = RoutePolicy.scope(Scope.contactsRead), write = RoutePolicy.scope(Scope.contactsWrite)
        for (owner, key) in [("contacts", "contact_id"), ("companies", "company_id")] {
            routes.add(
                .get, "/api/v1/\(owner)/:id/notes", read, tag: "notes", summary: "Notes (private ones only for their author)",
                query: ["q", "cursor", "limit"]
            ) { request, context in
                var query = try QueryBody(id: key, from: context)
                query.text("q", from: request)
                try query.page(from: request)
                return try await api.forward(request, context: context, method: M.listNotes, query: query)
            }
            routes.add(
                .post, "/api/v1/\(owner)/:id/notes", write, tag: "notes", summary: "Add a note (private: seen by its author only)",
                body: "NewNote", reply: "Note", status: .created
            ) { request, context in
                try await api.forwardMerged(
                    request, context: context, method: M.createNote, fields: [key: try pathID(context)], status: .created)
            }
        }
        routes.add(
            .get, "/api/v1/notes", read, tag: "notes", summary: "Search the notes the caller may see", query: ["q!", "cursor", "limit"]
        ) {
            request, context in
            var query = QueryBody()
            query.text("q", from: request)
            try query.page(from: request)
            return try await api.forward(request, context: context, method: M.listNotes, query: query)
        }
        routes.add(
            .patch, "/api/v1/notes/:id", write, tag: "notes", summary: "Change a note (its author or a boss)", body: "NoteInput",
            reply: "Note"
        ) {
            request, context in
            try await api.forwardMerged(
                request, context: context, method: M.updateNote, fields: ["id": try pathID(context)])
        }
        routes.add(.delete, "/api/v1/notes/:id", write, tag: "notes", summary: "Delete a note (its author or a boss)") { request, context in
            try await api.forward(
                request, context: context, method: M.deleteNote, query: try QueryBody(id: "id", from: context))
        }
    }
}
