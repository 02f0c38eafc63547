import CZeroMQ
import Foundation
import Logging

/// A ZAP handler (ZeroMQ RFC 27) that admits CURVE clients whose public key is in a roster and
/// names each by its role: the role is the ZAP User-Id, which libzmq attaches to every message
/// from that connection (`ZMQSocket.receive(userId:)`), so the broker, the event forwarder and
/// the ingest endpoint know who sent what. Without a handler, CURVE only encrypts: anyone who
/// knows the server's public key gets in. It must be started on the same context as the server
/// sockets, before they accept connections.
public final class ZapAuthenticator: Sendable {
    private let thread: SocketThread<ZapEngine>

    /// - Parameter roster: public key (Z85) to role, asked again for each new connection, so a
    ///   key added to the roster is admitted without a restart.
    public init(
        context: ZMQContext, roster: @escaping @Sendable () -> [String: String], logger: Logger = Logger(label: "bus.zap")
    ) throws {
        thread = try SocketThread(name: "bus-zap") {
            ZapEngine(context: context, roster: roster, logger: logger)
        }
    }

    /// A handler with a fixed roster.
    public convenience init(context: ZMQContext, roster: [String: String], logger: Logger = Logger(label: "bus.zap")) throws {
        try self.init(context: context, roster: { roster }, logger: logger)
    }

    /// The ZAP domain server sockets must set (ZMQ_ZAP_DOMAIN) so libzmq asks this handler.
    public static let domain = "crm"

    public func stop() { thread.stop() }
}

final class ZapEngine: SocketEngine {
    enum Command: Sendable {}

    private let context: ZMQContext
    private let roster: @Sendable () -> [String: String]
    private let logger: Logger
    private var socket: ZMQSocket!

    init(context: ZMQContext, roster: @escaping @Sendable () -> [String: String], logger: Logger) {
        self.context = context
        self.roster = roster
        self.logger = logger
    }

    var sockets: [ZMQSocket] { [socket] }

    func start() throws {
        socket = try ZMQSocket(context: context, type: .rep, linger: 0)
        try socket.bind("inproc://zeromq.zap.01")
    }

    func handle(_ command: Command) {}

    func readable(_ index: Int) {
        while let frames = try? socket.receive(dontWait: true) {
            // version, request id, domain, address, identity, mechanism, credentials...
            guard frames.count >= 6, frames[0] == Data("1.0".utf8) else {
                _ = try? socket.send([
                    Data("1.0".utf8), frames.count > 1 ? frames[1] : Data(), Data("500".utf8),
                    Data("malformed ZAP request".utf8), Data(), Data(),
                ])
                continue
            }
            let mechanism = frames[5].text
            var status = "400", text = "client key not allowed", userId = ""
            if mechanism == "CURVE", frames.count >= 7, frames[6].count == 32 {
                let key = Self.z85(frames[6])
                if let role = roster()[key] {
                    status = "200"
                    text = "OK"
                    userId = role
                } else {
                    logger.warning("refused a CURVE client", metadata: ["key": "\(key)", "address": "\(frames[3].text)"])
                }
            } else {
                text = "mechanism \(mechanism) is not accepted"
            }
            _ = try? socket.send([Data("1.0".utf8), frames[1], Data(status.utf8), Data(text.utf8), Data(userId.utf8), Data()])
        }
    }

    func tick() -> Int { 1000 }
    func stop() { socket?.close() }

    /// A 32-byte key as Z85 text.
    static func z85(_ key: Data) -> String {
        var buffer = [CChar](repeating: 0, count: 41)
        key.withUnsafeBytes { bytes in
            _ = zmq_z85_encode(&buffer, bytes.bindMemory(to: UInt8.self).baseAddress, 32)
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
