import CZeroMQ
import Foundation
import Logging

/// The socket side of `BusClient`: one DEALER to the broker, the table of requests waiting for
/// replies, and their retry and deadline timers.
final class BusClientEngine: SocketEngine {
    /// One request as the caller hands it over.
    struct Outgoing: Sendable {
        let service: String
        let method: String
        let requestId: String
        let headers: Data
        let body: Data
        let timeoutMs: Int64
        let complete: @Sendable (Result<BusReply, BusError>) -> Void
    }

    enum Command: Sendable {
        case send(Outgoing)
        case cancel(requestId: String)
    }

    private struct Pending {
        let outgoing: Outgoing
        let frames: [Data]
        let deadline: Int64
        var nextSendAt: Int64
        var attempts: Int
    }

    private let context: ZMQContext
    private let endpoint: String
    private let retryIntervalMs: Int64
    private let curve: CurveClientKeys?
    private let logger: Logger
    private var socket: ZMQSocket!
    private var pending: [String: Pending] = [:]
    private var nextScanAt: Int64 = .max

    init(context: ZMQContext, endpoint: String, retryIntervalMs: Int64, curve: CurveClientKeys?, logger: Logger) {
        self.context = context
        self.endpoint = endpoint
        self.retryIntervalMs = retryIntervalMs
        self.curve = curve
        self.logger = logger
    }

    var sockets: [ZMQSocket] { [socket] }

    func start() throws {
        // Immediate: while the broker is away a request waits here, where its deadline is kept,
        // not in a libzmq pipe from which it would reach a restarted broker after the caller gave up.
        socket = try ZMQSocket.busPeer(context: context, type: .dealer, endpoint: endpoint, curve: curve, immediate: true)
    }

    func stop() {
        for (_, request) in pending {
            request.outgoing.complete(.failure(.unavailable("the bus client was closed")))
        }
        pending.removeAll()
        socket?.close()
    }

    func handle(_ command: Command) {
        switch command {
        case .send(let outgoing):
            if pending[outgoing.requestId] != nil {
                outgoing.complete(.failure(.conflict("request id \(outgoing.requestId) is already waiting for a reply")))
                return
            }
            let now = monotonicMilliseconds()
            let frames: [Data] = [
                Data(), BusProtocol.clientHeader, Data([BusProtocol.Command.request.rawValue]),
                Data(outgoing.service.utf8), Data(outgoing.requestId.utf8), Data(outgoing.method.utf8),
                Data(String(outgoing.timeoutMs).utf8), outgoing.headers, outgoing.body,
            ]
            var request = Pending(
                outgoing: outgoing, frames: frames, deadline: now + outgoing.timeoutMs,
                nextSendAt: now, attempts: 0)
            transmit(&request, now: now)
            pending[outgoing.requestId] = request
            nextScanAt = min(nextScanAt, min(request.deadline, request.nextSendAt))
        case .cancel(let requestId):
            if let request = pending.removeValue(forKey: requestId) {
                request.outgoing.complete(.failure(.timeout("the request was cancelled by its caller")))
            }
        }
    }

    func readable(_ index: Int) {
        for _ in 0..<1000 {
            guard let frames = try? socket.receive(dontWait: true) else { return }
            // "", header, REPLY, service, request id, status, body
            guard frames.count == 7, frames[1] == BusProtocol.clientHeader,
                frames[2].first == BusProtocol.Command.reply.rawValue
            else { continue }
            let requestId = frames[4].text
            guard let request = pending.removeValue(forKey: requestId) else { continue }  // late duplicate
            request.outgoing.complete(.success(BusReply(requestId: requestId, status: frames[5].text, body: frames[6])))
        }
    }

    func tick() -> Int {
        let now = monotonicMilliseconds()
        guard now >= nextScanAt else { return Int(min(nextScanAt - now, 1000)) }
        var next: Int64 = .max
        for key in Array(pending.keys) {
            guard var request = pending[key] else { continue }
            if now >= request.deadline {
                pending.removeValue(forKey: key)
                let seconds = Double(request.outgoing.timeoutMs) / 1000
                request.outgoing.complete(
                    .failure(
                        .timeout(
                            "no reply from '\(request.outgoing.service)' to \(request.outgoing.method) within \(seconds)s")))
                continue
            }
            if now >= request.nextSendAt {
                transmit(&request, now: now)
                pending[key] = request
            }
            next = min(next, min(request.deadline, request.nextSendAt))
        }
        nextScanAt = next
        return next == .max ? 1000 : Int(max(1, min(next - now, 1000)))
    }

    /// Sends (or re-sends, with the same request id) and schedules the next retry. The broker
    /// ignores a retry of a request it still holds, and a worker's idempotency store answers a
    /// retry of a write it already made, so resending is always safe.
    private func transmit(_ request: inout Pending, now: Int64) {
        let sent: Bool
        do {
            sent = try socket.send(request.frames, dontWait: true)
        } catch {
            logger.debug("bus send failed, will retry", metadata: ["error": "\(error)"])
            sent = false
        }
        if sent {
            request.attempts += 1
            request.nextSendAt = now + retryIntervalMs * Int64(min(request.attempts, 4))
        } else {
            // Not connected (yet): try again soon rather than after a whole retry interval.
            request.nextSendAt = now + 20
        }
    }
}
