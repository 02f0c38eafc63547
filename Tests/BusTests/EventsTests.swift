import Foundation
import Testing

@testable import Bus

/// An in-memory outbox.
final class MemorySource: EventSource, Sendable {
    let source: String
    private let log = LockedValue<[BusEvent]>([])
    init(source: String) { self.source = source }

    func append(_ type: String, _ json: String) {
        log.withValue { events in
            events.append(
                BusEvent(
                    source: source, sequence: Int64(events.count + 1), type: type,
                    occurredAt: "2026-01-01T00:00:00Z", payload: Data(json.utf8)))
        }
    }

    func events(after: Int64, limit: Int) async throws -> [BusEvent] {
        Array(log.get().filter { $0.sequence > after }.prefix(limit))
    }

    func lastSequence() async throws -> Int64 { log.get().last?.sequence ?? 0 }
}

/// An applier that records what it applied and refuses duplicates, as the storage kit does.
final class RecordingApplier: EventApplier, Sendable {
    let applied = LockedValue<[BusEvent]>([])
    func checkpoint(for source: String) async throws -> Int64 {
        applied.get().last { $0.source == source }?.sequence ?? 0
    }
    func apply(_ event: BusEvent) async throws {
        applied.withValue { list in
            let last = list.last { $0.source == event.source }?.sequence ?? 0
            if event.sequence == last + 1 { list.append(event) }
        }
    }
}

/// Records the runs it is given, is slow with the first (so that live events pile up behind it),
/// and refuses event 45 twice (as a busy database would), whether alone or in a run.
final class RunApplier: EventApplier, Sendable {
    struct Refused: Error {}
    let runs = LockedValue<[[Int64]]>([])
    let applied = LockedValue<[Int64]>([])
    let refusals = LockedValue(2)

    func checkpoint(for source: String) async throws -> Int64 { applied.get().last ?? 0 }

    func apply(_ event: BusEvent) async throws { try await apply([event]) }

    func apply(_ events: [BusEvent]) async throws {
        let first = runs.withValue { runs in
            runs.append(events.map(\.sequence))
            return runs.count == 1
        }
        if first { try await Task.sleep(for: .milliseconds(300)) }
        if events.contains(where: { $0.sequence == 45 }),
            refusals.withValue({ left in
                left -= 1; return left >= 0
            })
        {
            throw Refused()
        }
        applied.withValue { list in
            for event in events where event.sequence == (list.last ?? 0) + 1 { list.append(event.sequence) }
        }
    }
}

@Suite("Events", .serialized)
struct EventsTests {
    @Test("events.since replies round-trip with their payloads intact")
    func sinceCodec() throws {
        let events = [
            BusEvent(source: "s", sequence: 4, type: "a.b", occurredAt: "t", payload: Data("{\"k\":\"v\\\"q\"}".utf8)),
            BusEvent(source: "s", sequence: 5, type: "c.d", occurredAt: "t", payload: Data("[1,2]".utf8)),
        ]
        let body = EventsSince.encodeReply(events, lastSequence: 9)
        let decoded = try EventsSince.decodeReply(body, source: "s")
        #expect(decoded.lastSequence == 9)
        #expect(decoded.events.map(\.sequence) == [4, 5])
        let first = try JSONSerialization.jsonObject(with: decoded.events[0].payload) as? [String: String]
        #expect(first == ["k": "v\"q"])
    }

    @Test("a subscriber that starts late catches up through events.since, then follows live events in order")
    func catchUpThenLive() async throws {
        let source = MemorySource(source: "books")
        for i in 1...30 { source.append("book.added", "{\"n\":\(i)}") }
        let applier = RecordingApplier()
        let stack = try await SubscriberStack.start(source: source, applier: applier)
        for _ in 0..<200 where applier.applied.get().count < 30 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(applier.applied.get().count == 30)
        for i in 31...60 { source.append("book.added", "{\"n\":\(i)}") }
        stack.publisher.notify()
        for _ in 0..<200 where applier.applied.get().count < 60 { try await Task.sleep(for: .milliseconds(20)) }
        let sequences = applier.applied.get().map(\.sequence)
        #expect(sequences == Array(1...60))
        await stack.stop()
    }

    @Test("live events that pile up are applied in runs; a run that fails is applied one by one up to the failing event")
    func runs() async throws {
        let source = MemorySource(source: "calls")
        let applier = RunApplier()
        let stack = try await SubscriberStack.start(source: source, applier: applier)
        source.append("call.logged", "{\"n\":1}")
        stack.publisher.notify()
        for _ in 0..<200 where applier.runs.get().isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        // While the first is being applied, 59 more come.
        for i in 2...60 { source.append("call.logged", "{\"n\":\(i)}") }
        stack.publisher.notify()
        for _ in 0..<300 where applier.applied.get().count < 60 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(applier.applied.get() == Array(1...60))
        let runs = applier.runs.get()
        #expect(runs.first == [1])
        // Event 45 came in a run that was refused, then alone (refused again), then in a run that went through.
        let with45 = runs.filter { $0.contains(45) }
        #expect(with45.count == 3 && with45[1] == [45] && with45[2].first == 45, "\(runs)")
        // The refused run's events before 45 were then applied one by one.
        #expect(with45.first.map { run in run.filter { $0 < 45 }.allSatisfy { runs.contains([$0]) } } == true, "\(runs)")
        #expect(runs.contains { $0.count > 1 }, "\(runs)")
        await stack.stop()
    }
}

/// A source's events on a real bus: an event forwarder (XSUB for publishers, XPUB for
/// subscribers), the source's `events.since` worker and publisher, and a subscriber applying
/// them with `applier`.
struct SubscriberStack {
    let bus: BusHarness
    let forwarder: EventForwarder
    let publisher: EventPublisher
    let client: BusClient
    let tasks: [Task<Void, Error>]

    static func start(source: MemorySource, applier: some EventApplier) async throws -> SubscriberStack {
        let bus = try BusHarness()
        let forwarder = try EventForwarder(
            context: bus.context, publishersEndpoint: "tcp://127.0.0.1:*", subscribersEndpoint: "tcp://127.0.0.1:*")
        let sinceWorker = bus.worker(
            source.source,
            handlers: [
                EventsSince.method(of: source.source): { request in
                    let ask = try JSONDecoder().decode(EventsSince.Request.self, from: request.body)
                    let events = try await source.events(after: ask.after, limit: ask.limit ?? 100)
                    return EventsSince.encodeReply(events, lastSequence: try await source.lastSequence())
                }
            ])
        let workerTask = Task { try await sinceWorker.run() }
        try await bus.waitForWorkers(source.source, count: 1)
        let publisher = EventPublisher(
            context: bus.context, endpoint: forwarder.publishersEndpoint, source: source, pollInterval: .milliseconds(50))
        let publisherTask = Task { try await publisher.run() }
        let client = try bus.client()
        let subscriber = EventSubscriber(
            context: bus.context, endpoint: forwarder.subscribersEndpoint, client: client, sources: [source.source],
            applier: applier, idleInterval: .milliseconds(200))
        let subscriberTask = Task { try await subscriber.run() }
        return SubscriberStack(
            bus: bus, forwarder: forwarder, publisher: publisher, client: client, tasks: [subscriberTask, publisherTask, workerTask])
    }

    /// Stops everything it started, subscriber first.
    func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        client.close()
        forwarder.stop()
        bus.shutdown()
    }
}

@Suite("Subscriber inbox")
struct SubscriberInboxTests {
    @Test("the inbox holds at most its capacity; past it, events are dropped and a catch-up is asked for")
    func bounded() {
        let inbox = SubscriberInbox(capacity: 3)
        for seq in 1...5 {
            inbox.add(BusEvent(source: "s", sequence: Int64(seq), type: "t", occurredAt: "2026-01-01T00:00:00Z", payload: Data("{}".utf8)))
        }
        let (events, idle) = inbox.take()
        #expect(events.map(\.sequence) == [1, 2, 3])
        #expect(idle)
        let (after, idleAfter) = inbox.take()
        #expect(after.isEmpty && !idleAfter)
    }
}
