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
    /// Applies a run of events of one source, oldest first, and moves the checkpoint to the last:
    /// all or nothing (one transaction), events at or below the checkpoint changing nothing. When
    /// it throws, the subscriber applies the run one event at a time. By default, one at a time.
    func apply(_ events: [BusEvent]) async throws
    /// Applies one page of a source's snapshot (`events.snapshot`), in one transaction: with
    /// `reset`, first forgets what was derived from the source (the first page); with `through`,
    /// moves the checkpoint there (the last page). By default, not supported: such a subscriber
    /// stays behind and says so in its log.
    func rebuild(source: String, events: [BusEvent], reset: Bool, through: Int64?) async throws
}

extension EventApplier {
    public func apply(_ events: [BusEvent]) async throws {
        for event in events { try await apply(event) }
    }

    public func rebuild(source: String, events: [BusEvent], reset: Bool, through: Int64?) async throws {
        throw BusError.internal("this subscriber cannot rebuild from a snapshot")
    }
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
    /// The newest sequence seen from each source (live events, and `last_seq` of catch-up
    /// replies), for the lag this subscriber reports.
    private let seen = LockedValue<[String: Int64]>([:])
    /// The checkpoints as last reported (the run loop keeps its own copy).
    private let reported = LockedValue<[String: Int64]>([:])

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

    /// The most events applied in one go (one transaction in a service): a long run holds the
    /// service's database writer for that long.
    static let maxRun = 250

    public func run() async throws {
        // The socket thread files events in the inbox and rings; a ring that finds the bell
        // already ringing adds nothing, so whatever piled up while a run was being applied is
        // taken, and applied, together.
        let (bell, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let inbox = SubscriberInbox()
        let context = context, endpoint = endpoint, sources = sources, logger = logger, curve = curve
        let idleMs = max(10, idleInterval.wholeMilliseconds)
        let thread = try await SocketThread.start(name: "bus-subscriber") {
            SubscriberEngine(
                context: context, endpoint: endpoint, sources: sources, idleMs: idleMs, curve: curve,
                inbox: inbox, ring: ring, logger: logger)
        }
        await cancelWhenGracefulShutdown {
            var checkpoints: [String: Int64] = [:]
            for source in sources {
                checkpoints[source] = (try? await self.applier.checkpoint(for: source)) ?? 0
            }
            for source in sources {
                self.report(source, checkpoint: checkpoints[source] ?? 0)
                await self.catchUp(source, &checkpoints)
            }
            for await _ in bell {
                let (events, idle) = inbox.take()
                await self.deliver(events, &checkpoints)
                if idle {
                    for source in sources { await self.catchUp(source, &checkpoints) }
                }
            }
        }
        await thread.shutdown()
    }

    /// Applies the live events that continue each source's checkpoint, in runs; a gap (an event
    /// missed) sends for everything after the checkpoint instead.
    private func deliver(_ events: [BusEvent], _ checkpoints: inout [String: Int64]) async {
        var runs: [String: [BusEvent]] = [:]
        var gaps: Set<String> = []
        for event in events {
            guard let checkpoint = checkpoints[event.source] else { continue }
            report(event.source, seen: event.sequence)
            if gaps.contains(event.source) { continue }
            let last = runs[event.source]?.last?.sequence ?? checkpoint
            if event.sequence <= last { continue }
            if event.sequence == last + 1 { runs[event.source, default: []].append(event) } else { gaps.insert(event.source) }
        }
        for source in sources {
            if let run = runs[source], !(await apply(run, source, &checkpoints)) { continue }
            if gaps.contains(source) { await catchUp(source, &checkpoints) }
        }
    }

    /// Applies events of one source in runs of up to `maxRun`; a run that fails is applied again
    /// one event at a time, stopping at the event that fails (tried again later). Returns whether
    /// all were applied.
    private func apply(_ events: [BusEvent], _ source: String, _ checkpoints: inout [String: Int64]) async -> Bool {
        var start = 0
        while start < events.count {
            let run = Array(events[start..<min(events.count, start + Self.maxRun)])
            start += run.count
            do {
                try await applier.apply(run)
                checkpoints[source] = run[run.count - 1].sequence
                BusMetrics.applied(source: source, count: run.count)
                report(source, checkpoint: run[run.count - 1].sequence)
                continue
            } catch {
                logger.debug("applying a run of events failed; one at a time", metadata: ["source": "\(source)", "error": "\(error)"])
            }
            for event in run {
                do {
                    try await applier.apply(event)
                    checkpoints[source] = event.sequence
                    BusMetrics.applied(source: source, count: 1)
                    report(source, checkpoint: event.sequence)
                } catch {
                    logger.error(
                        "applying an event failed; will retry",
                        metadata: ["source": "\(source)", "seq": "\(event.sequence)", "error": "\(error)"])
                    return false
                }
            }
        }
        return true
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
                    service: source, method: EventsSince.method(of: source), body: body,
                    timeout: .seconds(5))
                let decoded = try EventsSince.decodeReply(reply, source: source)
                report(source, seen: decoded.lastSequence)
                if decoded.prunedThrough > after {
                    // Events this subscriber never applied are gone from the source: rebuild.
                    guard await rebuild(source, &checkpoints) else { return }
                    continue
                }
                events = decoded.events
            } catch {
                logger.debug("catch-up deferred", metadata: ["source": "\(source)", "error": "\(error)"])
                return
            }
            let fresh = events.filter { $0.sequence > (checkpoints[source] ?? 0) }
            guard await apply(fresh, source, &checkpoints) else { return }
            if events.count < 500 { return }
        }
    }
}

extension EventSubscriber {
    /// Each source's newest sequence seen and the checkpoint applied, as last reported.
    public var positions: [String: (seen: Int64, applied: Int64)] {
        let heads = seen.get(), applied = reported.get()
        var result: [String: (seen: Int64, applied: Int64)] = [:]
        for source in sources { result[source] = (heads[source] ?? 0, applied[source] ?? 0) }
        return result
    }

    /// Records what the subscriber knows of `source` (a sequence seen, or the checkpoint it
    /// reached) and its lag behind it.
    func report(_ source: String, seen sequence: Int64? = nil, checkpoint: Int64? = nil) {
        let head = seen.withValue { heads -> Int64 in
            let head = max(heads[source] ?? 0, sequence ?? 0, checkpoint ?? 0)
            heads[source] = head
            return head
        }
        let applied = reported.withValue { applied -> Int64 in
            if let checkpoint { applied[source] = checkpoint }
            return applied[source] ?? 0
        }
        BusMetrics.position(source: source, seen: head, applied: applied)
    }

    /// Replaces what was derived from `source` with its current state, page by page, and moves
    /// the checkpoint to the snapshot's `as_of`; the events after it follow by catch-up. A
    /// failure leaves the checkpoint where it was, so the next catch-up starts over (the reset
    /// makes that safe).
    func rebuild(_ source: String, _ checkpoints: inout [String: Int64]) async -> Bool {
        logger.warning(
            "behind what the source keeps; rebuilding from its snapshot",
            metadata: ["source": "\(source)", "checkpoint": "\(checkpoints[source] ?? 0)"])
        var cursor: String?
        var asOf: Int64?
        var pages = 0
        do {
            repeat {
                let body = try JSONEncoder().encode(EventsSnapshot.Request(cursor: cursor, limit: 500, asOf: asOf))
                let reply = try await client.call(
                    service: source, method: EventsSnapshot.method(of: source), body: body, timeout: .seconds(30))
                let page = try EventsSnapshot.decodeReply(reply, source: source)
                let through = asOf ?? page.asOf
                asOf = through
                try await applier.rebuild(
                    source: source, events: page.events, reset: pages == 0, through: page.nextCursor == nil ? through : nil)
                pages += 1
                cursor = page.nextCursor
            } while cursor != nil
        } catch {
            logger.error("rebuilding from the snapshot failed; will try again", metadata: ["source": "\(source)", "error": "\(error)"])
            return false
        }
        checkpoints[source] = asOf ?? 0
        report(source, checkpoint: asOf ?? 0)
        logger.info("rebuilt from the snapshot", metadata: ["source": "\(source)", "pages": "\(pages)", "as_of": "\(asOf ?? 0)"])
        return true
    }
}

/// Where the subscriber's socket thread leaves live events, and whether an idle tick asked for
/// a look at every source, until the subscriber's task takes them. It holds at most `capacity`
/// events: past that (a consumer far behind a burst) live events are dropped and the next take
/// asks for a catch-up, which fetches them from their source (`events.since`) page by page, so
/// memory stays bounded and nothing is missed.
final class SubscriberInbox: Sendable {
    private let state = LockedValue<(events: [BusEvent], idle: Bool)>(([], false))
    let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    func add(_ event: BusEvent) {
        state.withValue { state in
            if state.events.count < capacity {
                state.events.append(event)
            } else {
                state.idle = true
            }
        }
    }

    func askIdle() { state.withValue { $0.idle = true } }

    func take() -> (events: [BusEvent], idle: Bool) {
        state.withValue { state in
            defer { state = ([], false) }
            return state
        }
    }
}

final class SubscriberEngine: SocketEngine {
    enum Command: Sendable {}

    private let context: ZMQContext
    private let endpoint: String
    private let sources: Set<String>
    private let idleMs: Int64
    private let curve: CurveClientKeys?
    private let inbox: SubscriberInbox
    private let ring: AsyncStream<Void>.Continuation
    private let logger: Logger
    private var socket: ZMQSocket!
    private var lastActivity: Int64 = 0
    private var lastSweep: Int64 = 0

    init(
        context: ZMQContext, endpoint: String, sources: [String], idleMs: Int64, curve: CurveClientKeys?,
        inbox: SubscriberInbox, ring: AsyncStream<Void>.Continuation, logger: Logger
    ) {
        self.curve = curve
        self.context = context
        self.endpoint = endpoint
        self.sources = Set(sources)
        self.idleMs = idleMs
        self.inbox = inbox
        self.ring = ring
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
        var received = false
        defer { if received { ring.yield() } }
        for _ in 0..<1000 {
            guard let frames = try? socket.receive(dontWait: true) else { return }
            // Topic matching is by prefix; keep only the exact sources.
            guard let event = BusEvent(frames: frames), sources.contains(event.source) else { continue }
            lastActivity = monotonicMilliseconds()
            inbox.add(event)
            received = true
        }
    }

    func tick() -> Int {
        let now = monotonicMilliseconds()
        // A quiet spell, or a sweep interval under steady traffic: a source whose last event was
        // dropped publishes nothing more to reveal the gap, so it must be asked now and then.
        if now - lastActivity >= idleMs || now - lastSweep >= idleMs * 5 {
            lastActivity = now
            lastSweep = now
            inbox.askIdle()
            ring.yield()
        }
        return Int(max(1, min(idleMs - (now - lastActivity), idleMs * 5 - (now - lastSweep))))
    }

    func stop() {
        ring.finish()
        socket?.close()
    }
}
