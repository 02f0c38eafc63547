import CZeroMQ
import Foundation
import Logging
import ServiceLifecycle

/// Where a publisher reads events from: a service's outbox.
public protocol EventSource: Sendable {
    /// Events with a sequence above `after`, oldest first, at most `limit`.
    func events(after: Int64, limit: Int) async throws -> [BusEvent]
    /// The highest sequence written so far (0 when none).
    func lastSequence() async throws -> Int64
}

/// Publishes a service's outbox on the bus's event forwarder. It is only the fast path: PUB/SUB
/// may drop events, and subscribers fill gaps with `events.since`. `notify()` after a commit
/// makes the publisher look at once; otherwise it looks every `pollInterval`.
public final class EventPublisher: Service, Sendable {
    private let context: ZMQContext
    private let endpoint: String
    private let source: EventSource
    private let pollInterval: Duration
    private let curve: CurveClientKeys?
    private let logger: Logger
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    public init(
        context: ZMQContext, endpoint: String, source: EventSource, pollInterval: Duration = .seconds(1),
        curve: CurveClientKeys? = nil, logger: Logger = Logger(label: "bus.publisher")
    ) {
        self.context = context
        self.curve = curve
        self.endpoint = endpoint
        self.source = source
        self.pollInterval = pollInterval
        self.logger = logger
        (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the publisher to look at the outbox now. Cheap and callable from any thread.
    public func notify() { wake.yield() }

    public func run() async throws {
        let context = context, endpoint = endpoint, logger = logger, curve = curve
        let thread = try await SocketThread.start(name: "bus-publisher") {
            PublisherEngine(context: context, endpoint: endpoint, curve: curve, logger: logger)
        }
        // Events written before this start are there for subscribers through events.since.
        let interval = pollInterval, wake = wake
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    wake.yield()
                }
            }
            await cancelWhenGracefulShutdown {
                var published = (try? await self.source.lastSequence()) ?? 0
                for await _ in self.wakes {
                    while true {
                        let batch: [BusEvent]
                        do {
                            batch = try await self.source.events(after: published, limit: 500)
                        } catch {
                            logger.error("reading the outbox failed", metadata: ["error": "\(error)"])
                            break
                        }
                        guard let last = batch.last else { break }
                        thread.post(.publish(batch))
                        BusMetrics.published(count: batch.count)
                        published = last.sequence
                        if batch.count < 500 { break }
                    }
                }
            }
            group.cancelAll()
        }
        await thread.shutdown()
    }
}

final class PublisherEngine: SocketEngine {
    enum Command: Sendable {
        case publish([BusEvent])
    }

    private let context: ZMQContext
    private let endpoint: String
    private let curve: CurveClientKeys?
    private let logger: Logger
    private var socket: ZMQSocket!

    init(context: ZMQContext, endpoint: String, curve: CurveClientKeys?, logger: Logger) {
        self.context = context
        self.endpoint = endpoint
        self.curve = curve
        self.logger = logger
    }

    var sockets: [ZMQSocket] { [] }

    func start() throws {
        socket = try ZMQSocket.busPeer(context: context, type: .pub, endpoint: endpoint, curve: curve, linger: 1000)
    }

    func handle(_ command: Command) {
        switch command {
        case .publish(let events):
            for event in events {
                do {
                    _ = try socket.send(event.frames, dontWait: true)
                } catch {
                    logger.debug("publish failed; subscribers will catch up", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    func readable(_ index: Int) {}
    func tick() -> Int { 1000 }
    func stop() { socket?.close() }
}
