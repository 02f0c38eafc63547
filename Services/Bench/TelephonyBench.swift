import ArgumentParser
import Bus
import Foundation
import GRDB
import Synchronization

/// `crm-bench telephony`: call events per second and acknowledgement latency over ZeroMQ and over
/// HTTP, against a plain batched insert of the same rows into SQLite with the same durability
/// (WAL, synchronous=FULL), measured in the same run.
struct TelephonyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telephony", abstract: "Call events over ZeroMQ and HTTP against a plain batched SQLite insert.")

    @Option(help: "Events sent over ZeroMQ (two per call: ringing, completed).")
    var events = 200_000

    @Option(help: "Events sent over HTTP.")
    var httpEvents = 100_000

    @Option(help: "Events per ZeroMQ message.")
    var batch = 100

    @Option(help: "Events per HTTP request (the API takes up to 1,000).")
    var httpBatch = 100

    /// What docs/zeromq-ingest.md and the example producer use. A producer that keeps its window
    /// full waits window / rate for each ack on average (5,000 at 100,000/s: 50 ms), so the window
    /// sets the latency a full-window run can show.
    @Option(help: "Unacknowledged events a ZeroMQ producer keeps in flight.")
    var window = 2_000

    @Option(help: "Concurrent HTTP clients.")
    var httpClients = 4

    @Option(help: "Rows per transaction of the plain insert (what the ingest commits together under load).")
    var baselineBatch = 1_000

    @Option(help: "Where the release binaries are.")
    var bin = ".build/release"

    @Option(help: "Only compare the ZeroMQ ingest with identities on and off, in this many alternating rounds (0: the full run).")
    var compareIdentities = 0

    func run() async throws {
        if compareIdentities > 0 { return try identitiesOnAndOff(rounds: compareIdentities) }
        let system = try BenchSystem(bin: bin)
        defer { system.shutdown() }
        try system.startProcesses()
        try system.waitUntilReady()
        let probe = try system.signedInProbe()
        let token = probe.token!
        say("crm-bench telephony: \(events) events over ZeroMQ (\(batch) per message), \(httpEvents) over HTTP (\(httpBatch) per request)")

        let zmqPayloads = Self.payloads(count: events, prefix: "z")
        let baseline = try baselineInsert(zmqPayloads, folder: system.folder)
        say(
            String(
                format: "plain batched insert (%d rows per commit): %.0f rows/s, commit p50 %.1f ms, p99 %.1f ms",
                baselineBatch, baseline.rate, baseline.p50, baseline.p99))

        let zmq = try zeroMQ(
            zmqPayloads, endpoint: system.ingestEndpoint, producer: "bench-zmq", window: window, database: system.telephonyDatabase,
            curve: try system.producerKeys("bench-zmq"))
        say(String(format: "ZeroMQ ingest, window %d: %.0f events/s, ack p50 %.1f ms, p99 %.1f ms", window, zmq.rate, zmq.p50, zmq.p99))
        say(
            String(
                format: "  call log complete %.1f s after the last ack: %.0f events/s end to end", zmq.callLogLag ?? 0,
                zmq.callLogRate ?? 0))
        // Paced at 80% of the burst rate for two seconds (a burst the ingest log absorbs), then at what
        // the call log keeps up with (80% of it), to see acknowledgement latency at both.
        let burstRate = min(100_000, zmq.rate * 0.8)
        try waitUntilQuiet(system)
        let burst = try zeroMQ(
            Self.payloads(count: Int(burstRate * 2), prefix: "b"), endpoint: system.ingestEndpoint, producer: "bench-burst",
            window: window, pace: burstRate, database: system.telephonyDatabase, curve: try system.producerKeys("bench-burst"))
        say(String(format: "ZeroMQ ingest paced at %.0f events/s for 2 s: ack p50 %.1f ms, p99 %.1f ms", burstRate, burst.p50, burst.p99))
        let pacedRate = min(100_000, (zmq.callLogRate ?? zmq.rate) * 0.8)
        try waitUntilQuiet(system)
        let paced = try zeroMQ(
            Self.payloads(count: min(events, Int(pacedRate * 10)), prefix: "p"), endpoint: system.ingestEndpoint, producer: "bench-paced",
            window: window, pace: pacedRate, database: system.telephonyDatabase, curve: try system.producerKeys("bench-paced"))
        say(
            String(
                format: "ZeroMQ ingest paced at %.0f events/s: %.0f events/s, ack p50 %.1f ms, p99 %.1f ms",
                pacedRate, paced.rate, paced.p50, paced.p99))

        try waitUntilQuiet(system)
        let http = try overHTTP(port: system.httpPort, token: token)
        say(
            String(
                format: "HTTP ingest, %d clients, %d events per request: %.0f events/s, request p50 %.1f ms, p99 %.1f ms", httpClients,
                httpBatch, http.rate,
                http.p50,
                http.p99))

        try waitUntilQuiet(system)
        let queued = try overHTTP(port: system.httpPort, token: token, queued: true, database: system.telephonyDatabase)
        say(
            String(
                format:
                    "HTTP ingest with Prefer: respond-async: %.0f events/s, request p50 %.1f ms, p99 %.1f ms; call log complete %.1f s after",
                queued.rate, queued.p50, queued.p99, queued.callLogLag ?? 0))

        let counted = try await DatabaseQueue(path: system.telephonyDatabase).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM call_event")!
        }
        say("")
        say("| path | events/s | vs plain insert | ack p50 ms | ack p99 ms |")
        say("|---|---|---|---|---|")
        for (name, result) in [
            ("plain batched insert (baseline)", baseline), ("ZeroMQ, full window", zmq),
            (String(format: "ZeroMQ, paced at %.0f/s for 2 s", burstRate), burst),
            (String(format: "ZeroMQ, paced at %.0f/s", pacedRate), paced), ("HTTP, \(httpClients) clients", http),
            ("HTTP, respond-async", queued),
        ] {
            say(
                String(
                    format: "| %@ | %.0f | %.2fx | %.1f | %.1f |", name, result.rate, result.rate / baseline.rate, result.p50, result.p99))
        }
        say(
            "events stored by telephony: \(counted) (sent \(events + Int(burstRate * 2) + min(events, Int(pacedRate * 10)) + 2 * httpEvents))"
        )
    }

    /// The ZeroMQ ingest (full window, then paced at 100,000/s for 2 s) on a fresh system with
    /// identities off and one with them on, in alternating order, `rounds` times each.
    func identitiesOnAndOff(rounds: Int) throws {
        say("crm-bench telephony: ZeroMQ ingest with identities off and on, \(events) events per full-window run, \(rounds) rounds")
        var rows: [(String, Result, Result)] = []
        for round in 1...rounds {
            for identities in round % 2 == 1 ? [false, true] : [true, false] {
                let system = try BenchSystem(bin: bin, identities: identities)
                defer { system.shutdown() }
                try system.startProcesses()
                try system.waitUntilReady()
                let full = try zeroMQ(
                    Self.payloads(count: events, prefix: "z"), endpoint: system.ingestEndpoint, producer: "bench-zmq", window: window,
                    database: system.telephonyDatabase, curve: try system.producerKeys("bench-zmq"))
                try waitUntilQuiet(system)
                let paced = try zeroMQ(
                    Self.payloads(count: 200_000, prefix: "b"), endpoint: system.ingestEndpoint, producer: "bench-burst", window: window,
                    pace: 100_000, database: system.telephonyDatabase, curve: try system.producerKeys("bench-burst"))
                let name = "round \(round), identities \(identities ? "on" : "off")"
                say(
                    String(
                        format:
                            "%@: full window %.0f events/s (ack p50 %.1f ms, p99 %.1f ms); paced 100,000/s: ack p50 %.1f ms, p99 %.1f ms",
                        name, full.rate, full.p50, full.p99, paced.p50, paced.p99))
                rows.append((name, full, paced))
            }
        }
        say("")
        say("| run | full window events/s | ack p50 ms | ack p99 ms | paced 100k/s ack p50 ms | ack p99 ms |")
        say("|---|---|---|---|---|---|")
        for (name, full, paced) in rows {
            say(String(format: "| %@ | %.0f | %.1f | %.1f | %.1f | %.1f |", name, full.rate, full.p50, full.p99, paced.p50, paced.p99))
        }
    }

    /// Waits until the contacts service has consumed every event telephony published (a run
    /// should not pay for the previous run's backlog on the same two cores).
    func waitUntilQuiet(_ system: BenchSystem) throws {
        let readonly: Configuration = {
            var c = Configuration()
            c.readonly = true
            return c
        }()
        let telephony = try DatabaseQueue(path: system.telephonyDatabase, configuration: readonly)
        let contacts = try DatabaseQueue(path: system.contactsDatabase, configuration: readonly)
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            let published = try telephony.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM outbox")! }
            let pending = try telephony.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingest_log")! }
            let consumed = try contacts.read { db in
                try Int64.fetchOne(db, sql: "SELECT last_seq FROM inbox_checkpoint WHERE source = 'telephony'") ?? 0
            }
            if pending == 0 && consumed >= published { return }
            usleep(100_000)
        }
    }

    struct Result {
        var rate: Double
        var p50: Double
        var p99: Double
        /// ZeroMQ and queued HTTP: events per second until the call log held them all, and how long after the last answer.
        var callLogRate: Double?
        var callLogLag: Double?

        /// Waits until the projector has folded the whole ingest log into the call log, and notes
        /// the end-to-end rate and the lag behind the last answer (`answered` s after `start`).
        mutating func waitForCallLog(database: String, events: Int, start: UInt64, answered: Double) throws {
            var configuration = Configuration()
            configuration.readonly = true
            let reader = try DatabaseQueue(path: database, configuration: configuration)
            while try reader.read({ db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingest_log")! }) > 0 { usleep(20_000) }
            let complete = Double(nanoseconds() - start) / 1e9
            callLogRate = Double(events) / complete
            callLogLag = complete - answered
        }

        init(rate: Double, latencies: [Double]) {
            self.rate = rate
            let sorted = latencies.sorted()
            p50 = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
            p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        }
    }

    /// The JSON of `count` events, two per call.
    static func payloads(count: Int, prefix: String) -> [Data] {
        (0..<count).map { index in
            let call = index / 2, number = 40_000_000 + call % 9_000_000
            return Data(
                (index % 2 == 0
                    ? #"{"event_id":"\#(prefix)\#(index)","call_id":"\#(prefix)c\#(call)","type":"ringing","direction":"inbound","from":"+47\#(number)","to":"22998877","extension":"105","at":"2026-03-02T09:00:00Z","leg":"a"}"#
                    : #"{"event_id":"\#(prefix)\#(index)","call_id":"\#(prefix)c\#(call)","type":"completed","duration":65,"billsec":60,"disposition":"ANSWERED","at":"2026-03-02T09:01:05Z","leg":"a"}"#)
                    .utf8)
        }
    }

    /// The same rows, inserted in batches into a table with the same unique key, with WAL and synchronous=FULL.
    func baselineInsert(_ payloads: [Data], folder: URL) throws -> Result {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: folder.appendingPathComponent("baseline.sqlite").path, configuration: config)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(
                sql: """
                    CREATE TABLE event (id INTEGER PRIMARY KEY, producer TEXT NOT NULL, event_id TEXT NOT NULL, call_id TEXT NOT NULL,
                        payload BLOB NOT NULL, received_at TEXT NOT NULL, UNIQUE (producer, event_id))
                    """)
        }
        var latencies: [Double] = []
        let start = nanoseconds()
        var index = 0
        while index < payloads.count {
            let slice = payloads[index..<min(payloads.count, index + baselineBatch)]
            let began = nanoseconds()
            try pool.write { db in
                let statement = try db.cachedStatement(
                    sql: "INSERT INTO event (producer, event_id, call_id, payload, received_at) VALUES (?, ?, ?, ?, ?)")
                for (offset, payload) in slice.enumerated() {
                    let n = index + offset
                    try statement.execute(arguments: ["bench", "e\(n)", "c\(n / 2)", payload, "2026-03-02 09:00:00.000"])
                }
            }
            latencies.append(Double(nanoseconds() - began) / 1e6)
            index += baselineBatch
        }
        return Result(rate: Double(payloads.count) / (Double(nanoseconds() - start) / 1e9), latencies: latencies)
    }

    /// A DEALER producer: sends `batch` events per message with a window, measures each event
    /// from send to the ACK that covers it. With `pace`, sends at that many events per second.
    func zeroMQ(
        _ payloads: [Data], endpoint: String, producer: String, window: Int, pace: Double? = nil, database: String? = nil,
        curve: CurveClientKeys? = nil
    ) throws
        -> Result
    {
        let context = ZMQContext()
        defer { context.terminate() }
        let socket = try ZMQSocket(context: context, type: .dealer, linger: 0)
        defer { socket.close() }
        try socket.setQueueLimits(send: 100_000, receive: 100_000)
        if let curve { try socket.makeCurveClient(serverKey: curve.serverKey, publicKey: curve.publicKey, secretKey: curve.secretKey) }
        try socket.connect(endpoint)
        let stream = UUID().uuidString
        let head = [Data("CRMI1".utf8), Data("EVENTS".utf8), Data(producer.utf8), Data(stream.utf8)]
        var sentAt = [UInt64](repeating: 0, count: payloads.count + 1)
        var latencies: [Double] = []
        latencies.reserveCapacity(payloads.count)
        var next = 1, acked = 0
        let start = nanoseconds()
        var lastProgress = start
        while acked < payloads.count {
            let allowed = pace.map { Int(Double(nanoseconds() - start) / 1e9 * $0) + 1 } ?? Int.max
            while next <= payloads.count, next - acked <= window - batch, next <= allowed {
                var frames = head
                let end = min(payloads.count, next + batch - 1)
                let now = nanoseconds()
                for seq in next...end {
                    frames.append(Data(String(seq).utf8))
                    frames.append(payloads[seq - 1])
                    sentAt[seq] = now
                }
                try socket.send(frames)
                next = end + 1
            }
            var poller = ZMQPoller()
            _ = poller.add(socket)
            _ = try poller.poll(timeoutMilliseconds: pace == nil ? 100 : 1)
            while let reply = try socket.receive(dontWait: true) {
                guard reply.count >= 5, reply[1] == Data("ACK".utf8), let seq = Int(String(decoding: reply[4], as: UTF8.self)) else {
                    if reply.count > 5 { throw BenchError("ingest refused: \(String(decoding: reply[5], as: UTF8.self))") }
                    continue
                }
                if seq > acked {
                    let now = nanoseconds()
                    for done in (acked + 1)...seq { latencies.append(Double(now - sentAt[done]) / 1e6) }
                    acked = seq
                    lastProgress = now
                }
            }
            if nanoseconds() - lastProgress > 30_000_000_000 { throw BenchError("no acknowledgement for 30 s (acked \(acked))") }
        }
        let acknowledged = Double(nanoseconds() - start) / 1e9
        var result = Result(rate: Double(payloads.count) / acknowledged, latencies: latencies)
        // Acknowledged means durable in the ingest log; the call log follows (the projector).
        if let database { try result.waitForCallLog(database: database, events: payloads.count, start: start, answered: acknowledged) }
        return result
    }

    /// `httpClients` threads posting arrays of `batch` events over kept-alive connections.
    func overHTTP(port: Int, token: String, queued: Bool = false, database: String? = nil) throws -> Result {
        let payloads = Self.payloads(count: httpEvents, prefix: queued ? "q" : "h")
        let requests = stride(from: 0, to: payloads.count, by: httpBatch).map { start -> Data in
            var body = Data("[".utf8)
            for (offset, payload) in payloads[start..<min(payloads.count, start + httpBatch)].enumerated() {
                if offset > 0 { body.append(UInt8(ascii: ",")) }
                body.append(payload)
            }
            body.append(UInt8(ascii: "]"))
            return body
        }
        let state = LoadState()
        let group = DispatchGroup()
        let start = nanoseconds()
        for _ in 0..<httpClients {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    let client = try HTTPProbe(port: port)
                    client.token = token
                    if queued { client.headers["Prefer"] = "respond-async" }
                    while let index = state.take(below: requests.count) {
                        let began = nanoseconds()
                        let (status, reply) = try client.request(
                            "POST", "/api/v1/telephony/events?producer=bench-http", body: requests[index])
                        guard status == (queued ? 202 : 200) else {
                            throw BenchError("HTTP ingest answered \(status): \(String(decoding: reply, as: UTF8.self))")
                        }
                        state.record(Double(nanoseconds() - began) / 1e6)
                    }
                } catch {
                    state.fail(error)
                }
            }
            thread.start()
        }
        group.wait()
        if let failure = state.failure { throw failure }
        let latencies = state.latencies
        let answered = Double(nanoseconds() - start) / 1e9
        var result = Result(rate: Double(payloads.count) / answered, latencies: latencies)
        if queued, let database {
            try result.waitForCallLog(database: database, events: payloads.count, start: start, answered: answered)
        }
        return result
    }
}

/// What the HTTP client threads share, under a lock.
final class LoadState: Sendable {
    private let state = Mutex<(next: Int, samples: [Double], error: (any Error)?)>((0, [], nil))

    func take(below count: Int) -> Int? {
        state.withLock { state in
            guard state.next < count, state.error == nil else { return nil }
            state.next += 1
            return state.next - 1
        }
    }

    func record(_ latency: Double) { state.withLock { $0.samples.append(latency) } }

    func fail(_ error: any Error) { state.withLock { $0.error = error } }

    var latencies: [Double] { state.withLock { $0.samples } }

    var failure: (any Error)? { state.withLock { $0.error } }
}
