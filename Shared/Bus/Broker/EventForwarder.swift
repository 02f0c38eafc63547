import CZeroMQ
import Foundation
import Logging

/// The bus's event hub: publishers connect PUB sockets to an XSUB, subscribers connect SUB
/// sockets to an XPUB, and subscriptions flow back upstream so publishers filter at the source.
/// Runs on its own thread; `stop()` ends it.
public final class EventForwarder: Sendable {
    private let thread: SocketThread<ForwarderEngine>
    /// Where publishers connect (the real port when asked for `:*`).
    public let publishersEndpoint: String
    /// Where subscribers connect.
    public let subscribersEndpoint: String

    public init(
        context: ZMQContext, publishersEndpoint: String, subscribersEndpoint: String,
        curveSecretKey: String? = nil, logger: Logger = Logger(label: "bus.events")
    ) throws {
        let bound = LockedValue<(String, String)>(("", ""))
        thread = try SocketThread(name: "bus-events") {
            ForwarderEngine(
                context: context, inbound: publishersEndpoint, outbound: subscribersEndpoint,
                curveSecretKey: curveSecretKey, bound: bound, logger: logger)
        }
        (self.publishersEndpoint, self.subscribersEndpoint) = bound.get()
    }

    /// Closes both sockets and ends the thread.
    public func stop() { thread.stop() }
}

final class ForwarderEngine: SocketEngine {
    enum Command: Sendable {}

    private let context: ZMQContext
    private let inbound: String
    private let outbound: String
    private let curveSecretKey: String?
    private let bound: LockedValue<(String, String)>
    private let logger: Logger
    private var xsub: ZMQSocket!
    private var xpub: ZMQSocket!

    init(
        context: ZMQContext, inbound: String, outbound: String, curveSecretKey: String?,
        bound: LockedValue<(String, String)>, logger: Logger
    ) {
        self.context = context
        self.inbound = inbound
        self.outbound = outbound
        self.curveSecretKey = curveSecretKey
        self.bound = bound
        self.logger = logger
    }

    var sockets: [ZMQSocket] { [xsub, xpub] }

    func start() throws {
        xsub = try ZMQSocket(context: context, type: .xsub, linger: 0)
        xpub = try ZMQSocket(context: context, type: .xpub, linger: 0)
        try xsub.setOption(ZMQ_RCVHWM, 100_000)
        try xpub.setOption(ZMQ_SNDHWM, 100_000)
        if let secret = curveSecretKey {
            try xsub.makeCurveServer(secretKey: secret, zapDomain: ZapAuthenticator.domain)
            try xpub.makeCurveServer(secretKey: secret, zapDomain: ZapAuthenticator.domain)
        }
        try xsub.bind(inbound)
        try xpub.bind(outbound)
        bound.set((xsub.lastEndpoint, xpub.lastEndpoint))
        logger.info(
            "event forwarder listening",
            metadata: [
                "publishers": "\(xsub.lastEndpoint)", "subscribers": "\(xpub.lastEndpoint)",
            ])
    }

    func handle(_ command: Command) {}

    func readable(_ index: Int) {
        let (from, to) = index == 0 ? (xsub!, xpub!) : (xpub!, xsub!)
        for _ in 0..<1000 {
            guard let frames = try? from.receive(dontWait: true) else { return }
            // A full subscriber queue drops the event; the subscriber catches up by events.since.
            _ = try? to.send(frames, dontWait: true)
        }
    }

    func tick() -> Int { 1000 }

    func stop() {
        xsub?.close()
        xpub?.close()
    }
}
