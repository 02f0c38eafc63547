import Foundation
import Hummingbird
import Synchronization

/// `GET /api/v1/openapi.json`: the document of every route registered before it (and itself).
enum OpenAPIRoutes {
    /// Registers the route; the document is written when first asked for.
    @discardableResult
    static func register(on routes: inout APIRouter) -> OpenAPIText {
        let placeholder = APIRoute(
            method: .get, path: "/api/v1/openapi.json", policy: .signedIn, summary: "This document", tag: "meta", query: [],
            body: nil, reply: nil, status: .ok)
        let text = OpenAPIText(routes: routes.routes + [placeholder])
        routes.add(.get, placeholder.path, placeholder.policy, tag: placeholder.tag, summary: placeholder.summary) { _, _ in
            APIForwarder.json(status: .ok, body: text.data)
        }
        return text
    }
}

/// The OpenAPI document as JSON text, built on first use and kept: a megabyte and more, whose
/// writing took 8 MB of the gateway's heap at its peak, at every start, for a document most
/// gateways are never asked for (issue 20, idle memory).
final class OpenAPIText: Sendable {
    private let routes: [APIRoute]
    private let text = Mutex<Data?>(nil)

    init(routes: [APIRoute]) { self.routes = routes }

    var data: Data {
        text.withLock { cached in
            if let cached { return cached }
            let written = try? JSONSerialization.data(
                withJSONObject: OpenAPIDocument.build(routes: routes), options: [.sortedKeys, .prettyPrinted])
            let data = written ?? Data("{}".utf8)
            cached = data
            return data
        }
    }
}
