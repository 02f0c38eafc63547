import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Storage
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Logs in to an Asterisk manager (AMI) over TCP and turns its event stream into calls. Runs on
/// its own thread with blocking reads (never on Swift's cooperative pool); when the connection
/// drops or the login fails it waits (1 s, doubling to 30 s) and connects again. Events that
/// arrive together are written in one transaction.
final class AMIConnector: Service, @unchecked Sendable {
    // The socket is only touched on the connector's thread, except `shutdown(2)` from `stop()`,
    // which is safe on a descriptor in use.
    private let options: TelephonyOptions.AMIOptions
    private let database: ServiceDatabase
    private let phones: PhoneNormalizer
    private let logger: Logger
    /// Whether `stop()` was called, the connected socket (-1 between connections), and how many
    /// times it has logged in.
    private let state = Mutex<(stopping: Bool, descriptor: Int32, logins: Int)>((false, -1, 0))
    /// Signalled by `stop()`: ends the wait before the next attempt at once.
    private let stopped = DispatchSemaphore(value: 0)

    init(options: TelephonyOptions.AMIOptions, database: ServiceDatabase, phones: PhoneNormalizer, logger: Logger) {
        self.options = options
        self.database = database
        self.phones = phones
        self.logger = logger
    }

    func run() async throws {
        let finished = AsyncStream<Void>.makeStream()
        let thread = Thread { [self] in
            self.loop()
            finished.continuation.yield()
            finished.continuation.finish()
        }
        thread.name = "telephony-ami"
        thread.start()
        await withGracefulShutdownHandler {
            for await _ in finished.stream { break }
        } onGracefulShutdown: { [self] in
            self.stop()
        }
    }

    func stop() {
        let fd = state.withLock { state -> Int32 in
            state.stopping = true
            return state.descriptor
        }
        stopped.signal()
        if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Seconds to wait before the next attempt: 1 after a login, doubling to 30 while failing.
    private var wait: Double = 1

    private var isStopping: Bool { state.withLock { $0.stopping } }

    /// Connects, reads and reconnects until `stop()`; blocks the calling thread.
    func loop() {
        while !isStopping {
            do {
                try session()
            } catch {
                if isStopping { break }
                logger.warning(
                    "AMI connection lost; connecting again", metadata: ["error": "\(error)", "in": "\(wait) s", "host": "\(options.host)"])
            }
            if !isStopping && stopped.wait(timeout: .now() + wait) == .success { break }
            wait = min(30, wait * 2)
        }
    }

    /// How many times it has logged in.
    var loginCount: Int { state.withLock { $0.logins } }

    struct AMIError: Error, CustomStringConvertible {
        let description: String
    }

    /// One connection: connect, log in, read events until it drops.
    private func session() throws {
        let fd = try connect()
        let stop = state.withLock { state -> Bool in
            state.descriptor = fd
            return state.stopping
        }
        defer {
            state.withLock { $0.descriptor = -1 }
            close(fd)
        }
        if stop { return }
        var reader = LineReader(fd: fd)
        guard let banner = try reader.line(), banner.hasPrefix("Asterisk Call Manager") else {
            throw AMIError(description: "not an Asterisk manager (no banner)")
        }
        let login =
            "Action: Login\r\nUsername: \(options.username)\r\nSecret: \(options.secret)\r\nEvents: call,dialplan\r\nActionID: crm-login\r\n\r\n"
        try send(fd, login)
        // The login's answer; events may come before it.
        var pending: [[String: String]] = []
        while true {
            guard let block = try reader.block() else { throw AMIError(description: "connection closed during login") }
            if block["Response"] != nil, block["ActionID"] == "crm-login" || block["Event"] == nil {
                guard block["Response"] == "Success" else {
                    throw AMIError(description: "login refused: \(block["Message"] ?? "no reason given")")
                }
                break
            }
            pending.append(block)
        }
        state.withLock { $0.logins += 1 }
        wait = 1
        logger.info("logged in to the Asterisk manager", metadata: ["host": "\(options.host):\(options.port)"])
        if !pending.isEmpty { try write(pending) }
        while !isStopping {
            guard let first = try reader.block() else { throw AMIError(description: "the manager closed the connection") }
            var blocks = [first]
            while blocks.count < 500, reader.hasBuffered, let next = try reader.block() { blocks.append(next) }
            try write(blocks)
        }
    }

    private func write(_ blocks: [[String: String]]) throws {
        let now = Date()
        var events: [CallStore.ValidEvent] = []
        for block in blocks {
            for input in AMIMapper.events(block, receivedAt: now) {
                if let valid = try? CallStore.validate(input, label: "AMI event", now: now) { events.append(valid) }
            }
        }
        guard !events.isEmpty else { return }
        let (producer, phones, outbox) = (options.producer, phones, database.outbox)
        try database.writer.write { db in
            _ = try CallLog(db: db, outbox: outbox, phones: phones).apply(producer: producer, events: events)
        }
    }

    private func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(options.host, String(options.port), &hints, &result)
        guard status == 0, let first = result else { throw AMIError(description: "cannot resolve \(options.host)") }
        defer { freeaddrinfo(result) }
        var address: UnsafeMutablePointer<addrinfo>? = first
        while let candidate = address {
            let fd = socket(candidate.pointee.ai_family, candidate.pointee.ai_socktype, candidate.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: 1, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var keepAlive: Int32 = 1
                setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &keepAlive, socklen_t(MemoryLayout<Int32>.size))
                if Glibc.connect(fd, candidate.pointee.ai_addr, candidate.pointee.ai_addrlen) == 0 { return fd }
                close(fd)
            }
            address = candidate.pointee.ai_next
        }
        throw AMIError(description: "cannot connect to \(options.host):\(options.port): \(String(cString: strerror(errno)))")
    }

    private func send(_ fd: Int32, _ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                throw AMIError(description: "send failed: \(String(cString: strerror(errno)))")
            }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// Reads CRLF lines and blank-line-terminated blocks of `Key: Value` from a socket whose
    /// reads time out every second (so a stop is noticed).
    private struct LineReader {
        let fd: Int32
        var buffer: [UInt8] = []

        var hasBuffered: Bool { buffer.contains(UInt8(ascii: "\n")) }

        init(fd: Int32) { self.fd = fd }

        mutating func line() throws -> String? {
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    var bytes = buffer[..<newline]
                    if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
                    buffer.removeSubrange(...newline)
                    return String(decoding: bytes, as: UTF8.self)
                }
                guard buffer.count < 1 << 20 else { throw AMIError(description: "a line longer than 1 MB") }
                var chunk = [UInt8](repeating: 0, count: 65536)
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    buffer.append(contentsOf: chunk[..<count])
                } else if count == 0 {
                    return nil
                } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                    continue  // the read timeout: the caller's loop checks for a stop between blocks
                } else {
                    throw AMIError(description: "read failed: \(String(cString: strerror(errno)))")
                }
            }
        }

        mutating func block() throws -> [String: String]? {
            var fields: [String: String] = [:]
            while let line = try line() {
                if line.isEmpty {
                    if fields.isEmpty { continue }
                    return fields
                }
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = String(line[..<colon]).trimmed
                let value = String(line[line.index(after: colon)...]).trimmed
                if fields[key] == nil { fields[key] = value }
            }
            return nil
        }
    }
}
