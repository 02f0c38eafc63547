import CZeroMQ
import Foundation
import Logging
import Testing

@testable import Bus

/// A broker, clients and workers in one process over loopback TCP.
final class BusHarness: Sendable {
    let context = ZMQContext()
    let broker: Broker
    let heartbeatMs: Int64

    /// Heartbeats slow enough that a worker whose thread a loaded machine leaves waiting a few
    /// hundred milliseconds is not taken for dead (liveness is three beats).
    init(heartbeatMs: Int64 = 500) throws {
        self.heartbeatMs = heartbeatMs
        broker = try Broker(context: context, config: BrokerConfig(endpoint: "tcp://127.0.0.1:*", heartbeatIntervalMs: heartbeatMs))
    }

    /// A client whose deadline no loaded machine reaches (a test about deadlines gives its own):
    /// every test in the run shares two cooperative threads on a 2-core machine, and a 3 s
    /// deadline once ran out before a round trip's handler got its turn.
    func client(retry: Duration = .milliseconds(200)) throws -> BusClient {
        try BusClient(context: context, endpoint: broker.endpoint, defaultTimeout: .seconds(60), retryInterval: retry)
    }

    func worker(_ service: String, capacity: Int = 4, handlers: [String: BusMethodHandler]) -> BusWorker {
        BusWorker(
            context: context, endpoint: broker.endpoint, service: service, handlers: handlers,
            capacity: capacity, heartbeat: .milliseconds(heartbeatMs))
    }

    /// Waits until the broker lists `count` workers for `service`.
    func waitForWorkers(_ service: String, count: Int) async throws {
        for _ in 0..<300 {
            let snapshot = await broker.snapshot()
            if snapshot.services.first(where: { $0.name == service })?.workers == count { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("broker never saw \(count) worker(s) for \(service)")
    }

    func shutdown() {
        broker.stop()
        context.terminate()
    }
}

/// Counts calls across tasks.
final class Counter: Sendable {
    private let value = LockedValue<[String: Int]>([:])
    func add(_ key: String) { value.withValue { $0[key, default: 0] += 1 } }
    func count(_ key: String) -> Int { value.get()[key] ?? 0 }
    var total: Int { value.get().values.reduce(0, +) }
}

@Suite("Broker, client and worker", .serialized)
struct BrokerTests {
    @Test("a request reaches a worker and its reply comes back")
    func roundTrip() async throws {
        let bus = try BusHarness()
        let worker = bus.worker("echo", handlers: ["echo.say": { request in request.body }])
        let task = Task { try await worker.run() }
        try await bus.waitForWorkers("echo", count: 1)
        let client = try bus.client()
        let reply = try await client.call(service: "echo", method: "echo.say", body: Data("{\"x\":1}".utf8))
        #expect(reply == Data("{\"x\":1}".utf8))
        task.cancel()
        _ = await task.result
        client.close()
        bus.shutdown()
    }

    @Test("a service with no worker answers 'unavailable' at once, not at the deadline")
    func noWorkerFailsFast() async throws {
        let bus = try BusHarness()
        let client = try bus.client()
        // "unavailable" is the broker's own answer; waiting out the 10 s deadline would be "timeout".
        do {
            _ = try await client.call(service: "ghost", method: "ghost.get", body: Data(), timeout: .seconds(10))
            Issue.record("expected an error")
        } catch let error as BusError {
            #expect(error.code == .unavailable)
        }
        client.close()
        bus.shutdown()
    }

    @Test("errors thrown by a handler come back as typed errors; unknown methods are bad requests")
    func errorReplies() async throws {
        let bus = try BusHarness()
        let worker = bus.worker("svc", handlers: ["svc.fail": { _ in throw BusError.notFound("contact 7 does not exist") }])
        let task = Task { try await worker.run() }
        try await bus.waitForWorkers("svc", count: 1)
        let client = try bus.client()
        await #expect(throws: BusError.notFound("contact 7 does not exist")) {
            _ = try await client.call(service: "svc", method: "svc.fail", body: Data())
        }
        do {
            _ = try await client.call(service: "svc", method: "svc.nope", body: Data())
        } catch let error as BusError {
            #expect(error.code == .badRequest)
        }
        task.cancel()
        _ = await task.result
        client.close()
        bus.shutdown()
    }

    @Test("a slow worker makes the client time out within its deadline")
    func deadline() async throws {
        let bus = try BusHarness()
        // The handler holds the request until the test lets it go (or 60 s pass), so the client
        // can only have come back by its own deadline: an order of events, not a stopwatch.
        let released = LockedValue(false)
        let finished = LockedValue(false)
        let worker = bus.worker(
            "slow",
            handlers: [
                "slow.wait": { _ in
                    let until = ContinuousClock.now + .seconds(60)
                    while !released.get(), ContinuousClock.now < until {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    finished.set(true)
                    return Data()
                }
            ])
        let task = Task { try await worker.run() }
        try await bus.waitForWorkers("slow", count: 1)
        let client = try bus.client()
        do {
            _ = try await client.call(service: "slow", method: "slow.wait", body: Data(), timeout: .milliseconds(300))
            Issue.record("expected a timeout")
        } catch let error as BusError {
            #expect(error.code == .timeout)
        }
        #expect(!finished.get(), "the client waited for the handler instead of its deadline")
        released.set(true)
        task.cancel()
        _ = await task.result
        client.close()
        bus.shutdown()
    }

    @Test("requests are spread over several workers and a worker runs several at once")
    func spreadAndConcurrency() async throws {
        let bus = try BusHarness()
        let counter = Counter()
        let active = LockedValue<(now: Int, peak: Int)>((0, 0))
        func handler(_ name: String) -> BusMethodHandler {
            { _ in
                counter.add(name)
                active.withValue {
                    $0.now += 1; $0.peak = max($0.peak, $0.now)
                }
                try await Task.sleep(for: .milliseconds(20))
                active.withValue { $0.now -= 1 }
                return Data()
            }
        }
        let a = bus.worker("work", capacity: 4, handlers: ["work.do": handler("a")])
        let b = bus.worker("work", capacity: 4, handlers: ["work.do": handler("b")])
        let ta = Task { try await a.run() }
        let tb = Task { try await b.run() }
        try await bus.waitForWorkers("work", count: 2)
        // No retries here: a retry that crosses its reply runs the handler again (at-least-once,
        // made harmless by idempotent writes), which would blur the count.
        let client = try bus.client(retry: .seconds(30))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask { _ = try await client.call(service: "work", method: "work.do", body: Data()) }
            }
            try await group.waitForAll()
        }
        #expect(counter.total == 40)
        #expect(counter.count("a") > 0 && counter.count("b") > 0)
        #expect(active.get().peak > 1)
        #expect(active.get().peak <= 8)
        ta.cancel(); tb.cancel()
        _ = await ta.result; _ = await tb.result
        client.close()
        bus.shutdown()
    }

    @Test("a request held by a worker that dies is handed to another worker")
    func deadWorkerRequestsMove() async throws {
        // The harness's heartbeats are slow enough that the ghost outlives a loaded test machine until it takes the request.
        let bus = try BusHarness()
        // A raw worker that registers, takes the request, and then never speaks again.
        let ghost = try ZMQSocket(context: bus.context, type: .dealer)
        try ghost.connect(bus.broker.endpoint)
        try ghost.send([
            Data(), BusProtocol.workerHeader, Data([BusProtocol.Command.ready.rawValue]),
            Data("job".utf8), Data("1".utf8),
        ])
        try await bus.waitForWorkers("job", count: 1)
        let client = try bus.client(retry: .seconds(10))
        async let answer = client.call(service: "job", method: "job.run", body: Data(), timeout: .seconds(8))
        // Poll without blocking: this task shares the cooperative pool with the request's task.
        var taken = false
        for _ in 0..<500 where !taken {
            if let frames = try ghost.receive(dontWait: true) {
                taken = frames.count == 9 && frames[2].first == BusProtocol.Command.request.rawValue
            } else {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        #expect(taken)
        let healthy = bus.worker("job", capacity: 1, handlers: ["job.run": { _ in Data("\"done\"".utf8) }])
        let healthyTask = Task { try await healthy.run() }
        let reply = try await answer
        #expect(reply == Data("\"done\"".utf8))
        healthyTask.cancel()
        _ = await healthyTask.result
        ghost.close()
        client.close()
        bus.shutdown()
    }

    @Test("the broker answers bus.health itself with the services it knows")
    func brokerHealth() async throws {
        let bus = try BusHarness()
        let worker = bus.worker("alpha", handlers: [:])
        let task = Task { try await worker.run() }
        try await bus.waitForWorkers("alpha", count: 1)
        let client = try bus.client()
        let body = try await client.call(service: "bus", method: "bus.health", body: Data())
        let snapshot = try JSONDecoder().decode(BrokerSnapshot.self, from: body)
        #expect(snapshot.services.map(\.name) == ["alpha"])
        task.cancel()
        _ = await task.result
        client.close()
        bus.shutdown()
    }

    @Test("a worker re-registers by itself after the broker restarts")
    func workerSurvivesBrokerRestart() async throws {
        let context = ZMQContext()
        let first = try Broker(context: context, config: BrokerConfig(endpoint: "tcp://127.0.0.1:*", heartbeatIntervalMs: 100))
        let endpoint = first.endpoint
        let worker = BusWorker(
            context: context, endpoint: endpoint, service: "phoenix",
            handlers: ["phoenix.ping": { _ in Data("\"pong\"".utf8) }], heartbeat: .milliseconds(100))
        let task = Task { try await worker.run() }
        let client = try BusClient(context: context, endpoint: endpoint, retryInterval: .milliseconds(200))
        for _ in 0..<300 where await first.snapshot().services.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(
            try await client.call(service: "phoenix", method: "phoenix.ping", body: Data(), timeout: .seconds(60))
                == Data("\"pong\"".utf8))
        first.stop()
        // libzmq releases the listening port asynchronously after close; retry the bind briefly.
        var restarted: Broker?
        for _ in 0..<100 where restarted == nil {
            restarted = try? Broker(context: context, config: BrokerConfig(endpoint: endpoint, heartbeatIntervalMs: 100))
            if restarted == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let second = try #require(restarted)
        var answered = false
        // Until the worker has noticed and re-registered, the new broker answers "unavailable" at once.
        for _ in 0..<100 where !answered {
            if let reply = try? await client.call(service: "phoenix", method: "phoenix.ping", body: Data(), timeout: .seconds(1)) {
                answered = reply == Data("\"pong\"".utf8)
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(answered)
        #expect(worker.connections >= 2)
        task.cancel()
        _ = await task.result
        client.close()
        second.stop()
        context.terminate()
    }

    @Test("a request that timed out while the broker was down never runs when the broker comes back")
    func staleRequestsDoNotRunLate() async throws {
        let context = ZMQContext()
        // Find a port, then free it: the client starts with no broker there.
        let probe = try Broker(context: context, config: BrokerConfig(endpoint: "tcp://127.0.0.1:*"))
        let endpoint = probe.endpoint
        probe.stop()
        let client = try BusClient(context: context, endpoint: endpoint, retryInterval: .milliseconds(100))
        await #expect(throws: BusError.self) {
            _ = try await client.call(service: "late", method: "late.write", body: Data("stale".utf8), timeout: .milliseconds(300))
        }
        var broker: Broker?
        for _ in 0..<100 where broker == nil {
            broker = try? Broker(context: context, config: BrokerConfig(endpoint: endpoint, heartbeatIntervalMs: 100))
            if broker == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let counter = Counter()
        let worker = BusWorker(
            context: context, endpoint: endpoint, service: "late",
            handlers: [
                "late.write": { request in
                    counter.add(String(decoding: request.body, as: UTF8.self)); return Data("1".utf8)
                }
            ], heartbeat: .milliseconds(100))
        let task = Task { try await worker.run() }
        // A fresh request goes through once the worker is there (on a loaded machine one of these
        // tries may time out after it was delivered and run again: delivery is at least once, so
        // the fresh ones are told apart from the stale one by their body)...
        var reply: Data?
        for _ in 0..<100 where reply == nil {
            reply = try? await client.call(service: "late", method: "late.write", body: Data("fresh".utf8), timeout: .seconds(1))
            if reply == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(reply == Data("1".utf8))
        // ...and the one that timed out earlier was never delivered.
        try await Task.sleep(for: .milliseconds(300))
        #expect(counter.count("stale") == 0)
        #expect(counter.count("fresh") >= 1)
        task.cancel()
        _ = await task.result
        client.close()
        broker?.stop()
        context.terminate()
    }
}
