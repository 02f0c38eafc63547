import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Call events in (`POST /api/v1/telephony/events`) and the call log out (`/api/v1/calls`).
struct TelephonyRoutes: Sendable {
    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let api = api
        routes.add(
            .post, "/api/v1/telephony/events", .scope(Scope.telephonyIngest), tag: "telephony",
            summary: "Post a call event, or an array of them", body: "CallEvents"
        ) { request, context in
            let raw = try await api.body(of: request)
            // One event object or an array of them; the service validates the events themselves.
            guard let first = raw.first(where: { !" \t\r\n".utf8.contains($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
            else {
                throw BusError.badRequest("the body must be a call event object or an array of them")
            }
            let producer =
                request.headers[HTTPField.Name("X-Producer")!].map {
                    "\"" + $0.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) } + "\""
                } ?? "null"
            var body = Data("{\"producer\":\(producer),\"events\":".utf8)
            if first == UInt8(ascii: "{") { body.append(UInt8(ascii: "[")) }
            body.append(raw)
            if first == UInt8(ascii: "{") { body.append(UInt8(ascii: "]")) }
            body.append(UInt8(ascii: "}"))
            // 200 only after the telephony service has committed the events.
            return try await api.forward(
                request, context: context, service: TelephonyContract.service,
                method: TelephonyContract.Method.ingest, body: body)
        }
        routes.add(
            .get, "/api/v1/calls", .scope(Scope.callsRead), tag: "calls", summary: "The call log",
            query: ["contact", "contact_id", "user_id", "direction", "status", "user", "from", "to", "cursor", "limit"]
        ) { request, context in
            var query = QueryBody()
            try query.integer("contact", from: request, as: "contact_id")
            try query.integer("contact_id", from: request)
            try query.integer("user_id", from: request)
            for name in ["direction", "status", "user", "from", "to"] { query.text(name, from: request) }
            try query.page(from: request)
            return try await api.forward(
                request, context: context, service: TelephonyContract.service, method: TelephonyContract.Method.listCalls,
                query: query)
        }
        routes.add(.get, "/api/v1/calls/:id", .scope(Scope.callsRead), tag: "calls", summary: "One call") { request, context in
            try await api.forward(
                request, context: context, service: TelephonyContract.service, method: TelephonyContract.Method.getCall,
                query: try QueryBody(id: "id", from: context))
        }
    }
}
