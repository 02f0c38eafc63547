import Bus
import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit
import Storage

/// The ZeroMQ ingest endpoint (docs/zeromq-ingest.md): a ROUTER socket on its own thread.
/// Producers send numbered call events in streams; every batch of messages that arrived together
/// is written to the durable ingest log in one transaction with the streams' checkpoints, and only
/// then acknowledged with the highest sequence below which everything is committed. The
/// `Projector` folds the log into the call log behind it. Duplicates (a sequence already
/// handled, or an event id already stored) are dropped; bad frames get an ERROR and change nothing.
///
/// With a `serverSecret` the socket speaks only CURVE: `IngestEndpoint` runs a ZAP handler that
/// admits the producers of the key folder, each under its producer name, and a message is read
/// only when the producer it names is the identity of the connection it came on.
final class IngestEngine: SocketEngine {
    typealias Command = Never

    static let tag = Data("CRMI1".utf8)
    /// The most events one message may carry, and one transaction takes.
    static let maxEventsPerMessage = 1000
    static let maxEventsPerBatch = 5000

    private let context: ZMQContext
    private let endpoint: String
    private let database: ServiceDatabase
    private let phones: PhoneNormalizer
    private let logger: Logger
    private let bound: @Sendable (String) -> Void
    private let projector: Projector?
    private let serverSecret: String?
    private var socket: ZMQSocket?
    /// Per (producer, stream): every sequence up to `through` is handled; `above` holds handled
    /// sequences past a gap.
    private var streams: [StreamKey: StreamState] = [:]

    struct StreamKey: Hashable {
        let producer: String
        let stream: String
    }

    struct StreamState {
        var through: Int64
        var above: Set<Int64> = []

        func handled(_ seq: Int64) -> Bool { seq <= through || above.contains(seq) }

        mutating func mark(_ seq: Int64) {
            guard !handled(seq) else { return }
            above.insert(seq)
            while above.remove(through + 1) != nil { through += 1 }
        }
    }

    /// One event as it came, waiting for the batch's transaction.
    private struct Pending {
        let peer: Data
        let key: StreamKey
        let seq: Int64
        let event: CallStore.ValidEvent?
        /// The event's JSON as it came: what the ingest log keeps.
        var raw = Data()
        let error: String?
    }

    init(
        context: ZMQContext, endpoint: String, database: ServiceDatabase, phones: PhoneNormalizer, logger: Logger,
        projector: Projector? = nil, serverSecret: String? = nil, bound: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.projector = projector
        self.serverSecret = serverSecret
        self.context = context
        self.endpoint = endpoint
        self.database = database
        self.phones = phones
        self.logger = logger
        self.bound = bound
    }

    var sockets: [ZMQSocket] { socket.map { [$0] } ?? [] }

    func start() throws {
        let socket = try ZMQSocket(context: context, type: .router, linger: 0)
        try socket.setMaxMessageSize(16 << 20)
        try socket.setQueueLimits(send: 10_000, receive: 10_000)
        if let serverSecret { try socket.makeCurveServer(secretKey: serverSecret, zapDomain: ZapAuthenticator.domain) }
        try socket.bind(endpoint)
        self.socket = socket
        logger.info("ingest endpoint bound", metadata: ["endpoint": "\(socket.lastEndpoint)"])
        bound(socket.lastEndpoint)
    }

    func handle(_ command: Never) {}

    func tick() -> Int { 1000 }

    func stop() {
        socket?.close()
        socket = nil
    }

    func readable(_ index: Int) {
        guard let socket else { return }
        var batch: [Pending] = []
        var hellos: [(peer: Data, key: StreamKey)] = []
        do {
            var sender: String?
            while batch.count < Self.maxEventsPerBatch, let frames = try socket.receive(dontWait: true, userId: &sender) {
                read(frames, sender: sender, into: &batch, hellos: &hellos)
            }
        } catch {
            logger.warning("ingest receive failed", metadata: ["error": "\(error)"])
        }
        if !batch.isEmpty { commit(batch) }
        for hello in hellos {
            do {
                let state = try loadState(hello.key)
                reply(hello.peer, ["ACK", hello.key.producer, hello.key.stream, String(state.through)])
            } catch {
                reply(hello.peer, ["ERROR", hello.key.producer, hello.key.stream, "", "the service cannot read its checkpoint now"])
            }
        }
    }

    /// Reads one message: frames 0 peer identity, then `CRMI1`, a command and its fields.
    /// `sender` is the producer name of the connection's key (nil without identities).
    private func read(_ frames: [Data], sender: String?, into batch: inout [Pending], hellos: inout [(peer: Data, key: StreamKey)]) {
        guard let peer = frames.first else { return }
        func malformed(_ reason: String) { reply(peer, ["ERROR", "", "", "", reason]) }
        guard frames.count >= 5, frames[1] == Self.tag else {
            return malformed("a message is CRMI1, a command and its fields (docs/zeromq-ingest.md)")
        }
        let command = String(decoding: frames[2], as: UTF8.self)
        guard let producer = text(frames[3], max: 100), let stream = text(frames[4], max: 100) else {
            return malformed("producer and stream are 1 to 100 characters of UTF-8")
        }
        if serverSecret != nil && sender != producer {
            return reply(
                peer, ["ERROR", producer, stream, "", "producer '\(producer)' is not the identity of this connection's key"])
        }
        let key = StreamKey(producer: producer, stream: stream)
        switch command {
        case "HELLO":
            hellos.append((peer, key))
        case "EVENTS":
            let pairs = frames.count - 5
            guard pairs > 0, pairs % 2 == 0 else {
                return reply(peer, ["ERROR", producer, stream, "", "EVENTS takes pairs of frames: sequence, JSON event"])
            }
            guard pairs / 2 <= Self.maxEventsPerMessage else {
                return reply(peer, ["ERROR", producer, stream, "", "at most \(Self.maxEventsPerMessage) events per message"])
            }
            let now = Date()
            var index = 5
            while index < frames.count {
                defer { index += 2 }
                guard let seqText = text(frames[index], max: 19), let seq = Int64(seqText), seq > 0 else {
                    reply(peer, ["ERROR", producer, stream, "", "a sequence number is a positive integer"])
                    continue
                }
                do {
                    let input = try CallEventJSON.event(frames[index + 1])
                    let event = try CallStore.validate(input, label: "event \(seq)", now: now)
                    batch.append(Pending(peer: peer, key: key, seq: seq, event: event, raw: frames[index + 1], error: nil))
                } catch let error as BusError {
                    batch.append(Pending(peer: peer, key: key, seq: seq, event: nil, error: error.message))
                } catch {
                    batch.append(Pending(peer: peer, key: key, seq: seq, event: nil, error: "event \(seq) is not a JSON call event"))
                }
            }
        default:
            malformed("unknown command '\(command.prefix(20))'; use HELLO or EVENTS")
        }
    }

    /// Writes a batch in one transaction, then acknowledges every stream it touched.
    private func commit(_ batch: [Pending]) {
        do {
            for key in Set(batch.map(\.key)) where streams[key] == nil { streams[key] = try loadState(key) }
        } catch {
            logger.error("ingest cannot read checkpoints; not acknowledged", metadata: ["error": "\(error)"])
            return
        }
        var states = streams
        var accepted: [String: [Pending]] = [:]
        var errors: [Pending] = []
        for item in batch {
            guard !states[item.key]!.handled(item.seq) else { continue }  // a resend of something handled
            states[item.key]!.mark(item.seq)
            if item.event != nil { accepted[item.key.producer, default: []].append(item) } else { errors.append(item) }
        }
        let touched = Set(batch.map(\.key))
        let checkpoints = touched.map { ($0, states[$0]!.through) }
        do {
            try database.writer.write { db in
                // Durable here; the projector folds them into the call log right after.
                for (producer, items) in accepted {
                    for item in items {
                        guard let event = item.event else { continue }
                        try IngestLog.append(db, producer: producer, event: event, payload: item.raw)
                    }
                }
                let now = DatabaseDate.string(Date())
                for (key, through) in checkpoints {
                    try db.execute(
                        sql: """
                            INSERT INTO ingest_checkpoint (producer, stream, seq, updated_at) VALUES (?, ?, ?, ?)
                            ON CONFLICT (producer, stream) DO UPDATE SET seq = MAX(seq, excluded.seq), updated_at = excluded.updated_at
                            """, arguments: [key.producer, key.stream, through, now])
                }
            }
        } catch {
            // Nothing is acknowledged; the producers resend and the next batch tries again.
            logger.error("ingest write failed; not acknowledged", metadata: ["error": "\(error)"])
            return
        }
        streams = states
        CallStore.ingested(accepted.values.reduce(0) { $0 + $1.count }, path: "stream")
        projector?.wake(ingesting: true)
        for item in errors {
            reply(item.peer, ["ERROR", item.key.producer, item.key.stream, String(item.seq), item.error ?? "rejected"])
        }
        var acked: Set<[Data]> = []
        for item in batch {
            let ack = [item.peer, Data(item.key.producer.utf8), Data(item.key.stream.utf8)]
            guard acked.insert(ack).inserted else { continue }
            reply(item.peer, ["ACK", item.key.producer, item.key.stream, String(states[item.key]!.through)])
        }
    }

    private func loadState(_ key: StreamKey) throws -> StreamState {
        if let known = streams[key] { return known }
        let seq = try database.writer.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT seq FROM ingest_checkpoint WHERE producer = ? AND stream = ?", arguments: [key.producer, key.stream])
        }
        let state = StreamState(through: seq ?? 0)
        streams[key] = state
        return state
    }

    private func reply(_ peer: Data, _ fields: [String]) {
        guard let socket else { return }
        do {
            _ = try socket.send([peer, Self.tag] + fields.map { Data($0.utf8) }, dontWait: true)
        } catch {
            logger.debug("ingest reply dropped", metadata: ["error": "\(error)"])
        }
    }

    private func text(_ frame: Data, max: Int) -> String? {
        guard !frame.isEmpty, frame.count <= max, let value = String(data: frame, encoding: .utf8) else { return nil }
        return value
    }
}
