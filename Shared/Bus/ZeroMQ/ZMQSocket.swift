import CZeroMQ
import Foundation

/// The socket types the bus uses.
public enum ZMQSocketType: Int32, Sendable {
    case pair = 0, pub = 1, sub = 2, req = 3, rep = 4, dealer = 5, router = 6, pull = 7, push = 8
    case xpub = 9, xsub = 10
}

/// One libzmq socket. Not thread-safe, by libzmq's rules: create, use and close it on one thread
/// (see `SocketThread`). Sending copies the frames, receiving returns owned `Data` frames.
public final class ZMQSocket {
    let handle: UnsafeMutableRawPointer
    private var closed = false
    /// What the socket is, for log lines.
    public let type: ZMQSocketType

    /// Creates a socket with the given linger (milliseconds; what to do with unsent messages at close).
    public init(context: ZMQContext, type: ZMQSocketType, linger: Int32 = 0) throws {
        guard let socket = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket")
        }
        handle = socket
        self.type = type
        try setOption(ZMQ_LINGER, linger)
    }

    deinit { close() }

    /// Closes the socket; safe to call twice.
    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }

    // MARK: - Options

    /// Sets an integer option (ZMQ_LINGER, ZMQ_SNDHWM, ZMQ_ROUTER_MANDATORY, ...).
    public func setOption(_ option: Int32, _ value: Int32) throws {
        var v = value
        try check(zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size), "zmq_setsockopt(\(option))")
    }

    /// Sets a 64-bit integer option (ZMQ_MAXMSGSIZE).
    public func setOption(_ option: Int32, int64 value: Int64) throws {
        var v = value
        try check(zmq_setsockopt(handle, option, &v, MemoryLayout<Int64>.size), "zmq_setsockopt(\(option))")
    }

    /// How many messages may queue each way before sends block or drop (0: no limit). For code
    /// outside this module, which does not import libzmq's C names.
    public func setQueueLimits(send: Int32, receive: Int32) throws {
        try setOption(ZMQ_SNDHWM, send)
        try setOption(ZMQ_RCVHWM, receive)
    }

    /// The largest message this socket takes: a bigger one closes its sender's connection.
    public func setMaxMessageSize(_ bytes: Int64) throws {
        try setOption(ZMQ_MAXMSGSIZE, int64: bytes)
    }

    /// Sets a binary option (ZMQ_IDENTITY, ZMQ_SUBSCRIBE, CURVE keys, ...).
    public func setOption(_ option: Int32, _ value: [UInt8]) throws {
        let rc = value.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        try check(rc, "zmq_setsockopt(\(option))")
    }

    /// Sets a string option (Z85 CURVE keys, ZAP domain).
    public func setOption(_ option: Int32, _ value: String) throws {
        try setOption(option, Array(value.utf8))
    }

    /// Reads an integer option.
    public func intOption(_ option: Int32) throws -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        try check(zmq_getsockopt(handle, option, &value, &size), "zmq_getsockopt(\(option))")
        return value
    }

    /// Reads a string option, such as ZMQ_LAST_ENDPOINT after binding to port 0.
    public func stringOption(_ option: Int32) throws -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        try check(zmq_getsockopt(handle, option, &buffer, &size), "zmq_getsockopt(\(option))")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The raw file descriptor libzmq signals readiness on (edge-triggered; see ZMQ_FD).
    public func fileDescriptor() throws -> Int32 {
        var fd: Int32 = 0
        var size = MemoryLayout<Int32>.size
        try check(zmq_getsockopt(handle, ZMQ_FD, &fd, &size), "zmq_getsockopt(ZMQ_FD)")
        return fd
    }

    /// Makes this socket a CURVE server with its secret key (Z85, 40 characters). The ZAP domain
    /// makes libzmq ask the ZAP handler (see `ZapAuthenticator`) whether to admit each client.
    public func makeCurveServer(secretKey: String, zapDomain: String? = nil) throws {
        try setOption(ZMQ_CURVE_SERVER, 1)
        try setOption(ZMQ_CURVE_SECRETKEY, secretKey)
        if let zapDomain { try setOption(ZMQ_ZAP_DOMAIN, zapDomain) }
    }

    /// Makes this socket a CURVE client of a server whose public key it knows.
    public func makeCurveClient(serverKey: String, publicKey: String, secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, serverKey)
        try setOption(ZMQ_CURVE_PUBLICKEY, publicKey)
        try setOption(ZMQ_CURVE_SECRETKEY, secretKey)
    }

    /// A socket that connects out to the bus: large queues, quick reconnects, CURVE when keys
    /// are given. Clients, workers, publishers and subscribers all start this way.
    /// With `immediate`, nothing is queued while the peer is not connected: sends fail with
    /// EAGAIN instead (ZMQ_IMMEDIATE).
    public static func busPeer(
        context: ZMQContext, type: ZMQSocketType, endpoint: String, curve: CurveClientKeys?,
        linger: Int32 = 0, immediate: Bool = false
    ) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, type: type, linger: linger)
        try socket.setOption(ZMQ_SNDHWM, 100_000)
        try socket.setOption(ZMQ_RCVHWM, 100_000)
        try socket.setOption(ZMQ_RECONNECT_IVL, 100)
        try socket.setOption(ZMQ_RECONNECT_IVL_MAX, 1000)
        // A bigger message from a broken or hostile peer drops its connection instead of filling memory.
        try socket.setOption(ZMQ_MAXMSGSIZE, int64: BusProtocol.maxMessageBytes)
        if immediate { try socket.setOption(ZMQ_IMMEDIATE, 1) }
        if let curve {
            try socket.makeCurveClient(serverKey: curve.serverKey, publicKey: curve.publicKey, secretKey: curve.secretKey)
        }
        try socket.connect(endpoint)
        return socket
    }

    // MARK: - Endpoints

    /// Binds to an endpoint (`tcp://127.0.0.1:5555`, `ipc:///tmp/x`, `inproc://x`).
    public func bind(_ endpoint: String) throws {
        try check(zmq_bind(handle, endpoint), "zmq_bind(\(endpoint))")
    }

    /// Connects to an endpoint; libzmq reconnects by itself when the peer goes away.
    public func connect(_ endpoint: String) throws {
        try check(zmq_connect(handle, endpoint), "zmq_connect(\(endpoint))")
    }

    /// The endpoint the socket last bound to, with the real port when bound to `:*` or `:0`.
    public var lastEndpoint: String { (try? stringOption(ZMQ_LAST_ENDPOINT)) ?? "" }

    // MARK: - Messages

    /// Sends a multipart message. With `dontWait`, returns false instead of blocking when the
    /// socket cannot take it (EAGAIN). Retries on EINTR.
    @discardableResult
    public func send(_ frames: [Data], dontWait: Bool = false) throws -> Bool {
        precondition(!frames.isEmpty, "a message has at least one frame")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            while true {
                let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if rc >= 0 { break }
                let error = ZMQError.last("zmq_send")
                if error.code == EINTR { continue }
                // Only the first frame can be refused for lack of room; later frames are atomic.
                if error.isAgain && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Sends a multipart message of UTF-8 strings and data; a convenience for protocol code.
    @discardableResult
    public func send(_ frames: [String], dontWait: Bool = false) throws -> Bool {
        try send(frames.map { Data($0.utf8) }, dontWait: dontWait)
    }

    /// Receives one whole multipart message. With `dontWait`, returns nil when none is waiting.
    /// Retries on EINTR.
    public func receive(dontWait: Bool = false) throws -> [Data]? {
        var ignored: String?
        return try receive(dontWait: dontWait, userId: &ignored, readUserId: false)
    }

    /// Receives one whole multipart message and the ZAP User-Id of the connection it came on
    /// (the sender's role, set by `ZapAuthenticator`; nil on a socket without authentication).
    /// libzmq attaches it to each message, so it cannot be forged by the sender.
    public func receive(dontWait: Bool = false, userId: inout String?) throws -> [Data]? {
        try receive(dontWait: dontWait, userId: &userId, readUserId: true)
    }

    private func receive(dontWait: Bool, userId: inout String?, readUserId: Bool) throws -> [Data]? {
        var frames: [Data] = []
        var message = zmq_msg_t()
        while true {
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let flags: Int32 = (dontWait && frames.isEmpty) ? ZMQ_DONTWAIT : 0
            let rc = zmq_msg_recv(&message, handle, flags)
            if rc < 0 {
                let error = ZMQError.last("zmq_msg_recv")
                if error.code == EINTR { continue }
                if error.isAgain && frames.isEmpty { return nil }
                throw error
            }
            // A ROUTER's routing-id frame is made locally and carries no metadata: read the
            // property from the first frame that came over the wire (the second on a ROUTER).
            // zmq_msg_gets answers NULL when it is absent (no ZAP on this connection).
            if readUserId && frames.count < 2 && (frames.isEmpty || userId == nil) {
                userId = zmq_msg_gets(&message, "User-Id").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            let size = zmq_msg_size(&message)
            if size == 0 {
                frames.append(Data())
            } else {
                frames.append(Data(bytes: zmq_msg_data(&message), count: size))
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    private func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws {
        if rc != 0 { throw ZMQError.last(operation()) }
    }
}
