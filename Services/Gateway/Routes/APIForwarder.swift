import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// Turns HTTP requests into bus requests and bus replies into HTTP responses. Bodies pass through
/// as JSON; the services validate them, so there is one definition of each request.
struct APIForwarder: Sendable {
    let client: any BusRequester
    let timeout: Duration
    let maxBody: Int
    /// The limit of import files.
    var maxImport: Int = 64 << 20

    /// Sends `body` to `method` and answers with the reply body and `status`.
    /// An `Idempotency-Key` header becomes the bus request id (scoped to the signed-in user, so
    /// two users' keys never meet), so an HTTP retry is a bus retry.
    func forward<Q, R>(
        _ request: Request, context: GatewayContext, method: BusMethod<Q, R>, body: Data,
        status: HTTPResponse.Status = .ok, timeout: Duration? = nil
    ) async throws -> Response {
        Self.json(status: status, body: try await call(request, context: context, method: method, body: body, timeout: timeout))
    }

    /// The reply body of a bus request made for this HTTP request (deadline: the configured
    /// request timeout, or `timeout` for long work such as imports).
    func call<Q, R>(
        _ request: Request, context: GatewayContext, method: BusMethod<Q, R>, body: Data, timeout: Duration? = nil
    ) async throws -> Data {
        let user = context.principal.map { String($0.userId) } ?? "anonymous"
        let requestId =
            request.headers[HTTPField.Name("Idempotency-Key")!].flatMap { key -> String? in
                let trimmed = key.trimmingCharacters(in: .whitespaces)
                return trimmed.isEmpty || trimmed.count > 200 ? nil : "http:\(user):" + trimmed
            } ?? UUID().uuidString
        let headers = BusHeaders(
            actor: context.principal?.username, traceId: TraceContext.traceId ?? requestId,
            userId: context.principal?.userId, rank: context.principal?.rank.rawValue, scopes: context.principal?.scopes,
            tokenId: context.principal?.tokenId)
        return try await client.call(method, body: body, headers: headers, timeout: timeout ?? self.timeout, requestId: requestId)
    }

    /// `call` with a typed request and reply.
    func callDecoded<Q: Encodable, R: Decodable>(
        _ request: Request, context: GatewayContext, method: BusMethod<Q, R>, body: Q, timeout: Duration? = nil
    ) async throws -> R {
        try Wire.decode(
            R.self, from: try await call(request, context: context, method: method, body: try Wire.encode(body), timeout: timeout))
    }

    /// Sends the JSON object of the request body with `fields` (ids from the path) added.
    func forwardMerged<Q, R>(
        _ request: Request, context: GatewayContext, method: BusMethod<Q, R>, fields: [String: Any],
        status: HTTPResponse.Status = .ok, timeout: Duration? = nil
    ) async throws -> Response {
        let raw = try await body(of: request)
        var object: [String: Any] = [:]
        if !raw.isEmpty {
            guard let decoded = (try? JSONSerialization.jsonObject(with: raw)) as? [String: Any] else {
                throw BusError.badRequest("the body must be a JSON object")
            }
            object = decoded
        }
        for (key, value) in fields { object[key] = value }
        return try await forward(
            request, context: context, method: method, body: try JSONSerialization.data(withJSONObject: object),
            status: status, timeout: timeout)
    }

    /// Sends the fields gathered from the query string and the path.
    func forward<Q, R>(
        _ request: Request, context: GatewayContext, method: BusMethod<Q, R>, query: QueryBody, timeout: Duration? = nil
    ) async throws -> Response {
        try await forward(request, context: context, method: method, body: try query.data(), timeout: timeout)
    }

    /// Reads the request body, up to the configured limit (413 beyond it); `limit` for routes
    /// that take whole files.
    func body(of request: Request, limit: Int? = nil) async throws -> Data {
        let buffer = try await request.body.collect(upTo: limit ?? maxBody)
        return Data(buffer: buffer)
    }

    /// A JSON response.
    static func json(status: HTTPResponse.Status, body: Data) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Builds a JSON request body from query parameters and path values.
struct QueryBody {
    private var fields: [String: Any] = [:]

    init() {}

    /// A body holding the id from the path as `key`.
    init(id key: String, from context: GatewayContext) throws {
        fields[key] = try pathID(context)
    }

    /// `cursor` and `limit`, which every list takes.
    mutating func page(from request: Request) throws {
        text("cursor", from: request)
        try integer("limit", from: request)
    }

    /// Copies text parameters as they are.
    mutating func text(_ name: String, from request: Request, as key: String? = nil) {
        if let value = request.uri.queryParameters.get(name), !value.isEmpty { fields[key ?? name] = value }
    }

    /// Copies whole-number parameters (`RequestValidation` has refused any other where the
    /// route declares the parameter, as every route does).
    mutating func integer(_ name: String, from request: Request, as key: String? = nil) throws {
        guard let value = request.uri.queryParameters.get(name), !value.isEmpty else { return }
        guard let number = Int64(value) else { throw BusError.invalid("\(name) must be a whole number, not '\(value)'") }
        fields[key ?? name] = number
    }

    /// Copies true/false parameters, as the document spells them.
    mutating func boolean(_ name: String, from request: Request, as key: String? = nil) throws {
        guard let value = request.uri.queryParameters.get(name), !value.isEmpty else { return }
        guard value == "true" || value == "false" else { throw BusError.invalid("\(name) must be true or false, not '\(value)'") }
        fields[key ?? name] = value == "true"
    }

    /// `custom_field=key:value` parameters (repeatable) as the list's `custom_fields`.
    mutating func customFields(from request: Request) throws {
        let given = request.uri.queryParameters.getAll("custom_field").map { String($0) }.filter { !$0.isEmpty }
        guard !given.isEmpty else { return }
        var filters: [String: String] = [:]
        for pair in given {
            // `key:value`; anything else names no field, so it matches nothing (the service says so).
            guard let colon = pair.firstIndex(of: ":"), colon != pair.startIndex else {
                filters[pair] = ""
                continue
            }
            filters[String(pair[..<colon])] = String(pair[pair.index(after: colon)...])
        }
        fields["custom_fields"] = filters
    }

    /// Sets a field to a fixed value (the reference kind of a route).
    mutating func set(_ key: String, _ value: Any) { fields[key] = value }

    func data() throws -> Data { try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) }
}

/// A numeric id from the path, or 400.
func pathID(_ context: GatewayContext, _ name: String = "id") throws -> Int64 {
    let raw = context.parameters.get(name) ?? ""
    guard let id = Int64(raw), id > 0 else { throw BusError.badRequest("'\(raw)' is not a valid id") }
    return id
}
