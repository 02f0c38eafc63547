import Bus
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

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
    /// The schema of its form-encoded body, if it takes one instead (a provider's webhook).
    var form: String? = nil
    /// The media types it also takes as a file in the body instead of its JSON (imports: the
    /// file as it is, or a form upload); such a body is the handler's to read.
    var files: [String] = []
    /// The schema of its successful answer, where one is documented.
    let reply: String?
    let status: HTTPResponse.Status
    /// Whether it names stored items outside its path (a project in the query, a customer in
    /// the body), so that it answers 404 when one does not exist.
    var namesItems = false
    /// A permission settings gives users (`export`) that a user who is not a boss needs besides
    /// the scope; the service checks it (403 without).
    var permission: String? = nil
    /// A read that can conflict with the stored data (a period too long for what it holds), so it
    /// documents 409 like a write.
    var conflicts = false
}

/// Registers routes on the Hummingbird router with their access policy, and keeps the list of
/// them: a route cannot exist without a policy, and every route is in the OpenAPI document.
struct APIRouter {
    let router: Router<GatewayContext>
    private(set) var routes: [APIRoute] = []
    /// The largest JSON body a route takes unless it says otherwise (413 beyond).
    let maxBody: Int
    /// The document's schemas, compiled once for every route's checks.
    private let validator = SchemaValidator(schemas: APISchemas.all)

    init(router: Router<GatewayContext>, maxBody: Int) {
        self.router = router
        self.maxBody = maxBody
    }

    /// Adds a route; the policy is checked before the handler runs.
    mutating func add(
        _ method: HTTPRequest.Method, _ path: String, _ policy: RoutePolicy, tag: String, summary: String,
        query: [String] = [], body: String? = nil, form: String? = nil, files: [String] = [], bodyLimit: Int? = nil,
        reply: String? = nil, status: HTTPResponse.Status = .ok, namesItems: Bool = false, permission: String? = nil,
        conflicts: Bool = false, _ handler: @escaping @Sendable (Request, GatewayContext) async throws -> Response
    ) {
        let route = APIRoute(
            method: method, path: path, policy: policy, summary: summary, tag: tag, query: query, body: body, form: form, files: files,
            reply: reply, status: status, namesItems: namesItems, permission: permission, conflicts: conflicts)
        routes.append(route)
        let validation = RequestValidation(route: route, validator: validator)
        let limit = bodyLimit ?? maxBody
        router.on(RouterPath(path), method: method) { request, context in
            if case .scopeOrSignature(_, let kind) = policy, kind.isPresent(in: request) {
                // Signed by the provider instead of a token: the handler verifies the signature.
            } else {
                try policy.check(context)
            }
            // A file in the body is the handler's to read (an empty one is an empty file).
            if !files.isEmpty, ImportFile.isFile(request) {
                try validation.checkQuery(request)
                var request = request
                _ = try await request.collectBody(upTo: limit)
                return try await handler(request, context)
            }
            // A route documented with a JSON body needs one ({} when every field is optional):
            // a missing body is a client's mistake, not a request to do the default.
            if body != nil,
                request.headers[.contentLength] == "0"
                    || (request.headers[.contentLength] == nil && request.headers[.transferEncoding] == nil)
            {
                throw BusError.badRequest("this request needs a JSON body (the \(body!) schema; {} when nothing is to be said)")
            }
            try validation.checkQuery(request)
            guard body != nil || form != nil else { return try await handler(request, context) }
            // The body is read once here (up to the route's limit) and handed on collected.
            var request = request
            let buffer = try await request.collectBody(upTo: limit)
            try validation.checkBody(Data(buffer: buffer))
            return try await handler(request, context)
        }
    }
}
