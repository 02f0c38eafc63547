import Foundation

/// Frame constants of the bus protocol (docs/bus-protocol.md is the full description).
/// It follows the ZeroMQ guide's Majordomo (RFC 7/MDP) with two changes: requests carry a request
/// id, a method, a timeout and headers; a worker announces how many requests it takes at once.
public enum BusProtocol {
    /// Second frame of every message between a client and the broker.
    public static let clientHeader = Data("CRMC01".utf8)
    /// Second frame of every message between a worker and the broker.
    public static let workerHeader = Data("CRMW01".utf8)

    /// Commands, one byte in the third frame.
    public enum Command: UInt8, Sendable {
        case ready = 0x01
        case request = 0x02
        case reply = 0x03
        case heartbeat = 0x04
        case disconnect = 0x05

        var frame: Data { Data([rawValue]) }
    }

    /// The status frame of a successful reply; anything else is an error code.
    public static let ok = "ok"

    /// The service name the broker answers itself (`bus.health`).
    public static let brokerService = "bus"

    /// The longest deadline a request may ask for; a larger timeout frame is cut to it.
    public static let maxTimeoutMs: Int64 = 600_000
    /// The largest headers frame the broker accepts.
    public static let maxHeaderBytes = 8192
    /// The largest message any bus socket takes (ZMQ_MAXMSGSIZE): a bigger one closes the
    /// sender's connection in libzmq instead of filling memory. Import files travel in one frame.
    public static let maxMessageBytes: Int64 = 256 << 20

    /// A timeout frame as milliseconds within 1...`maxTimeoutMs`; `fallback` when it is not a
    /// number (an overlong number included). Nothing read from the wire is added unchecked.
    public static func timeoutMilliseconds(_ frame: Data, fallback: Int64) -> Int64 {
        let value = frame.count <= 20 ? Int64(String(decoding: frame, as: UTF8.self)) ?? fallback : fallback
        return min(max(1, value), maxTimeoutMs)
    }
}

/// The codes a bus error can carry: a closed set, each with one meaning (the gateway maps each
/// to one HTTP status). On the wire it is the status frame and the `code` field.
public enum BusErrorCode: String, Codable, Sendable, CaseIterable {
    /// No reply came before the request's deadline.
    case timeout
    /// No live worker serves the named service (or it is shutting down).
    case unavailable
    /// The request could not be read at all (bad JSON, unknown method).
    case badRequest = "bad_request"
    /// The request was readable but its content is not acceptable.
    case invalid
    /// The thing asked for does not exist.
    case notFound = "not_found"
    /// The request conflicts with the current state (stale version, duplicates, references).
    case conflict
    /// No or bad credentials.
    case unauthorized
    /// The caller is known but may not do this.
    case forbidden
    /// Too many attempts; `details.retry_after` says when to try again.
    case rateLimited = "rate_limited"
    /// Larger than the method takes; `details.limit` says how large it may be.
    case tooLarge = "too_large"
    /// Something broke inside the service.
    case `internal`

    /// The code of a status frame or a decoded `code`; one this build does not know (a newer
    /// service's) reads as `internal`, so every caller handles every code.
    public init(wire: String) { self = BusErrorCode(rawValue: wire) ?? .internal }
}

/// The error every part of the bus speaks: a stable machine-readable code and a message a user
/// can act on. A worker turns a thrown `BusError` into an error reply; a client throws it back.
public struct BusError: Error, Codable, Equatable, Sendable, CustomStringConvertible {
    public let code: BusErrorCode
    public let message: String
    /// Numbers a caller can act on without reading the message: `count` (how many records a
    /// conflict concerns), `retry_after` (seconds to wait), `limit` (the largest size taken).
    public let details: [String: Int]?

    public init(code: BusErrorCode, message: String, details: [String: Int]? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = BusErrorCode(wire: try container.decode(String.self, forKey: .code))
        message = try container.decode(String.self, forKey: .message)
        details = try container.decodeIfPresent([String: Int].self, forKey: .details)
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// No reply came before the request's deadline.
    public static func timeout(_ message: String) -> BusError { .init(code: .timeout, message: message) }
    /// No live worker serves the named service.
    public static func unavailable(_ message: String) -> BusError { .init(code: .unavailable, message: message) }
    /// The request could not be read at all (bad JSON, unknown method).
    public static func badRequest(_ message: String) -> BusError { .init(code: .badRequest, message: message) }
    /// The request was readable but its content is not acceptable.
    public static func invalid(_ message: String) -> BusError { .init(code: .invalid, message: message) }
    /// The thing asked for does not exist.
    public static func notFound(_ message: String) -> BusError { .init(code: .notFound, message: message) }
    /// The request conflicts with the current state.
    public static func conflict(_ message: String, details: [String: Int]? = nil) -> BusError {
        .init(code: .conflict, message: message, details: details)
    }
    /// No or bad credentials.
    public static func unauthorized(_ message: String) -> BusError { .init(code: .unauthorized, message: message) }
    /// The caller is known but may not do this.
    public static func forbidden(_ message: String) -> BusError { .init(code: .forbidden, message: message) }
    /// Too many attempts; try again after `retryAfter` seconds.
    public static func rateLimited(_ message: String, retryAfter: Int) -> BusError {
        .init(code: .rateLimited, message: message, details: ["retry_after": retryAfter])
    }
    /// Larger than `limit` bytes (or items), the most the method takes.
    public static func tooLarge(_ message: String, limit: Int) -> BusError {
        .init(code: .tooLarge, message: message, details: ["limit": limit])
    }
    /// Something broke inside the service; the message says what, without secrets.
    public static func `internal`(_ message: String) -> BusError { .init(code: .internal, message: message) }

    /// Runs `work`, answering an error of code `from` as one of code `to` with the same message:
    /// an item named in a body, not the path, that does not exist (`not_found`) is a `conflict`
    /// (ADR 008), and a check that holds on its own but is applied to stored data likewise.
    public static func recoding<T>(_ from: BusErrorCode, as to: BusErrorCode, _ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as BusError where error.code == from {
            throw BusError(code: to, message: error.message, details: error.details)
        }
    }

    /// `recoding` for asynchronous work.
    public static func recoding<T>(_ from: BusErrorCode, as to: BusErrorCode, _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as BusError where error.code == from {
            throw BusError(code: to, message: error.message, details: error.details)
        }
    }
}

/// An error of another layer (storage, validation) that knows which bus error it is, so a
/// worker answers with that code instead of `internal`.
public protocol BusErrorConvertible: Error {
    var busError: BusError { get }
}

/// Per-request metadata that travels in the headers frame as JSON.
public struct BusHeaders: Codable, Equatable, Sendable {
    /// Who asks: the signed-in user's username (set by the gateway from a verified token), or a
    /// name such as `crm-cli` for the operator's command line.
    public var actor: String?
    /// A trace id that follows the request through every hop, for the logs.
    public var traceId: String?
    /// The signed-in user's id, when a user asks.
    public var userId: Int64?
    /// The signed-in user's rank (`boss` or `user`); services decide visibility with it.
    public var rank: String?
    /// The role of the process that sent the request (`gateway`, `crm-admin`, a service name),
    /// set by the broker from the sender's bus identity; a client cannot set it. Nil only on a
    /// bus run without identities (`CRM_BUS_IDENTITIES=off`, loopback benchmarks).
    public var caller: String?
    /// The scopes of the token the user signed in with (`*` for a session); nil when no token
    /// stands behind the request (the command line). A token can only make tokens within them.
    public var scopes: [String]?
    /// The id of the token (or session) the user signed in with.
    public var tokenId: Int64?

    public init(
        actor: String? = nil, traceId: String? = nil, userId: Int64? = nil, rank: String? = nil, caller: String? = nil,
        scopes: [String]? = nil, tokenId: Int64? = nil
    ) {
        self.scopes = scopes
        self.tokenId = tokenId
        self.actor = actor
        self.traceId = traceId
        self.userId = userId
        self.rank = rank
        self.caller = caller
    }

    /// Whether the caller is a boss (an administrator).
    public var isBoss: Bool { rank == "boss" }

    /// Whether another service (not the gateway nor the command line) sent the request.
    public var isFromService: Bool { caller.map { !BusRole.carriesUsers($0) } ?? false }

    enum CodingKeys: String, CodingKey {
        case actor, rank, caller, scopes
        case traceId = "trace_id"
        case userId = "user_id"
        case tokenId = "token_id"
    }
}

/// A reply as it comes back from the bus: the status frame and the JSON body.
public struct BusReply: Sendable {
    public let requestId: String
    public let status: String
    public let body: Data

    public init(requestId: String, status: String, body: Data) {
        self.requestId = requestId
        self.status = status
        self.body = body
    }

    public var isOK: Bool { status == BusProtocol.ok }

    /// The error this reply carries, or nil for an ok reply.
    public var error: BusError? {
        guard !isOK else { return nil }
        if let decoded = try? JSONDecoder().decode(BusError.self, from: body) { return decoded }
        return BusError(code: BusErrorCode(wire: status), message: String(decoding: body, as: UTF8.self))
    }
}

extension Data {
    /// The frame as UTF-8 text (protocol frames are ASCII).
    var text: String { String(decoding: self, as: UTF8.self) }
}

extension String {
    var frame: Data { Data(utf8) }
}

/// Milliseconds on a monotonic clock, for deadlines and heartbeats inside one process.
@inline(__always)
func monotonicMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

extension Duration {
    /// The duration in whole milliseconds, as the bus frames carry it.
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
