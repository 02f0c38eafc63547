import CZeroMQ
import Foundation
import Logging

/// The broker's state machine, run on its own `SocketThread`: Majordomo-style routing of
/// requests to workers by service name, least-loaded then least-recently-used first, with
/// heartbeats both ways. Requests a dead worker held are handed to another worker of the
/// service, or failed with `unavailable` when none is left; queued requests fail with `timeout`
/// when their deadline passes. Nothing is dropped without the client hearing about it.
final class BrokerEngine: SocketEngine {
    enum Command: Sendable {
        case snapshot(@Sendable (BrokerSnapshot) -> Void)
    }

    /// A request the broker holds, queued or at a worker.
    struct PendingRequest {
        let client: Data
        let service: String
        let requestId: Data
        let method: Data
        var headers: Data
        let body: Data
        let expiresAt: Int64
        var key: RequestKey { RequestKey(client: client, requestId: requestId) }
    }

    /// Identifies one request across client retries (same client socket, same request id).
    struct RequestKey: Hashable {
        let client: Data
        let requestId: Data
    }

    final class Worker {
        let identity: Data
        let service: String
        let capacity: Int
        /// The name the worker gave in READY (its process's instance name), for operators.
        let instance: String
        var inFlight: [RequestKey: PendingRequest] = [:]
        var expiresAt: Int64
        var lastUsed: UInt64 = 0
        /// Said DISCONNECT while holding requests: gets no new ones, and is forgotten once it
        /// has answered the last (or, if it dies first, its requests go to another worker).
        var draining = false

        init(identity: Data, service: String, capacity: Int, instance: String, expiresAt: Int64) {
            self.instance = instance
            self.identity = identity
            self.service = service
            self.capacity = capacity
            self.expiresAt = expiresAt
        }
    }

    final class ServiceQueue {
        var workers: [Data] = []
        var queue: [PendingRequest] = []
        var queueHead = 0
        var queuedCount: Int { queue.count - queueHead }
    }

    private let context: ZMQContext
    private let config: BrokerConfig
    private let logger: Logger
    private var socket: ZMQSocket!
    private var workers: [Data: Worker] = [:]
    private var services: [String: ServiceQueue] = [:]
    /// Where each known request is: the worker holding it, or nil while queued.
    private var known: [RequestKey: Data?] = [:]
    private var nextHeartbeatAt: Int64 = 0
    private var nextExpiryScanAt: Int64 = 0
    private var useCounter: UInt64 = 0
    private var routed = 0
    /// What was refused for identity reasons, logged once each (bounded).
    private var refusalsLogged = Set<String>()
    /// How many messages were refused for identity reasons, for tests and health.
    private var refused = 0
    /// The endpoint actually bound (with the real port when the config said `:0`/`:*`).
    private let boundEndpoint: LockedValue<String>

    init(context: ZMQContext, config: BrokerConfig, logger: Logger, boundEndpoint: LockedValue<String>) {
        self.boundEndpoint = boundEndpoint
        self.context = context
        self.config = config
        self.logger = logger
    }

    var sockets: [ZMQSocket] { [socket] }

    func start() throws {
        socket = try ZMQSocket(context: context, type: .router, linger: 0)
        try socket.setOption(ZMQ_ROUTER_MANDATORY, 1)
        try socket.setOption(ZMQ_SNDHWM, 100_000)
        try socket.setOption(ZMQ_RCVHWM, 100_000)
        try socket.setOption(ZMQ_MAXMSGSIZE, int64: BusProtocol.maxMessageBytes)
        if let secret = config.curveSecretKey { try socket.makeCurveServer(secretKey: secret, zapDomain: ZapAuthenticator.domain) }
        try socket.bind(config.endpoint)
        boundEndpoint.set(socket.lastEndpoint)
        nextHeartbeatAt = monotonicMilliseconds() + config.heartbeatIntervalMs
        logger.info("broker listening", metadata: ["endpoint": "\(socket.lastEndpoint)"])
    }

    func stop() {
        for worker in workers.values {
            send(to: worker.identity, [Data(), BusProtocol.workerHeader, BusProtocol.Command.disconnect.frame])
        }
        socket?.close()
    }

    func handle(_ command: Command) {
        switch command {
        case .snapshot(let reply):
            reply(snapshot())
        }
    }

    func readable(_ index: Int) {
        // Drain a bounded batch so heartbeats and expiry still get their turn under load.
        for _ in 0..<1000 {
            let message: [Data]?
            var role: String?
            do {
                message = try socket.receive(dontWait: true, userId: &role)
            } catch {
                logger.error("broker receive failed", metadata: ["error": "\(error)"])
                return
            }
            guard let frames = message else { return }
            if config.enforceRoles && role == nil {
                // Cannot happen behind ZAP (every admitted peer has a role); never route it anyway.
                refuse("a message without an identity", key: "no-identity")
                continue
            }
            process(frames, role: config.enforceRoles ? role : nil)
        }
    }

    func tick() -> Int {
        let now = monotonicMilliseconds()
        if now >= nextHeartbeatAt {
            for worker in Array(workers.values) {
                if worker.expiresAt < now {
                    logger.warning("worker silent, dropping", metadata: ["service": "\(worker.service)"])
                    removeWorker(worker, now: now)
                } else {
                    send(to: worker.identity, [Data(), BusProtocol.workerHeader, BusProtocol.Command.heartbeat.frame])
                }
            }
            nextHeartbeatAt = now + config.heartbeatIntervalMs
        }
        if now >= nextExpiryScanAt {
            expireRequests(now: now)
            nextExpiryScanAt = now + 100
        }
        return Int(max(1, min(nextHeartbeatAt, nextExpiryScanAt) - now))
    }

    // MARK: - Messages

    /// `role` is the sender's identity, nil when the bus runs without identities.
    private func process(_ frames: [Data], role: String?) {
        // [sender identity]["" ][header][command]...
        guard frames.count >= 4, frames[1].isEmpty else {
            logger.debug("malformed message dropped", metadata: ["frames": "\(frames.count)"])
            return
        }
        let sender = frames[0]
        let header = frames[2]
        guard let commandByte = frames[3].first, let command = BusProtocol.Command(rawValue: commandByte) else {
            return
        }
        if header == BusProtocol.clientHeader {
            processClient(sender, role, command, Array(frames.dropFirst(4)))
        } else if header == BusProtocol.workerHeader {
            processWorker(sender, role, command, Array(frames.dropFirst(4)))
        }
    }

    private func processClient(_ client: Data, _ role: String?, _ command: BusProtocol.Command, _ frames: [Data]) {
        // REQUEST: service, request id, method, timeout ms, headers, body
        guard command == .request, frames.count == 6, frames[1].count <= 200, frames[0].count <= 200, frames[2].count <= 200
        else { return }
        let service = frames[0].text
        let now = monotonicMilliseconds()
        let timeout = BusProtocol.timeoutMilliseconds(frames[3], fallback: config.defaultTimeoutMs)
        var request = PendingRequest(
            client: client, service: service, requestId: frames[1], method: frames[2],
            headers: frames[4], body: frames[5], expiresAt: now + timeout)
        switch HeaderPolicy.admit(frames[4], role: role) {
        case .success(let headers):
            request.headers = headers
        case .failure(let error):
            if error.code == .forbidden { refuse("request from '\(role ?? "")' to \(request.method.text)", key: "headers:\(role ?? "")") }
            replyError(request, error)
            return
        }
        if service == BusProtocol.brokerService {
            answerInternal(request)
            return
        }
        // A retry of a request the broker still holds: the first copy will be answered.
        if known[request.key] != nil { return }
        guard let queue = services[service], !queue.workers.isEmpty else {
            replyError(request, BusError.unavailable("no worker for service '\(service)' is connected to the bus"))
            return
        }
        known[request.key] = .some(nil)
        queue.queue.append(request)
        dispatch(queue)
    }

    private func processWorker(_ identity: Data, _ role: String?, _ command: BusProtocol.Command, _ frames: [Data]) {
        let now = monotonicMilliseconds()
        let worker = workers[identity]
        switch command {
        case .ready:
            guard frames.count >= 1 else { return }
            if let worker {  // READY twice is a protocol error: start over
                removeWorker(worker, now: now)
                send(to: identity, [Data(), BusProtocol.workerHeader, BusProtocol.Command.disconnect.frame])
                return
            }
            let service = frames[0].text
            if let role, role != service {
                // Only a service's own identity may serve it: anyone else would receive its requests.
                refuse("'\(role)' tried to register as a worker of '\(service)'", key: "ready:\(role):\(service)")
                return
            }
            let capacity = frames.count >= 2 && frames[1].count <= 9 ? min(10_000, max(1, Int(frames[1].text) ?? 1)) : 1
            let instance = frames.count >= 3 ? String(frames[2].text.prefix(200)) : ""
            let newWorker = Worker(
                identity: identity, service: service, capacity: capacity, instance: instance,
                expiresAt: now + config.heartbeatIntervalMs * config.heartbeatLiveness)
            workers[identity] = newWorker
            let queue = services[service] ?? ServiceQueue()
            services[service] = queue
            queue.workers.append(identity)
            logger.info("worker ready", metadata: ["service": "\(service)", "capacity": "\(capacity)", "worker": "\(instance)"])
            dispatch(queue)
        case .reply:
            guard let worker else {
                send(to: identity, [Data(), BusProtocol.workerHeader, BusProtocol.Command.disconnect.frame])
                return
            }
            worker.expiresAt = now + config.heartbeatIntervalMs * config.heartbeatLiveness
            // client, request id, status, body
            guard frames.count == 4 else { return }
            let key = RequestKey(client: frames[0], requestId: frames[1])
            if let request = worker.inFlight.removeValue(forKey: key) {
                known.removeValue(forKey: key)
                send(
                    to: request.client,
                    [
                        Data(), BusProtocol.clientHeader, BusProtocol.Command.reply.frame,
                        Data(request.service.utf8), request.requestId, frames[2], frames[3],
                    ])
            }
            if worker.draining && worker.inFlight.isEmpty { workers.removeValue(forKey: worker.identity) }
            if let queue = services[worker.service] { dispatch(queue) }
        case .heartbeat:
            guard let worker else {
                send(to: identity, [Data(), BusProtocol.workerHeader, BusProtocol.Command.disconnect.frame])
                return
            }
            worker.expiresAt = now + config.heartbeatIntervalMs * config.heartbeatLiveness
        case .disconnect:
            guard let worker else { return }
            if worker.inFlight.isEmpty {
                removeWorker(worker, now: now)
            } else if !worker.draining, let queue = services[worker.service] {
                worker.draining = true
                queue.workers.removeAll { $0 == worker.identity }
                logger.info(
                    "worker draining",
                    metadata: ["service": "\(worker.service)", "worker": "\(worker.instance)", "in_flight": "\(worker.inFlight.count)"])
                if queue.workers.isEmpty { failQueue(queue) }
            }
        case .request:
            break
        }
    }

    // MARK: - Routing

    /// Hands queued requests to workers with spare capacity: the least loaded first, and among
    /// equals the one used least recently.
    private func dispatch(_ queue: ServiceQueue) {
        while queue.queuedCount > 0 {
            var best: Worker?
            for identity in queue.workers {
                guard let candidate = workers[identity], candidate.inFlight.count < candidate.capacity else { continue }
                if let current = best {
                    if candidate.inFlight.count < current.inFlight.count
                        || (candidate.inFlight.count == current.inFlight.count && candidate.lastUsed < current.lastUsed)
                    {
                        best = candidate
                    }
                } else {
                    best = candidate
                }
            }
            guard let worker = best else { return }
            let request = queue.queue[queue.queueHead]
            queue.queueHead += 1
            if queue.queueHead > 1024 && queue.queueHead * 2 > queue.queue.count {
                queue.queue.removeFirst(queue.queueHead)
                queue.queueHead = 0
            }
            let now = monotonicMilliseconds()
            if request.expiresAt <= now {
                known.removeValue(forKey: request.key)
                replyError(request, .timeout("request expired before a '\(request.service)' worker was free"))
                continue
            }
            useCounter += 1
            worker.lastUsed = useCounter
            let delivered = send(
                to: worker.identity,
                [
                    Data(), BusProtocol.workerHeader, BusProtocol.Command.request.frame,
                    request.client, request.requestId, request.method, Data(String(request.expiresAt - now).utf8),
                    request.headers, request.body,
                ])
            if delivered {
                worker.inFlight[request.key] = request
                known[request.key] = .some(worker.identity)
                routed += 1
            } else {
                // The worker is gone (EHOSTUNREACH): put the request back and forget the worker.
                queue.queue.insert(request, at: queue.queueHead)
                removeWorker(worker, now: now, redispatch: false)
                if queue.workers.isEmpty { failQueue(queue) }
            }
        }
    }

    private func removeWorker(_ worker: Worker, now: Int64, redispatch: Bool = true) {
        workers.removeValue(forKey: worker.identity)
        guard let queue = services[worker.service] else { return }
        queue.workers.removeAll { $0 == worker.identity }
        // Requests the worker held go back to the front of the queue, oldest first.
        let orphans = worker.inFlight.values.sorted { $0.expiresAt < $1.expiresAt }
        worker.inFlight.removeAll()
        for request in orphans { known[request.key] = .some(nil) }
        queue.queue.insert(contentsOf: orphans, at: queue.queueHead)
        if queue.workers.isEmpty {
            failQueue(queue)
        } else if redispatch {
            dispatch(queue)
        }
    }

    /// The last worker of a service is gone: everything waiting for it fails now, not at its deadline.
    private func failQueue(_ queue: ServiceQueue) {
        let waiting = queue.queue[queue.queueHead...]
        queue.queue.removeAll()
        queue.queueHead = 0
        for request in waiting {
            known.removeValue(forKey: request.key)
            replyError(request, .unavailable("the last worker for service '\(request.service)' went away"))
        }
    }

    private func expireRequests(now: Int64) {
        for queue in services.values where queue.queuedCount > 0 {
            var kept: [PendingRequest] = []
            for request in queue.queue[queue.queueHead...] {
                if request.expiresAt <= now {
                    known.removeValue(forKey: request.key)
                    replyError(request, .timeout("no '\(request.service)' worker took the request before its deadline"))
                } else {
                    kept.append(request)
                }
            }
            queue.queue = kept
            queue.queueHead = 0
        }
        // Requests a live worker never answered: free the slot and tell the client.
        let grace = config.heartbeatIntervalMs
        for worker in Array(workers.values) {
            for (key, request) in worker.inFlight where request.expiresAt + grace <= now {
                worker.inFlight.removeValue(forKey: key)
                known.removeValue(forKey: key)
                replyError(request, .timeout("the '\(request.service)' worker did not answer before the deadline"))
            }
            if worker.draining && worker.inFlight.isEmpty { workers.removeValue(forKey: worker.identity) }
        }
    }

    /// Counts a message refused for who sent it and logs the first of each kind.
    private func refuse(_ what: String, key: String) {
        refused += 1
        guard refusalsLogged.count < 1000, refusalsLogged.insert(key).inserted else { return }
        logger.warning("refused by identity (logged once)", metadata: ["what": "\(what)"])
    }

    private func answerInternal(_ request: PendingRequest) {
        switch request.method.text {
        case "bus.health":
            let body = (try? JSONEncoder().encode(snapshot())) ?? Data("{}".utf8)
            send(
                to: request.client,
                [
                    Data(), BusProtocol.clientHeader, BusProtocol.Command.reply.frame,
                    Data(request.service.utf8), request.requestId, Data(BusProtocol.ok.utf8), body,
                ])
        default:
            replyError(request, .badRequest("the broker has no method '\(request.method.text)'"))
        }
    }

    private func replyError(_ request: PendingRequest, _ error: BusError) {
        let body = (try? JSONEncoder().encode(error)) ?? Data()
        send(
            to: request.client,
            [
                Data(), BusProtocol.clientHeader, BusProtocol.Command.reply.frame,
                Data(request.service.utf8), request.requestId, Data(error.code.rawValue.utf8), body,
            ])
    }

    @discardableResult
    private func send(to identity: Data, _ frames: [Data]) -> Bool {
        do {
            return try socket.send([identity] + frames, dontWait: true)
        } catch {
            if let error = error as? ZMQError, error.isUnroutable { return false }
            logger.error("broker send failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func snapshot() -> BrokerSnapshot {
        let states = services.map { name, queue in
            let members = queue.workers.compactMap { workers[$0] }
            return BrokerSnapshot.ServiceState(
                name: name, workers: members.count, queued: queue.queuedCount,
                inFlight: members.reduce(0) { $0 + $1.inFlight.count },
                instances: members.map {
                    BrokerSnapshot.WorkerState(instance: $0.instance, capacity: $0.capacity, inFlight: $0.inFlight.count)
                })
        }.sorted { $0.name < $1.name }
        return BrokerSnapshot(services: states, requestsRouted: routed, refused: refused)
    }
}
