import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/contacts` and the routes under one contact.
struct ContactRoutes: Sendable {
    let api: APIForwarder

    func register(on router: Router<GatewayContext>) {
        let api = api
        let contacts = router.group("/api/v1/contacts")
        contacts.post { request, context in
            let body = try await api.body(of: request)
            return try await api.forward(
                request, context: context, service: ContactsContract.service,
                method: ContactsContract.Method.create, body: body, status: .created)
        }
        contacts.get { request, context in
            var query = QueryBody()
            query.text("q", from: request)
            try query.page(from: request)
            try query.boolean("include_deleted", from: request)
            return try await api.forward(
                request, context: context, service: ContactsContract.service, method: ContactsContract.Method.list, query: query)
        }
        contacts.get(":id") { request, context in
            try await api.forward(
                request, context: context, service: ContactsContract.service, method: ContactsContract.Method.get,
                query: try QueryBody(id: "id", from: context))
        }
        contacts.patch(":id") { request, context in
            let id = try pathID(context)
            let raw = try await api.body(of: request)
            guard var object = (try? JSONSerialization.jsonObject(with: raw)) as? [String: Any] else {
                throw BusError.badRequest("the body must be a JSON object of the fields to change")
            }
            object["id"] = id
            return try await api.forward(
                request, context: context, service: ContactsContract.service,
                method: ContactsContract.Method.update,
                body: try JSONSerialization.data(withJSONObject: object))
        }
        contacts.delete(":id") { request, context in
            try await api.forward(
                request, context: context, service: ContactsContract.service, method: ContactsContract.Method.delete,
                query: try QueryBody(id: "id", from: context))
        }
        contacts.get(":id/history") { request, context in
            var query = try QueryBody(id: "contact_id", from: context)
            try query.page(from: request)
            query.text("kind", from: request)
            return try await api.forward(
                request, context: context, service: ContactsContract.service, method: ContactsContract.Method.history,
                query: query)
        }
        contacts.get(":id/calls") { request, context in
            var query = try QueryBody(id: "contact_id", from: context)
            try query.page(from: request)
            return try await api.forward(
                request, context: context, service: TelephonyContract.service, method: TelephonyContract.Method.listCalls,
                query: query)
        }
    }
}
