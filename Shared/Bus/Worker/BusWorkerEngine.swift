import CZeroMQ
import Foundation
import Logging

/// The socket side of `BusWorker`: one DEALER to the broker, READY with a capacity, heartbeats
/// both ways, and a fresh socket (and READY) when the broker goes silent or says DISCONNECT.
final class BusWorkerEngine: SocketEngine {
    enum Command: Sendable {
        case reply(client: Data, requestId: String, status: String, body: Data)
        /// Graceful shutdown: tell the broker to send nothing more, then end the request stream.
        case disconnect
    }

    private let context: ZMQContext
    private let endpoint: String
    private let service: String
    private let capacity: Int
    private let instance: String
    private let heartbeatMs: Int64
    private let liveness: Int64
    private let curve: CurveClientKeys?
    private let logger: Logger
    private let incoming: AsyncStream<IncomingRequest>.Continuation
    private var socket: ZMQSocket!
    private var brokerExpiresAt: Int64 = 0
    private var nextHeartbeatAt: Int64 = 0
    private var draining = false
    /// While draining: until when requests the broker sent before it read our DISCONNECT are
    /// still taken (and answered) rather than dropped; nil once the inbox is closed.
    private var takingUntil: Int64?
    /// How many times the worker has (re)connected; tests and logs read it.
    private let connections: LockedValue<Int>

    init(
        context: ZMQContext, endpoint: String, service: String, capacity: Int, instance: String, heartbeatMs: Int64,
        liveness: Int64, curve: CurveClientKeys?, logger: Logger, incoming: AsyncStream<IncomingRequest>.Continuation,
        connections: LockedValue<Int>
    ) {
        self.instance = instance
        self.context = context
        self.endpoint = endpoint
        self.service = service
        self.capacity = capacity
        self.heartbeatMs = heartbeatMs
        self.liveness = liveness
        self.curve = curve
        self.logger = logger
        self.incoming = incoming
        self.connections = connections
    }

    var sockets: [ZMQSocket] { [socket] }

    func start() throws {
        try connect()
    }

    private func connect() throws {
        socket?.close()
        socket = try ZMQSocket.busPeer(context: context, type: .dealer, endpoint: endpoint, curve: curve)
        send([BusProtocol.Command.ready.frame, Data(service.utf8), Data(String(capacity).utf8), Data(instance.utf8)])
        let now = monotonicMilliseconds()
        brokerExpiresAt = now + heartbeatMs * liveness
        nextHeartbeatAt = now + heartbeatMs
        connections.withValue { $0 += 1 }
    }

    func stop() {
        if !draining { send([BusProtocol.Command.disconnect.frame]) }
        incoming.finish()
        socket?.close()
    }

    func handle(_ command: Command) {
        switch command {
        case .reply(let client, let requestId, let status, let body):
            send([BusProtocol.Command.reply.frame, client, Data(requestId.utf8), Data(status.utf8), body])
        case .disconnect:
            guard !draining else { return }
            draining = true
            send([BusProtocol.Command.disconnect.frame])
            // The broker stops sending once it reads this, and keeps us until we have answered
            // what we hold; what it sent meanwhile is still taken for a short while, then the
            // inbox closes and the worker finishes what it has.
            takingUntil = monotonicMilliseconds() + min(heartbeatMs, 500)
        }
    }

    func readable(_ index: Int) {
        for _ in 0..<1000 {
            guard let frames = try? socket.receive(dontWait: true) else { return }
            guard frames.count >= 3, frames[1] == BusProtocol.workerHeader,
                let byte = frames[2].first, let command = BusProtocol.Command(rawValue: byte)
            else { continue }
            let now = monotonicMilliseconds()
            brokerExpiresAt = now + heartbeatMs * liveness
            switch command {
            case .request:
                // "", header, REQUEST, client, request id, method, timeout ms, headers, body
                guard frames.count == 9 else { continue }
                if draining && takingUntil == nil {
                    // Sent after the inbox closed (it should not be): the broker gives it to another
                    // worker once this one is gone, and the client's retry waits for that.
                    continue
                }
                guard let headers = try? JSONDecoder().decode(BusHeaders.self, from: frames[7]) else {
                    // Never read unreadable headers as none: that would make the request the system's own.
                    let (status, body) = BusWorker.errorReply(.badRequest("the headers frame is not a readable JSON object"))
                    send([BusProtocol.Command.reply.frame, frames[3], frames[4], Data(status.utf8), body])
                    continue
                }
                let request = IncomingRequest(
                    service: service, method: frames[5].text, requestId: frames[4].text, headers: headers,
                    body: frames[8], deadline: now + BusProtocol.timeoutMilliseconds(frames[6], fallback: 5000), client: frames[3])
                incoming.yield(request)
            case .heartbeat:
                break
            case .disconnect:
                if !draining { reconnect(reason: "broker asked the worker to reconnect") }
                return
            case .ready, .reply:
                break
            }
        }
    }

    func tick() -> Int {
        let now = monotonicMilliseconds()
        if draining {
            // Still alive while answering what it holds: heartbeats go on, reconnects do not.
            if let until = takingUntil, now >= until {
                takingUntil = nil
                incoming.finish()
            }
            if now >= nextHeartbeatAt {
                send([BusProtocol.Command.heartbeat.frame])
                nextHeartbeatAt = now + heartbeatMs
            }
            return Int(max(1, min(nextHeartbeatAt, takingUntil ?? .max) - now))
        }
        if now >= brokerExpiresAt {
            reconnect(reason: "broker silent for \(heartbeatMs * liveness) ms")
            return Int(heartbeatMs)
        }
        if now >= nextHeartbeatAt {
            send([BusProtocol.Command.heartbeat.frame])
            nextHeartbeatAt = now + heartbeatMs
        }
        return Int(max(1, min(nextHeartbeatAt, brokerExpiresAt) - now))
    }

    private func reconnect(reason: String) {
        logger.warning("reconnecting to the broker", metadata: ["service": "\(service)", "reason": "\(reason)"])
        do {
            try connect()
        } catch {
            logger.error("worker reconnect failed", metadata: ["error": "\(error)"])
            brokerExpiresAt = monotonicMilliseconds() + heartbeatMs
        }
    }

    private func send(_ frames: [Data]) {
        do {
            _ = try socket.send([Data(), BusProtocol.workerHeader] + frames, dontWait: true)
        } catch {
            logger.debug("worker send failed", metadata: ["error": "\(error)"])
        }
    }
}
