import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/contacts` and the routes under one contact.
struct ContactRoutes: Sendable {
    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let api = api
        let service = ContactsContract.service
        typealias M = ContactsContract.Method
        let read = RoutePolicy.scope(Scope.contactsRead), write = RoutePolicy.scope(Scope.contactsWrite)
        routes.add(
            .post, "/api/v1/contacts", write, tag: "contacts", summary: "Create a contact", body: "ContactInput", reply: "Contact",
            status: .created
        ) {
            request, context in
            try await api.forward(
                request, context: context, service: service, method: M.create, body: try await api.body(of: request), status: .created)
        }
        routes.add(
            .get, "/api/v1/contacts", read, tag: "contacts", summary: "List or search contacts",
            query: ["q", "cursor", "limit", "include_deleted"]
        ) { request, context in
            var query = QueryBody()
            query.text("q", from: request)
            try query.page(from: request)
            try query.boolean("include_deleted", from: request)
            return try await api.forward(request, context: context, service: service, method: M.list, query: query)
        }
        routes.add(.get, "/api/v1/contacts/:id", read, tag: "contacts", summary: "One contact") { request, context in
            try await api.forward(request, context: context, service: service, method: M.get, query: try QueryBody(id: "id", from: context))
        }
        routes.add(
            .patch, "/api/v1/contacts/:id", write, tag: "contacts", summary: "Change a contact's fields", body: "ContactInput",
            reply: "Contact"
        ) {
            request, context in
            try await api.forwardMerged(request, context: context, service: service, method: M.update, fields: ["id": try pathID(context)])
        }
        routes.add(.delete, "/api/v1/contacts/:id", write, tag: "contacts", summary: "Delete a contact (soft)") { request, context in
            try await api.forward(
                request, context: context, service: service, method: M.delete, query: try QueryBody(id: "id", from: context))
        }
        routes.add(
            .get, "/api/v1/contacts/:id/history", read, tag: "contacts", summary: "A contact's history",
            query: ["kind", "cursor", "limit"]
        ) { request, context in
            var query = try QueryBody(id: "contact_id", from: context)
            try query.page(from: request)
            query.text("kind", from: request)
            return try await api.forward(request, context: context, service: service, method: M.history, query: query)
        }
        routes.add(
            .get, "/api/v1/contacts/:id/calls", .scope(Scope.callsRead), tag: "calls", summary: "A contact's calls",
            query: ["cursor", "limit"]
        ) { request, context in
            var query = try QueryBody(id: "contact_id", from: context)
            try query.page(from: request)
            return try await api.forward(
                request, context: context, service: TelephonyContract.service, method: TelephonyContract.Method.listCalls, query: query)
        }
    }
}
