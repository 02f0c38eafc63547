import CZeroMQ

/// A failed libzmq call: the errno it left and libzmq's description of it.
public struct ZMQError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The errno value libzmq reported (EAGAIN, ETERM, EHOSTUNREACH, ...).
    public let code: Int32
    /// The libzmq call that failed, for the log.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// Captures errno right after a failed call.
    static func last(_ operation: String) -> ZMQError {
        ZMQError(code: czmq_errno(), operation: operation)
    }

    public var description: String {
        "\(operation): \(String(cString: zmq_strerror(code))) (errno \(code))"
    }

    /// The context was terminated: the socket's owner must close it and stop.
    public var isTerminated: Bool { code == ETERM }
    /// A non-blocking call found nothing to do.
    public var isAgain: Bool { code == EAGAIN }
    /// ROUTER_MANDATORY could not route: the peer is gone.
    public var isUnroutable: Bool { code == EHOSTUNREACH }
}
