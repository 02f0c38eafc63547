import Foundation
import Logging
import ServiceLifecycle

/// Answers one method of a service: takes the request, returns the JSON body of an ok reply, or
/// throws `BusError` for an error reply.
public typealias BusMethodHandler = @Sendable (IncomingRequest) async throws -> Data

/// Serves one service on the bus: registers with the broker, handles up to `capacity` requests at
/// once (the broker never sends more), and replies. A `Service` for swift-service-lifecycle: on
/// graceful shutdown it tells the broker to stop sending, finishes what it holds, then closes.
public final class BusWorker: Service, Sendable {
    private let context: ZMQContext
    private let endpoint: String
    private let service: String
    private let capacity: Int
    private let instance: String
    private let heartbeat: Duration
    private let curve: CurveClientKeys?
    private let logger: Logger
    private let handlers: [String: BusMethodHandler]
    private let openToServices: Set<String>
    private let connectionCount = LockedValue<Int>(0)

    /// - Parameters:
    ///   - handlers: method name to handler, such as `["contacts.create": ...]`.
    ///   - capacity: how many requests this worker runs at once.
    ///   - instance: a name for operators (`crm status` lists workers by it).
    ///   - openToServices: the methods other services may call (as themselves, without a user);
    ///     every other method answers them `forbidden`. The gateway and crm-admin may call all.
    public init(
        context: ZMQContext,
        endpoint: String,
        service: String,
        handlers: [String: BusMethodHandler],
        openToServices: Set<String> = [],
        capacity: Int = 16,
        instance: String = "",
        heartbeat: Duration = .seconds(1),
        curve: CurveClientKeys? = nil,
        logger: Logger = Logger(label: "bus.worker")
    ) {
        self.context = context
        self.endpoint = endpoint
        self.service = service
        self.handlers = handlers
        self.openToServices = openToServices
        self.capacity = max(1, capacity)
        self.instance = instance
        self.heartbeat = heartbeat
        self.curve = curve
        self.logger = logger
    }

    /// How many times the worker has connected to a broker (1 + reconnections).
    public var connections: Int { connectionCount.get() }

    public func run() async throws {
        let (stream, continuation) = AsyncStream<IncomingRequest>.makeStream(bufferingPolicy: .unbounded)
        let context = context, endpoint = endpoint, service = service, capacity = capacity, instance = instance
        let heartbeatMs = max(10, heartbeat.wholeMilliseconds), curve = curve, logger = logger
        let connections = connectionCount
        let thread = try await SocketThread.start(name: "bus-worker-\(service)") {
            BusWorkerEngine(
                context: context, endpoint: endpoint, service: service, capacity: capacity, instance: instance,
                heartbeatMs: heartbeatMs, liveness: 3, curve: curve, logger: logger,
                incoming: continuation, connections: connections)
        }
        let handlers = self.handlers, openToServices = self.openToServices
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await request in stream {
                    group.addTask {
                        let (status, body) = await Self.answer(request, handlers: handlers, openToServices: openToServices, logger: logger)
                        thread.post(.reply(client: request.client, requestId: request.requestId, status: status, body: body))
                    }
                }
            }
        } onGracefulShutdown: {
            thread.post(.disconnect)
        }
        await thread.shutdown()
    }

    /// The reply to a request, with the request's trace id on every line logged meanwhile and a
    /// debug line for it (method, outcome, milliseconds: never its body).
    static func answer(
        _ request: IncomingRequest, handlers: [String: BusMethodHandler], openToServices: Set<String>, logger: Logger
    ) async -> (String, Data) {
        await TraceContext.$traceId.withValue(request.headers.traceId) {
            let started = ContinuousClock.now
            let answer = await reply(request, handlers: handlers, openToServices: openToServices, logger: logger)
            let elapsed = ContinuousClock.now - started
            BusMetrics.request(method: request.method, known: handlers[request.method] != nil, code: answer.0, elapsed: elapsed)
            logger.debug(
                "request handled",
                metadata: [
                    "method": "\(request.method)", "code": "\(answer.0)",
                    "ms":
                        "\(String(format: "%.2f", Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15))",
                ])
            return answer
        }
    }

    private static func reply(
        _ request: IncomingRequest, handlers: [String: BusMethodHandler], openToServices: Set<String>, logger: Logger
    ) async -> (String, Data) {
        guard let handler = handlers[request.method] else {
            return errorReply(.badRequest("service '\(request.service)' has no method '\(request.method)'"))
        }
        if request.headers.isFromService && !openToServices.contains(request.method) {
            return errorReply(
                .forbidden("'\(request.headers.caller ?? "")' may not call \(request.method); it is not open to other services"))
        }
        do {
            return (BusProtocol.ok, try await handler(request))
        } catch let error as BusError {
            return errorReply(error)
        } catch let error as BusErrorConvertible {
            return errorReply(error.busError)
        } catch is CancellationError {
            // The worker is stopping; the client's retry reaches another worker (or a restarted one).
            return errorReply(.unavailable("'\(request.service)' is shutting down"))
        } catch let error as DecodingError {
            return errorReply(.badRequest("the request body does not match \(request.method): \(describe(error))"))
        } catch {
            logger.error("handler failed", metadata: ["method": "\(request.method)", "error": "\(error)"])
            return errorReply(.internal("\(request.method) failed inside the service; see its log"))
        }
    }

    static func errorReply(_ error: BusError) -> (String, Data) {
        (error.code.rawValue, (try? JSONEncoder().encode(error)) ?? Data())
    }

    /// A decoding error as a sentence a client developer can act on.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "body" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let prefix = path(context)
            return "missing field '\(prefix == "body" ? key.stringValue : prefix + "." + key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at '\(path(context))': \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "invalid value at '\(path(context))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
