import Foundation
import Logging

/// What sends a request on the bus and awaits its reply: the bus client, or a stand-in where a
/// test runs one part (the gateway's routes) without the rest.
public protocol BusRequester: Sendable {
    /// Sends one request and returns the reply, whatever its status. Throws `BusError` only when
    /// no reply came (`timeout`) or the requester is closed.
    func send(
        service: String, method: String, body: Data, headers: BusHeaders, timeout: Duration?, requestId: String
    ) async throws -> BusReply
}

extension BusRequester {
    /// Sends a request and returns the body of an ok reply; an error reply is thrown as `BusError`.
    public func call(
        service: String,
        method: String,
        body: Data,
        headers: BusHeaders = BusHeaders(),
        timeout: Duration? = nil,
        requestId: String = UUID().uuidString
    ) async throws -> Data {
        let reply = try await send(
            service: service, method: method, body: body, headers: headers, timeout: timeout, requestId: requestId)
        if let error = reply.error { throw error }
        return reply.body
    }
}

/// Sends requests to services through the broker and awaits their replies. Safe to use from any
/// task: the socket lives on its own thread and callers only exchange messages with it.
///
/// Every request has a deadline. A request that gets no reply is re-sent with the same request
/// id (so the broker and the worker recognise it) until the deadline passes.
public final class BusClient: BusRequester {
    private let thread: SocketThread<BusClientEngine>
    /// Timeout used when a call does not give one.
    public let defaultTimeout: Duration

    /// Connects to the broker. The connection itself is made in the background by libzmq, so this
    /// succeeds even while the broker is down; requests then wait (up to their deadline) for it.
    public init(
        context: ZMQContext,
        endpoint: String,
        defaultTimeout: Duration = .seconds(5),
        retryInterval: Duration = .seconds(1),
        curve: CurveClientKeys? = nil,
        logger: Logger = Logger(label: "bus.client")
    ) throws {
        let retryMs = retryInterval.wholeMilliseconds
        thread = try SocketThread(name: "bus-client") {
            BusClientEngine(context: context, endpoint: endpoint, retryIntervalMs: max(10, retryMs), curve: curve, logger: logger)
        }
        self.defaultTimeout = defaultTimeout
    }

    /// Sends one request and returns the reply, whatever its status. Throws `BusError` only when
    /// no reply came (`timeout`) or the client is closed.
    public func send(
        service: String,
        method: String,
        body: Data,
        headers: BusHeaders = BusHeaders(),
        timeout: Duration? = nil,
        requestId: String = UUID().uuidString
    ) async throws -> BusReply {
        let limit = timeout ?? defaultTimeout
        let timeoutMs = max(1, limit.wholeMilliseconds)
        let headerData = try JSONEncoder().encode(headers)
        let thread = self.thread
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<BusReply, Error>) in
                let outgoing = BusClientEngine.Outgoing(
                    service: service, method: method, requestId: requestId, headers: headerData, body: body,
                    timeoutMs: timeoutMs,
                    complete: { result in continuation.resume(with: result.mapError { $0 as Error }) })
                if !thread.post(.send(outgoing)) {
                    continuation.resume(throwing: BusError.unavailable("the bus client is closed"))
                }
            }
        } onCancel: {
            thread.post(.cancel(requestId: requestId))
        }
    }

    /// Fails every waiting request and closes the socket.
    public func close() {
        thread.stop()
    }
}
