import CZeroMQ
import Foundation
import Testing

@testable import Bus

/// A broker and forwarder with identities, as the bus process runs them: CURVE on every socket,
/// a ZAP roster of roles, roles enforced.
final class SecureBus: @unchecked Sendable {
    let context = ZMQContext()
    let server: CurveKeyPair
    var pairs: [String: CurveKeyPair] = [:]
    let zap: ZapAuthenticator
    let broker: Broker
    let forwarder: EventForwarder

    init(roles: [String]) throws {
        server = try CurveKeyPair.generate()
        for role in roles { pairs[role] = try CurveKeyPair.generate() }
        var roster: [String: String] = [:]
        for (role, pair) in pairs { roster[pair.publicKey] = role }
        zap = try ZapAuthenticator(context: context, roster: roster)
        broker = try Broker(
            context: context,
            config: BrokerConfig(
                endpoint: "tcp://127.0.0.1:*", heartbeatIntervalMs: 100, curveSecretKey: server.secretKey, enforceRoles: true))
        forwarder = try EventForwarder(
            context: context, publishersEndpoint: "tcp://127.0.0.1:*", subscribersEndpoint: "tcp://127.0.0.1:*",
            curveSecretKey: server.secretKey, enforceSources: true)
    }

    /// Keys of `role`; a role not in the roster gets a fresh (unknown) pair.
    func keys(_ role: String) throws -> CurveClientKeys {
        let pair = try pairs[role] ?? CurveKeyPair.generate()
        return CurveClientKeys(serverKey: server.publicKey, publicKey: pair.publicKey, secretKey: pair.secretKey)
    }

    func client(_ role: String) throws -> BusClient {
        try BusClient(context: context, endpoint: broker.endpoint, retryInterval: .milliseconds(100), curve: try keys(role))
    }

    func worker(_ service: String, as role: String, handlers: [String: BusMethodHandler], open: Set<String> = []) throws -> BusWorker {
        BusWorker(
            context: context, endpoint: broker.endpoint, service: service, handlers: handlers, openToServices: open,
            heartbeat: .milliseconds(100), curve: try keys(role))
    }

    func stop() {
        broker.stop()
        forwarder.stop()
        zap.stop()
        context.terminate()
    }
}

/// Headers the worker saw, as JSON.
final class HeaderLog: Sendable {
    let seen = LockedValue<[BusHeaders]>([])
}

@Suite("Identities and roles on the bus", .serialized)
struct IdentityTests {
    static func echo(_ log: HeaderLog) -> BusMethodHandler {
        { request in
            log.seen.withValue { $0.append(request.headers) }
            return Data("\"ok\"".utf8)
        }
    }

    /// Calls until the worker is registered (a first call may find none yet, or, on a machine
    /// busy with the end-to-end tests' processes, wait past its short deadline).
    static func callWhenReady(
        _ client: BusClient, _ service: String, _ method: String, headers: BusHeaders = BusHeaders()
    ) async throws
        -> Data
    {
        var lastError: Error?
        for _ in 0..<40 {
            do {
                return try await client.call(
                    service: service, method: method, body: Data("{}".utf8), headers: headers, timeout: .seconds(1))
            } catch let error as BusError where error.code == .unavailable || error.code == .timeout {
                lastError = error
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        throw lastError ?? BusError.timeout("no worker")
    }

    @Test("the gateway's user headers reach the worker with the caller set by the broker")
    func gatewaySpeaksForUsers() async throws {
        let bus = try SecureBus(roles: ["gateway", "settings"])
        defer { bus.stop() }
        let log = HeaderLog()
        let worker = try bus.worker("settings", as: "settings", handlers: ["settings.users.list": Self.echo(log)])
        let task = Task { try await worker.run() }
        defer { task.cancel() }
        let gateway = try bus.client("gateway")
        defer { gateway.close() }
        _ = try await Self.callWhenReady(
            gateway, "settings", "settings.users.list", headers: BusHeaders(actor: "kari", userId: 7, rank: "user"))
        let seen = try #require(log.seen.get().last)
        #expect(seen.caller == "gateway")
        #expect(seen.actor == "kari")
        #expect(seen.userId == 7)
    }

    @Test("a service cannot send a user's identity, nor call a method not open to services")
    func serviceCannotImpersonate() async throws {
        let bus = try SecureBus(roles: ["telephony", "settings"])
        defer { bus.stop() }
        // Separate logs: the client retries every 100 ms, so a health call may run twice
        // (at-least-once); what counts is that users.list never runs.
        let log = HeaderLog(), closedLog = HeaderLog()
        let worker = try bus.worker(
            "settings", as: "settings", handlers: ["settings.users.list": Self.echo(closedLog), "settings.health": Self.echo(log)],
            open: ["settings.health"])
        let task = Task { try await worker.run() }
        defer { task.cancel() }
        let telephony = try bus.client("telephony")
        defer { telephony.close() }
        // What it may call, it calls as itself.
        _ = try await Self.callWhenReady(telephony, "settings", "settings.health")
        #expect(log.seen.get().last?.caller == "telephony")
        #expect(log.seen.get().last?.actor == nil)
        // A boss's headers are refused by the broker: the worker never sees the request. (Both
        // answers come at once; the long deadline is for a loaded machine, where a missed
        // heartbeat makes the worker reconnect and the request waits for the client's resend.)
        let boss = await #expect(throws: BusError.self) {
            _ = try await telephony.call(
                service: "settings", method: "settings.users.list", body: Data("{}".utf8),
                headers: BusHeaders(actor: "mallory", rank: "boss"), timeout: .seconds(10))
        }
        #expect(boss?.code == .forbidden)
        // Without user headers, a method that is not open to services is refused by the worker.
        let closed = await #expect(throws: BusError.self) {
            _ = try await telephony.call(service: "settings", method: "settings.users.list", body: Data("{}".utf8), timeout: .seconds(10))
        }
        #expect(closed?.code == .forbidden)
        #expect(closedLog.seen.get().isEmpty)
    }

    @Test("a client cannot set the caller itself, and unreadable headers are refused")
    func headersChecked() async throws {
        try await Self.withContactsWorker { bus, gateway, log in
            let forged = await #expect(throws: BusError.self) {
                _ = try await gateway.call(
                    service: "contacts", method: "contacts.list", body: Data("{}".utf8), headers: BusHeaders(caller: "crm-admin"),
                    timeout: .seconds(2))
            }
            #expect(forged?.code == .forbidden)
            for bad in ["", "[]", "not json", "{\"actor\":", String(repeating: "[", count: 5000)] {
                let reply = try await RawCall.send(
                    bus, role: "gateway", service: "contacts", method: "contacts.list", headers: Data(bad.utf8))
                #expect(reply == "bad_request", "headers \(bad.prefix(20)) answered \(reply)")
            }
            // Only the gateway's own readiness call(s) reached the worker (a retry may repeat it).
            #expect(!log.seen.get().isEmpty && log.seen.get().allSatisfy { $0.caller == "gateway" })
        }
    }

    @Test("a worker may register only for its own service; an unknown key gets nothing")
    func registrationAndStrangers() async throws {
        let bus = try SecureBus(roles: ["gateway", "telephony", "settings"])
        defer { bus.stop() }
        let log = HeaderLog()
        // telephony pretends to be settings: it must never receive settings' requests.
        let impostor = try bus.worker("settings", as: "telephony", handlers: ["settings.auth.login": Self.echo(log)])
        let task = Task { try await impostor.run() }
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(400))
        let gateway = try bus.client("gateway")
        defer { gateway.close() }
        let refused = await #expect(throws: BusError.self) {
            _ = try await gateway.call(service: "settings", method: "settings.auth.login", body: Data("{}".utf8), timeout: .seconds(60))
        }
        #expect(refused?.code == .unavailable)
        #expect(log.seen.get().isEmpty)
        #expect(await bus.broker.snapshot().refused >= 1)
        // A stranger's key is refused by ZAP: not even the broker's own bus.health answers.
        let stranger = try bus.client("stranger")
        defer { stranger.close() }
        let silent = await #expect(throws: BusError.self) {
            _ = try await stranger.call(service: "bus", method: "bus.health", body: Data("{}".utf8), timeout: .milliseconds(800))
        }
        #expect(silent?.code == .timeout)
    }

    @Test("an event is passed on only from its own source; a forged one is dropped and counted")
    func forgedEventsDropped() async throws {
        let bus = try SecureBus(roles: ["contacts", "telephony", "gateway"])
        defer { bus.stop() }
        let subscriber = try ZMQSocket.busPeer(
            context: bus.context, type: .sub, endpoint: bus.forwarder.subscribersEndpoint, curve: try bus.keys("gateway"))
        defer { subscriber.close() }
        try subscriber.setOption(ZMQ_SUBSCRIBE, "contacts")
        try subscriber.setOption(ZMQ_RCVTIMEO, 100)
        let forger = try ZMQSocket.busPeer(
            context: bus.context, type: .pub, endpoint: bus.forwarder.publishersEndpoint, curve: try bus.keys("telephony"))
        defer { forger.close() }
        let honest = try ZMQSocket.busPeer(
            context: bus.context, type: .pub, endpoint: bus.forwarder.publishersEndpoint, curve: try bus.keys("contacts"))
        defer { honest.close() }
        var received: [String] = []
        for attempt in 0..<60 {
            try forger.send(["contacts", "\(attempt + 1)", "contact.deleted", "2026-01-01T00:00:00Z", "{\"contact_id\":1,\"forged\":true}"])
            try honest.send(["contacts", "\(attempt + 1)", "contact.updated", "2026-01-01T00:00:00Z", "{\"contact_id\":1}"])
            while let frames = try subscriber.receive(dontWait: false) { received.append(String(decoding: frames[2], as: UTF8.self)) }
            if received.count >= 3 && bus.forwarder.forged >= 3 { break }
        }
        #expect(!received.isEmpty)
        #expect(!received.contains("contact.deleted"))
        #expect(bus.forwarder.forged >= 3)
    }

    @Test("a timeout frame of Int64.max or garbage neither stops the broker nor the worker")
    func overflowingTimeouts() async throws {
        try await Self.withContactsWorker { bus, gateway, _ in
            // Too large: cut to 10 minutes (or the default when not a number at all); the call is answered.
            for timeout in ["9223372036854775807", "99999999999999999999999", "abc", ""] {
                let status = try await RawCall.send(
                    bus, role: "gateway", service: "contacts", method: "contacts.list", headers: Data("{}".utf8), timeout: timeout)
                #expect(status == "ok", "timeout \(timeout) answered \(status)")
            }
            // Zero or negative: a deadline of 1 ms, answered (ok if the worker is quick, else timeout).
            for timeout in ["-9223372036854775808", "-1", "0"] {
                let status = try await RawCall.send(
                    bus, role: "gateway", service: "contacts", method: "contacts.list", headers: Data("{}".utf8), timeout: timeout)
                #expect(status == "ok" || status == "timeout", "timeout \(timeout) answered \(status)")
            }
            // Still routing.
            _ = try await gateway.call(service: "contacts", method: "contacts.list", body: Data("{}".utf8), timeout: .seconds(60))
        }
    }

    /// A secure bus with a `contacts` worker that logs the headers it sees and a `gateway`
    /// client that has reached it once.
    static func withContactsWorker(_ body: (SecureBus, BusClient, HeaderLog) async throws -> Void) async throws {
        let bus = try SecureBus(roles: ["gateway", "contacts"])
        defer { bus.stop() }
        let log = HeaderLog()
        let worker = try bus.worker("contacts", as: "contacts", handlers: ["contacts.list": Self.echo(log)])
        let task = Task { try await worker.run() }
        defer { task.cancel() }
        let gateway = try bus.client("gateway")
        defer { gateway.close() }
        _ = try await Self.callWhenReady(gateway, "contacts", "contacts.list")
        try await body(bus, gateway, log)
    }
}

/// One request written frame by frame, as a client in another language would; answers the status.
enum RawCall {
    static func send(
        _ bus: SecureBus, role: String, service: String, method: String, headers: Data, timeout: String = "2000"
    ) async throws -> String {
        let keys = try bus.keys(role)
        let (context, endpoint) = (bus.context, bus.broker.endpoint)
        // A blocking receive: on a thread of its own, never on the cooperative pool.
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    let socket = try ZMQSocket.busPeer(context: context, type: .dealer, endpoint: endpoint, curve: keys)
                    defer { socket.close() }
                    try socket.setOption(ZMQ_RCVTIMEO, 3000)
                    try socket.send([
                        Data(), BusProtocol.clientHeader, Data([0x02]), Data(service.utf8), Data(UUID().uuidString.utf8),
                        Data(method.utf8), Data(timeout.utf8), headers, Data("{}".utf8),
                    ])
                    let reply = try socket.receive()
                    continuation.resume(
                        returning: reply.map { $0.count >= 6 ? String(decoding: $0[5], as: UTF8.self) : "short reply" } ?? "no reply")
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }
}
