import Bus
import HTTPTypes
import Hummingbird

/// One route of the API, as the OpenAPI document and the access tests see it.
struct APIRoute: Sendable {
    let method: HTTPRequest.Method
    /// Hummingbird's form, `/api/v1/contacts/:id`.
    let path: String
    let policy: RoutePolicy
    let summary: String
    let tag: String
    /// Query parameters the route reads.
    let query: [String]
    /// The schema of its JSON body (a name in `APISchemas`), if it takes one.
    let body: String?
    /// The schema of its successful answer, where one is documented.
    let reply: String?
    let status: HTTPResponse.Status
}

/// Registers routes on the Hummingbird router with their access policy, and keeps the list of
/// them: a route cannot exist without a policy, and every route is in the OpenAPI document.
struct APIRouter {
    let router: Router<GatewayContext>
    private(set) var routes: [APIRoute] = []

    init(router: Router<GatewayContext>) {
        self.router = router
    }

    /// Adds a route; the policy is checked before the handler runs.
    mutating func add(
        _ method: HTTPRequest.Method, _ path: String, _ policy: RoutePolicy, tag: String, summary: String,
        query: [String] = [], body: String? = nil, reply: String? = nil, status: HTTPResponse.Status = .ok,
        _ handler: @escaping @Sendable (Request, GatewayContext) async throws -> Response
    ) {
        routes.append(
            APIRoute(
                method: method, path: path, policy: policy, summary: summary, tag: tag, query: query, body: body,
                reply: reply, status: status))
        router.on(RouterPath(path), method: method) { request, context in
            if case .scopeOrSignature(_, let kind) = policy, kind.isPresent(in: request) {
                // Signed by the provider instead of a token: the handler verifies the signature.
            } else {
                try policy.check(context)
            }
            // A route documented with a JSON body needs one ({} when every field is optional):
            // a missing body is a client's mistake, not a request to do the default.
            if body != nil,
                request.headers[.contentLength] == "0"
                    || (request.headers[.contentLength] == nil && request.headers[.transferEncoding] == nil)
            {
                throw BusError.badRequest("this request needs a JSON body (the \(body!) schema; {} when nothing is to be said)")
            }
            return try await handler(request, context)
        }
    }
}
