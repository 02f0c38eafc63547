import Bus
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how mail is submitted: `smtp://user:password@host:587` (STARTTLS, required),
/// `smtps://user:password@host:465` (TLS from the first byte), or `smtp+plain://127.0.0.1:2525`
/// (no TLS and no AUTH, only to a server on this machine).
public struct SMTPConfiguration: Sendable, Equatable {
    public enum Security: String, Sendable { case startTLS, implicitTLS, plain }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The name we greet with (EHLO).
    public var heloName: String
    /// A PEM file of the certificates to trust instead of the system's (a test's own CA).
    public var trustRootsFile: String?
    /// How long one connection may take for everything it sends.
    public var timeout: Duration

    public init(
        host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, heloName: String = "localhost",
        trustRootsFile: String? = nil, timeout: Duration = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.trustRootsFile = trustRootsFile
        self.timeout = timeout
    }

    /// Reads `CRM_SMTP_URL`'s form.
    public static func parse(_ text: String) throws -> SMTPConfiguration {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw MailError("the SMTP URL must read smtp://user:password@host:587, smtps://host:465 or smtp+plain://127.0.0.1:2525")
        }
        let security: Security
        switch scheme {
        case "smtp": security = .startTLS
        case "smtps": security = .implicitTLS
        case "smtp+plain": security = .plain
        default: throw MailError("the SMTP URL's scheme is smtp, smtps or smtp+plain, not '\(scheme)'")
        }
        let port = url.port ?? (security == .implicitTLS ? 465 : security == .startTLS ? 587 : 25)
        guard (1...65535).contains(port) else { throw MailError("the SMTP port must be 1 to 65535") }
        if security == .plain {
            guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
                throw MailError("smtp+plain is only for a server on this machine (127.0.0.1); use smtp:// (STARTTLS) or smtps://")
            }
            guard url.user == nil else { throw MailError("no password is sent without TLS: smtp+plain takes no user") }
        }
        return SMTPConfiguration(
            host: host, port: port, security: security, username: url.user, password: url.password)
    }
}

/// What became of one mail.
public enum SMTPOutcome: Sendable, Equatable {
    /// 250 after the final dot: the server took it.
    case sent(reply: String)
    /// A 4xx: try again later.
    case temporary(code: Int, reply: String)
    /// A 5xx (or an address no server would take): do not try again.
    case permanent(code: Int, reply: String)
    /// The connection ended after the final dot and before the answer: the server may have
    /// taken it. Never resent by itself (the Message-ID tells a resend, if someone decides one).
    case unknown(reason: String)

    public var isSent: Bool { if case .sent = self { return true } else { return false } }
}

/// Submits mail over SMTP (RFC 5321) on one connection: EHLO, STARTTLS when configured, AUTH
/// PLAIN or LOGIN only over TLS, then each mail (MAIL FROM, RCPT TO, DATA), pipelined when the
/// server offers PIPELINING (RFC 2920), with the body dot-stuffed. A reply line is at most
/// 4,096 octets and a reply at most 100 lines; the whole connection has a deadline.
public enum SMTPClient {
    /// Sends `messages` on one connection and answers each one's outcome, in order. A failure
    /// to connect, greet or authenticate answers every message as `temporary` (nothing was sent).
    public static func send(
        _ messages: [MailMessage], configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async -> [SMTPOutcome] {
        let outcomes = LockedValue<[Int: SMTPOutcome]>([:])
        await send(
            messages, configuration: configuration, group: group, willSend: { _ in },
            didSend: { index, outcome in
                outcomes.withValue { $0[index] = outcome }
            })
        let answered = outcomes.get()
        return messages.indices.map {
            answered[$0] ?? .temporary(code: 0, reply: "not sent: the connection to the mail server failed or timed out")
        }
    }

    /// Sends `messages` on one connection, one at a time: `willSend(i)` before the server hears
    /// of mail `i` (the caller commits it as `sending` there; a throw stops the round), and
    /// `didSend(i, outcome)` once its outcome is known. A mail begun and not answered when the
    /// connection fails or the deadline passes is `unknown` if its final dot was written,
    /// `temporary` if not; a mail never begun gets no call (it is still the caller's to send).
    public static func send(
        _ messages: [MailMessage], configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        willSend: @escaping @Sendable (Int) async throws -> Void, didSend: @escaping @Sendable (Int, SMTPOutcome) async throws -> Void
    ) async {
        // Where the mail on the wire is: begun (index), and whether its final dot was written.
        let inFlight = LockedValue<(index: Int, dot: Bool)?>(nil)
        do {
            try await withDeadline(configuration.timeout) {
                let channel = try await connect(configuration, group: group)
                try await channel.executeThenClose { inbound, outbound in
                    var session = Session(
                        reader: ReplyReader(iterator: inbound.makeAsyncIterator()), outbound: outbound, channel: channel.channel,
                        configuration: configuration)
                    try await session.open()
                    for (index, message) in messages.enumerated() {
                        try await willSend(index)
                        inFlight.set((index, false))
                        let outcome = await session.send(message) { inFlight.set((index, true)) }
                        inFlight.set(nil)
                        try await didSend(index, outcome)
                        if case .unknown = outcome { break }
                    }
                    try? await session.quit()
                }
            }
        } catch {
            // The one mail on the wire, if any, is settled below; the rest were never begun.
        }
        if let (index, dot) = inFlight.get() {
            try? await didSend(
                index,
                dot
                    ? .unknown(reason: "the connection ended after the mail was sent and before the server answered")
                    : .temporary(code: 0, reply: "not sent: the connection to the mail server failed or timed out"))
        }
    }

    static func connect(
        _ configuration: SMTPConfiguration, group: any EventLoopGroup
    ) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let tls = configuration.security == .implicitTLS ? try tlsContext(configuration) : nil
        let host = configuration.host
        return try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(15))
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: host))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// TLS 1.2 or later, the server's certificate checked against its name (and the system's
    /// roots, or the configured file's).
    static func tlsContext(_ configuration: SMTPConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let file = configuration.trustRootsFile { tls.trustRoots = .file(file) }
        return try NIOSSLContext(configuration: tls)
    }

    /// Runs `work`, cancelling it when `limit` passes first.
    static func withDeadline(_ limit: Duration, _ work: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw MailError("the mail server did not finish within \(limit)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// One SMTP reply: its code and text lines.
    struct Reply: Equatable {
        var code: Int
        var lines: [String]
        var text: String { lines.joined(separator: " / ") }
        var summary: String { "\(code) \(text)" }
    }

    /// Reads CRLF lines and multi-line replies (`250-...` until `250 ...`), bounded.
    struct ReplyReader {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var buffer: [UInt8] = []

        mutating func line() async throws -> String {
            while true {
                if let index = buffer.firstIndex(of: 10) {
                    var bytes = Array(buffer[..<index])
                    buffer.removeFirst(index + 1)
                    if bytes.last == 13 { bytes.removeLast() }
                    return String(decoding: bytes, as: UTF8.self)
                }
                guard buffer.count <= 4096 else { throw MailError("the mail server sent a line longer than 4,096 octets") }
                guard let next = try await iterator.next() else { throw MailError("the mail server closed the connection") }
                buffer.append(contentsOf: next.readableBytesView)
            }
        }

        mutating func reply() async throws -> Reply {
            var lines: [String] = []
            var code = 0
            while true {
                let text = try await line()
                guard let line = SMTPReplyLine.parse(text), code == 0 || line.code == code else {
                    throw MailError("the mail server answered something that is not SMTP: \(text.prefix(80))")
                }
                code = line.code
                lines.append(line.text)
                guard lines.count <= 100 else { throw MailError("the mail server's reply is longer than 100 lines") }
                if line.final { return Reply(code: code, lines: lines) }
            }
        }
    }

    struct Session {
        var reader: ReplyReader
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        let channel: any Channel
        let configuration: SMTPConfiguration
        var extensions: Set<String> = []
        var authMethods: Set<String> = []
        var tls = false

        mutating func write(_ text: String) async throws {
            try await outbound.write(ByteBuffer(string: text))
        }

        mutating func command(_ text: String) async throws -> Reply {
            try await write(text + "\r\n")
            return try await reader.reply()
        }

        mutating func expect(_ reply: Reply, _ codes: ClosedRange<Int>, _ what: String) throws {
            guard codes.contains(reply.code) else { throw MailError("\(what): the mail server answered \(reply.summary)") }
        }

        mutating func greet() async throws {
            let reply = try await command("EHLO \(configuration.heloName)")
            try expect(reply, 250...250, "EHLO")
            extensions = []
            authMethods = []
            for line in reply.lines.dropFirst() {
                let words = line.uppercased().split(separator: " ").map(String.init)
                guard let keyword = words.first else { continue }
                extensions.insert(keyword)
                if keyword == "AUTH" { authMethods.formUnion(words.dropFirst()) }
            }
        }

        mutating func open() async throws {
            try expect(try await reader.reply(), 220...220, "greeting")
            try await greet()
            tls = configuration.security == .implicitTLS
            if configuration.security == .startTLS {
                guard extensions.contains("STARTTLS") else { throw MailError("the mail server does not offer STARTTLS") }
                try expect(try await command("STARTTLS"), 220...220, "STARTTLS")
                guard reader.buffer.isEmpty else { throw MailError("the mail server sent data before TLS began") }
                let context = try SMTPClient.tlsContext(configuration)
                let host = configuration.host
                let channel = self.channel
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(
                        try NIOSSLClientHandler(context: context, serverHostname: host), position: .first)
                }.get()
                tls = true
                try await greet()
            }
            if let user = configuration.username, let password = configuration.password {
                guard tls else { throw MailError("a password is only sent over TLS") }
                if authMethods.contains("PLAIN") {
                    let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
                    try expect(try await command("AUTH PLAIN \(token)"), 235...235, "AUTH PLAIN")
                } else if authMethods.contains("LOGIN") {
                    try expect(try await command("AUTH LOGIN"), 334...334, "AUTH LOGIN")
                    try expect(try await command(Data(user.utf8).base64EncodedString()), 334...334, "AUTH LOGIN")
                    try expect(try await command(Data(password.utf8).base64EncodedString()), 235...235, "AUTH LOGIN")
                } else {
                    throw MailError("the mail server offers neither AUTH PLAIN nor AUTH LOGIN")
                }
            }
        }

        mutating func quit() async throws {
            _ = try await command("QUIT")
        }

        /// One mail: the envelope, then the data. A 4xx or 5xx before the data resets the
        /// transaction so the connection can go on with the next mail.
        mutating func send(_ message: MailMessage, dotWritten: @Sendable () -> Void = {}) async -> SMTPOutcome {
            let body: String
            do {
                body = try message.rendered()
            } catch {
                return .permanent(code: 0, reply: "\(error)")
            }
            var sentDot = false
            do {
                let envelope =
                    ["MAIL FROM:<\(message.from.address)>"] + message.recipients.map { "RCPT TO:<\($0.address)>" } + ["DATA"]
                var replies: [Reply] = []
                if extensions.contains("PIPELINING") {
                    try await write(envelope.map { $0 + "\r\n" }.joined())
                    for _ in envelope { replies.append(try await reader.reply()) }
                } else {
                    for line in envelope {
                        let reply = try await command(line)
                        replies.append(reply)
                        if reply.code >= 400 { break }
                    }
                }
                if let refusal = replies.dropLast().first(where: { $0.code >= 400 })
                    ?? (replies.last.map { $0.code == 354 ? nil : $0 } ?? nil)
                {
                    // The DATA that was pipelined after a refusal may have been accepted: end it.
                    if replies.last?.code == 354 {
                        _ = try await command(".")
                    }
                    _ = try? await command("RSET")
                    return refusal.code >= 500
                        ? .permanent(code: refusal.code, reply: refusal.summary) : .temporary(code: refusal.code, reply: refusal.summary)
                }
                // From the first byte of the final write on, the server may take the mail.
                sentDot = true
                dotWritten()
                try await write(Self.dotStuffed(body) + ".\r\n")
                let reply = try await reader.reply()
                switch reply.code {
                case 250: return .sent(reply: reply.summary)
                case 400..<500: return .temporary(code: reply.code, reply: reply.summary)
                default: return .permanent(code: reply.code, reply: reply.summary)
                }
            } catch {
                return sentDot
                    ? .unknown(reason: "the connection ended after the mail was sent and before the server answered: \(error)")
                    : .temporary(code: 0, reply: "not sent: \(error)")
            }
        }

        /// A line that starts with a dot gets another (RFC 5321 4.5.2); the text ends in CRLF.
        static func dotStuffed(_ text: String) -> String {
            var output = text.hasPrefix(".") ? "." + text : text
            output = output.replacingOccurrences(of: "\r\n.", with: "\r\n..")
            return output.hasSuffix("\r\n") ? output : output + "\r\n"
        }
    }
}
