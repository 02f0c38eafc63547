import Bus
import Contracts
import Foundation

/// The methods one service serves, each registered through its `BusMethod` value, so the
/// request a handler decodes and the reply it answers are the types the contract names.
/// Registering a method of another service stops the process at start-up, before any request.
public struct MethodTable: Sendable {
    /// The service these methods belong to.
    public let service: String
    /// Method name to handler, as `BusWorker` takes them.
    public private(set) var handlers: [String: BusMethodHandler] = [:]
    /// The methods other services may call as themselves (`BusWorker.openToServices`).
    public private(set) var openToServices: Set<String> = []

    public init(service: String) {
        self.service = service
    }

    /// Registers a method whose handler answers a value of its reply type.
    public mutating func on<Request: Decodable & Sendable, Reply: Encodable & Sendable>(
        _ method: BusMethod<Request, Reply>, openToServices open: Bool = false,
        _ body: @escaping @Sendable (Request, IncomingRequest) async throws -> Reply
    ) {
        add(method.name, service: method.service, open: open) { incoming in
            try Wire.reply(try await body(try decodeBody(Request.self, incoming), incoming))
        }
    }

    /// Registers a write: the handler gets the decoded body, the caller's headers and the
    /// request id (the idempotency key) and answers the reply's JSON as
    /// `ServiceDatabase.idempotentWrite(requestId:method:)` stored it with the change.
    public mutating func write<Request: Decodable & Sendable, Reply>(
        _ method: BusMethod<Request, Reply>, openToServices open: Bool = false,
        _ body: @escaping @Sendable (Request, BusHeaders, String) async throws -> Data
    ) {
        add(method.name, service: method.service, open: open) { incoming in
            try await body(try decodeBody(Request.self, incoming), incoming.headers, incoming.requestId)
        }
    }

    /// Registers a method that reads its body by hand (`RawJSON` requests: a call-event batch).
    public mutating func raw<Request, Reply>(
        _ method: BusMethod<Request, Reply>, openToServices open: Bool = false,
        _ body: @escaping @Sendable (IncomingRequest) async throws -> Data
    ) {
        add(method.name, service: method.service, open: open, body)
    }

    /// Registers a method of the bus machinery itself (health, `events.since`) by name.
    mutating func add(_ name: String, service: String, open: Bool, _ handler: @escaping BusMethodHandler) {
        precondition(service == self.service, "\(name) is served by '\(service)', not by '\(self.service)'")
        precondition(handlers[name] == nil, "\(name) is registered twice")
        handlers[name] = handler
        if open { openToServices.insert(name) }
    }

    /// This table with every method of `other` (a service's handlers grouped per resource).
    public func merging(_ other: MethodTable) -> MethodTable {
        var merged = self
        for (name, handler) in other.handlers {
            merged.add(name, service: other.service, open: other.openToServices.contains(name), handler)
        }
        return merged
    }
}

extension BusRequester {
    /// Calls `method` with a typed request and decodes its typed reply; an error reply is thrown
    /// as `BusError`.
    public func call<Request: Encodable, Reply: Decodable>(
        _ method: BusMethod<Request, Reply>, _ request: Request, headers: BusHeaders = BusHeaders(),
        timeout: Duration? = nil, requestId: String = UUID().uuidString
    ) async throws -> Reply {
        let body = try await call(method, body: try Wire.encode(request), headers: headers, timeout: timeout, requestId: requestId)
        do {
            return try Wire.decode(Reply.self, from: body)
        } catch let error as DecodingError {
            throw BusError.internal("\(method.name) answered a reply that does not match its contract: \(BusWorker.describe(error))")
        }
    }

    /// Calls `method` with a body already in JSON (the gateway passes HTTP bodies through; the
    /// document has checked them) and answers the reply's JSON.
    public func call<Request, Reply>(
        _ method: BusMethod<Request, Reply>, body: Data, headers: BusHeaders = BusHeaders(),
        timeout: Duration? = nil, requestId: String = UUID().uuidString
    ) async throws -> Data {
        try await call(service: method.service, method: method.name, body: body, headers: headers, timeout: timeout, requestId: requestId)
    }
}
