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
            query.text("cursor", from: request)
            try query.integer("limit", from: request)
            try query.boolean("include_deleted", from: request)
            return try await api.forward(
                request, context: context, service: ContactsContract.service,
                method: ContactsContract.Method.list, body: try query.data())
        }
        contacts.get(":id") { request, context in
            var query = QueryBody()
            query.set("id", try pathID(context))
            return try await api.forward(
                request, context: context, service: ContactsContract.service,
                method: ContactsContract.Method.get, body: try query.data())
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
            var query = QueryBody()
            query.set("id", try pathID(context))
            return try await api.forward(
                request, context: context, service: ContactsContract.service,
                method: ContactsContract.Method.delete, body: try query.data())
        }
        contacts.get(":id/history") { request, context in
            var query = QueryBody()
            query.set("contact_id", try pathID(context))
            query.text("cursor", from: request)
            query.text("kind", from: request)
            try query.integer("limit", from: request)
            return try await api.forward(
                request, context: context, service: ContactsContract.service,
                method: ContactsContract.Method.history, body: try query.data())
        }
        contacts.get(":id/calls") { request, context in
            var query = QueryBody()
            query.set("contact_id", try pathID(context))
            query.text("cursor", from: request)
            try query.integer("limit", from: request)
            return try await api.forward(
                request, context: context, service: TelephonyContract.service,
                method: TelephonyContract.Method.listCalls, body: try query.data())
        }
    }
}
