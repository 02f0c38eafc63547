import Foundation
import Hummingbird

/// `GET /api/v1/openapi.json`: the document of every route registered before it (and itself).
enum OpenAPIRoutes {
    /// Registers the route and answers the document.
    @discardableResult
    static func register(on routes: inout APIRouter) -> Data {
        let placeholder = APIRoute(
            method: .get, path: "/api/v1/openapi.json", policy: .signedIn, summary: "This document", tag: "meta", query: [],
            body: nil, reply: nil, status: .ok)
        let document = try? JSONSerialization.data(
            withJSONObject: OpenAPIDocument.build(routes: routes.routes + [placeholder]), options: [.sortedKeys, .prettyPrinted])
        let body = document ?? Data("{}".utf8)
        routes.add(.get, placeholder.path, placeholder.policy, tag: placeholder.tag, summary: placeholder.summary) { _, _ in
            APIForwarder.json(status: .ok, body: body)
        }
        return body
    }
}
