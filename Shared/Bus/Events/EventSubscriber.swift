import CZeroMQ
import Foundation
import Logging
import ServiceLifecycle

/// The consumer side of events: where a subscriber keeps its checkpoints and applies events.
public protocol EventApplier: Sendable {
    /// The last sequence applied from `source` (0 when none).
    func checkpoint(for source: String) async throws -> Int64
    /// Applies an event and moves the checkpoint in one transaction. An event at or below the
    /// checkpoint must change nothing (it was applied already).
    func apply(_ event: BusEvent) async throws
}

/// Follows the events of some source services: applies each exactly once and in order, and fills
/// every gap (start-up, dropped messages, a restart of either side) by asking the source for the
/// events after its checkpoint (`events.since`), as in the ZeroMQ guide's Clone pattern.
public final class EventSubscriber: Service, Sendable {
    private let context: ZMQContext
    private let endpoint: String
    private let client: BusClient
    private let sources: [String]
    private let applier: EventApplier
    private let idleInterval: Duration
    private let curve: CurveClientKeys?
    private let logger: Logger

    public init(
        context: ZMQContext, endpoint: String, client: BusClient, sources: [String], applier: EventApplier,
        idleInterval: Duration = .seconds(2), curve: CurveClientKeys? = nil,
        logger: Logger = Logger(label: "bus.subscriber")
    ) {
        self.curve = curve
        self.context = context
        self.endpoint = endpoint
        self.client = client
        self.sources = sources
        self.applier = applier
        self.idleInterval = idleInterval
        self.logger = logger
    }

    public func run() async throws {
        let (stream, continuation) = AsyncStream<SubscriberEngine.Item>.makeStream(bufferingPolicy: .unbounded)
        let context = context, endpoint = endpoint, sources = sources, logger = logger, curve = curve
        let idleMs = max(10, idleInterval.wholeMilliseconds)
        let thread = try await SocketThread.start(name: "bus-subscriber") {
            SubscriberEngine(
                context: context, endpoint: endpoint, sources: sources, idleMs: idleMs, curve: curve,
                output: continuation, logger: logger)
        }
        await cancelWhenGracefulShutdown {
            var checkpoints: [String: Int64] = [:]
            for source in sources {
                checkpoints[source] = (try? await self.applier.checkpoint(for: source)) ?? 0
            }
            for source in sources { await self.catchUp(source, &checkpoints) }
            for await item in stream {
                switch item {
                case .event(let event):
                    guard let checkpoint = checkpoints[event.source] else { continue }
                    if event.sequence <= checkpoint { continue }
                    if event.sequence == checkpoint + 1 {
                        do {
                            try await self.applier.apply(event)
                            checkpoints[event.source] = event.sequence
                        } catch {
                            logger.error(
                                "applying an event failed; will retry",
                                metadata: [
                                    "source": "\(event.source)", "seq": "\(event.sequence)", "error": "\(error)",
                                ])
                        }
                    } else {
                        await self.catchUp(event.source, &checkpoints)
                    }
                case .idle:
                    for source in sources { await self.catchUp(source, &checkpoints) }
                }
            }
        }
        await thread.shutdown()
    }

    /// Fetches and applies everything after the checkpoint, page by page, until the source has no
    /// more. A source that does not answer is tried again at the next idle tick.
    private func catchUp(_ source: String, _ checkpoints: inout [String: Int64]) async {
        while !Task.isCancelled {
            let after = checkpoints[source] ?? 0
            let body = (try? JSONEncoder().encode(EventsSince.Request(after: after, limit: 500))) ?? Data()
            let events: [BusEvent]
            do {
                let reply = try await client.call(
                    service: source, method: EventsSince.method, body: body,
                    headers: BusHeaders(actor: "subscriber"), timeout: .seconds(5))
                events = try EventsSince.decodeReply(reply, source: source).events
            } catch {
                logger.debug("catch-up deferred", metadata: ["source": "\(source)", "error": "\(error)"])
                return
            }
            for event in events where event.sequence > (checkpoints[source] ?? 0) {
                do {
                    try await applier.apply(event)
                    checkpoints[source] = event.sequence
                } catch {
                    logger.error(
                        "applying an event failed; will retry",
                        metadata: [
                            "source": "\(source)", "seq": "\(event.sequence)", "error": "\(error)",
                        ])
                    return
                }
            }
            if events.count < 500 { return }
        }
    }
}

final class SubscriberEngine: SocketEngine {
    enum Item: Sendable {
        case event(BusEvent)
        case idle
    }

    enum Command: Sendable {}

    private let context: ZMQContext
    private let endpoint: String
    private let sources: Set<String>
    private let idleMs: Int64
    private let curve: CurveClientKeys?
    private let output: AsyncStream<Item>.Continuation
    private let logger: Logger
    private var socket: ZMQSocket!
    private var lastActivity: Int64 = 0
    private var lastSweep: Int64 = 0

    init(
        context: ZMQContext, endpoint: String, sources: [String], idleMs: Int64, curve: CurveClientKeys?,
        output: AsyncStream<Item>.Continuation, logger: Logger
    ) {
        self.curve = curve
        self.context = context
        self.endpoint = endpoint
        self.sources = Set(sources)
        self.idleMs = idleMs
        self.output = output
        self.logger = logger
    }

    var sockets: [ZMQSocket] { [socket] }

    func start() throws {
        socket = try ZMQSocket.busPeer(context: context, type: .sub, endpoint: endpoint, curve: curve)
        for source in sources { try socket.setOption(ZMQ_SUBSCRIBE, Array(source.utf8)) }
        lastActivity = monotonicMilliseconds()
        lastSweep = lastActivity
    }

    func handle(_ command: Command) {}

    func readable(_ index: Int) {
        for _ in 0..<1000 {
            guard let frames = try? socket.receive(dontWait: true) else { return }
            // Topic matching is by prefix; keep only the exact sources.
            guard let event = BusEvent(frames: frames), sources.contains(event.source) else { continue }
            lastActivity = monotonicMilliseconds()
            output.yield(.event(event))
        }
    }

    func tick() -> Int {
        let now = monotonicMilliseconds()
        // A quiet spell, or a sweep interval under steady traffic: a source whose last event was
        // dropped publishes nothing more to reveal the gap, so it must be asked now and then.
        if now - lastActivity >= idleMs || now - lastSweep >= idleMs * 5 {
            lastActivity = now
            lastSweep = now
            output.yield(.idle)
        }
        return Int(max(1, min(idleMs - (now - lastActivity), idleMs * 5 - (now - lastSweep))))
    }

    func stop() {
        output.finish()
        socket?.close()
    }
}
