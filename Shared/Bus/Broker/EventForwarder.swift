import CZeroMQ
import Foundation
import Logging

/// The bus's event hub: publishers connect PUB sockets to an XSUB, subscribers connect SUB
/// sockets to an XPUB, and subscriptions flow back upstream so publishers filter at the source.
/// Runs on its own thread; `stop()` ends it.
///
/// With `enforceSources`, an event is passed on only when its source frame names the role of
/// the connection it came on (the ZAP User-Id): only `contacts` publishes `contacts` events. A
/// forged one is dropped, counted and logged once per sender and claimed source, so it never
/// reaches a subscriber and never moves a checkpoint.
public final class EventForwarder: Sendable {
    private let thread: SocketThread<ForwarderEngine>
    /// Where publishers connect (the real port when asked for `:*`).
    public let publishersEndpoint: String
    /// Where subscribers connect.
    public let subscribersEndpoint: String

    public init(
        context: ZMQContext, publishersEndpoint: String, subscribersEndpoint: String,
        curveSecretKey: String? = nil, enforceSources: Bool = false, logger: Logger = Logger(label: "bus.events")
    ) throws {
        let bound = LockedValue<(String, String)>(("", ""))
        let forged = LockedValue<Int>(0)
        thread = try SocketThread(name: "bus-events") {
            ForwarderEngine(
                context: context, inbound: publishersEndpoint, outbound: subscribersEndpoint,
                curveSecretKey: curveSecretKey, enforceSources: enforceSources, bound: bound, forged: forged, logger: logger)
        }
        forgedCount = forged
        (self.publishersEndpoint, self.subscribersEndpoint) = bound.get()
    }

    private let forgedCount: LockedValue<Int>

    /// Events dropped because their sender was not their source.
    public var forged: Int { forgedCount.get() }

    /// Closes both sockets and ends the thread.
    public func stop() { thread.stop() }
}

final class ForwarderEngine: SocketEngine {
    enum Command: Sendable {}

    private let context: ZMQContext
    private let inbound: String
    private let outbound: String
    private let curveSecretKey: String?
    private let enforceSources: Bool
    private let bound: LockedValue<(String, String)>
    private let forged: LockedValue<Int>
    private var forgeriesLogged = Set<String>()
    private let logger: Logger
    private var xsub: ZMQSocket!
    private var xpub: ZMQSocket!

    init(
        context: ZMQContext, inbound: String, outbound: String, curveSecretKey: String?, enforceSources: Bool,
        bound: LockedValue<(String, String)>, forged: LockedValue<Int>, logger: Logger
    ) {
        self.enforceSources = enforceSources
        self.forged = forged
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
        try xsub.setOption(ZMQ_MAXMSGSIZE, int64: BusProtocol.maxMessageBytes)
        try xpub.setOption(ZMQ_MAXMSGSIZE, int64: 4096)  // subscriptions only
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
            var sender: String?
            guard let frames = try? from.receive(dontWait: true, userId: &sender) else { return }
            if index == 0 && enforceSources {
                let source = frames.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
                guard let sender, sender == source else {
                    dropForged(sender: sender ?? "", source: source)
                    continue
                }
            }
            // A full subscriber queue drops the event; the subscriber catches up by events.since.
            _ = try? to.send(frames, dontWait: true)
        }
    }

    private func dropForged(sender: String, source: String) {
        forged.withValue { $0 += 1 }
        let key = "\(sender)|\(source.prefix(64))"
        guard forgeriesLogged.count < 1000, forgeriesLogged.insert(key).inserted else { return }
        logger.warning(
            "dropped an event whose sender is not its source (logged once)",
            metadata: ["sender": "\(sender)", "claimed_source": "\(source.prefix(64))"])
    }

    func tick() -> Int { 1000 }

    func stop() {
        xsub?.close()
        xpub?.close()
    }
}
