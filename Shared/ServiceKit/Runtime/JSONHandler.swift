import Bus
import Contracts
import Foundation

/// Builds a bus method handler from a typed closure: the body is decoded with the wire decoder
/// (an empty body reads as `{}`), the result encoded with the wire encoder (or by its own hand
/// writer, `WireJSONEncodable`).
public func jsonHandler<Request: Decodable & Sendable, Reply: Encodable>(
    _ type: Request.Type,
    _ body: @escaping @Sendable (Request, IncomingRequest) async throws -> Reply
) -> BusMethodHandler {
    { incoming in
        let request = try decodeBody(Request.self, incoming)
        let reply = try await body(request, incoming)
        if let handWritten = reply as? any WireJSONEncodable { return handWritten.wireJSON }
        return try Wire.encode(reply)
    }
}

/// Builds the handler of a write: the decoded body, the caller's headers and the request id
/// (the idempotency key) go to `body`, which answers the reply's JSON (usually stored with the
/// change by `ServiceDatabase.idempotentWrite`).
public func writeHandler<Request: Decodable & Sendable>(
    _ type: Request.Type,
    _ body: @escaping @Sendable (Request, BusHeaders, String) async throws -> Data
) -> BusMethodHandler {
    { incoming in try await body(try decodeBody(Request.self, incoming), incoming.headers, incoming.requestId) }
}

/// A reply with nothing to say but that it worked.
public struct Done: Codable, Sendable {
    public var ok = true
    public init() {}
}
