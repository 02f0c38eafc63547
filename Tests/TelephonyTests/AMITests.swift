import Contracts
import Foundation
import Logging
import ServiceKit
import Testing

@testable import TelephonyService

#if canImport(Glibc)
import Glibc
import Synchronization
#endif

/// A scripted Asterisk manager on loopback: each connection gets the banner, answers the login
/// as its script says, sends its event blocks, and then hangs up or stays open.
final class FakeAMIServer: @unchecked Sendable {
    struct Session {
        var acceptLogin = true
        var events: [[(String, String)]] = []
        var hangUp = true
    }

    let port: Int
    private let listener: Int32
    private let sessions: [Session]
    /// The logins received and the connections left open, behind a lock.
    private let state = Mutex<(logins: [String], open: [Int32])>(([], []))

    init(sessions: [Session]) throws {
        self.sessions = sessions
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        listen(fd, 4)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var logins: [String] { state.withLock { $0.logins } }

    func close() {
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        for fd in state.withLock({ $0.open }) { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func serve() {
        for session in sessions {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            write(fd, "Asterisk Call Manager/5.0.1\r\n")
            var received = [UInt8]()
            while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { break }
                received += chunk[..<count]
            }
            state.withLock { $0.logins.append(String(decoding: received, as: UTF8.self)) }
            if !session.acceptLogin {
                write(fd, "Response: Error\r\nActionID: crm-login\r\nMessage: Authentication failed\r\n\r\n")
                Glibc.close(fd)
                continue
            }
            write(fd, "Response: Success\r\nActionID: crm-login\r\nMessage: Authentication accepted\r\n\r\n")
            write(fd, "Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n")
            for block in session.events {
                write(fd, block.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n")
            }
            if session.hangUp {
                Glibc.close(fd)
            } else {
                state.withLock { $0.open.append(fd) }
            }
        }
    }

    private func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

@Suite("Asterisk AMI connector")
struct AMITests {
    static func channel(
        _ event: String, _ channel: String, uniqueid: String, linkedid: String, _ extra: [(String, String)] = []
    )
        -> [(String, String)]
    {
        [("Event", event), ("Channel", channel), ("Uniqueid", uniqueid), ("Linkedid", linkedid)] + extra
    }

    @Test("AMI events become calls; a refused login and a dropped connection are retried; repeated events count once")
    func connector() async throws {
        // Call A: from a trunk to extension 105, answered. Call B: rings 106, nobody answers, voicemail.
        let a = "pbx-1706420300.10", b = "pbx-1706420400.20"
        let first: [[(String, String)]] = [
            Self.channel(
                "Newchannel", "SIP/trunk-0001", uniqueid: a, linkedid: a,
                [
                    ("CallerIDNum", "4791234567"), ("CallerIDName", "Kari"), ("Exten", "22998877"), ("SequenceNumber", "1"),
                    ("Timestamp", "1706420300.100"),
                ]),
            [
                ("Event", "DialBegin"), ("Channel", "SIP/trunk-0001"), ("Uniqueid", a), ("Linkedid", a), ("DestChannel", "SIP/105-0002"),
                ("DestUniqueid", a + "1"), ("DestLinkedid", a), ("Timestamp", "1706420300.200"),
            ],
            [
                ("Event", "DialEnd"), ("Channel", "SIP/trunk-0001"), ("Uniqueid", a), ("Linkedid", a), ("DestChannel", "SIP/105-0002"),
                ("DestUniqueid", a + "1"), ("DestLinkedid", a), ("DialStatus", "ANSWER"), ("Timestamp", "1706420305.000"),
            ],
            Self.channel("BridgeEnter", "SIP/trunk-0001", uniqueid: a, linkedid: a, [("Timestamp", "1706420305.010")]),
            Self.channel("Hangup", "SIP/105-0002", uniqueid: a + "1", linkedid: a, [("Cause", "16"), ("Timestamp", "1706420365.000")]),
            Self.channel("Hangup", "SIP/trunk-0001", uniqueid: a, linkedid: a, [("Cause", "16"), ("Timestamp", "1706420365.050")]),
            Self.channel(
                "Newchannel", "SIP/trunk-0003", uniqueid: b, linkedid: b,
                [("CallerIDNum", "+4798765432"), ("Exten", "22998877"), ("SequenceNumber", "7"), ("Timestamp", "1706420400.000")]),
            [
                ("Event", "DialBegin"), ("Channel", "SIP/trunk-0003"), ("Uniqueid", b), ("Linkedid", b), ("DestChannel", "SIP/106-0004"),
                ("DestUniqueid", b + "1"), ("DestLinkedid", b), ("Timestamp", "1706420400.100"),
            ],
        ]
        // After the reconnect: the manager repeats the DialBegin (SequenceNumber starts again).
        let second: [[(String, String)]] = [
            [
                ("Event", "DialBegin"), ("Channel", "SIP/trunk-0003"), ("Uniqueid", b), ("Linkedid", b), ("DestChannel", "SIP/106-0004"),
                ("DestUniqueid", b + "1"), ("DestLinkedid", b), ("SequenceNumber", "1"), ("Timestamp", "1706420400.100"),
            ],
            [
                ("Event", "DialEnd"), ("Channel", "SIP/trunk-0003"), ("Uniqueid", b), ("Linkedid", b), ("DestChannel", "SIP/106-0004"),
                ("DestUniqueid", b + "1"), ("DestLinkedid", b), ("DialStatus", "NOANSWER"), ("Timestamp", "1706420420.000"),
            ],
            Self.channel("Hangup", "SIP/106-0004", uniqueid: b + "1", linkedid: b, [("Cause", "19"), ("Timestamp", "1706420420.010")]),
            Self.channel(
                "Newexten", "SIP/trunk-0003", uniqueid: b, linkedid: b,
                [("Application", "VoiceMail"), ("AppData", "106@default"), ("Timestamp", "1706420420.100")]),
            Self.channel("Hangup", "SIP/trunk-0003", uniqueid: b, linkedid: b, [("Cause", "16"), ("Timestamp", "1706420450.000")]),
        ]
        let server = try FakeAMIServer(sessions: [
            .init(acceptLogin: false), .init(events: first, hangUp: true), .init(events: second, hangUp: false),
        ])
        defer { server.close() }
        let log = try TestCallLog()
        let connector = AMIConnector(
            options: .init(host: "127.0.0.1", port: server.port, username: "crm", secret: "s3cret", producer: "pbx"),
            database: log.database, phones: PhoneNormalizer(defaultCountry: "NO"), logger: Logger(label: "test.ami"))
        let thread = Thread { connector.loop() }
        thread.start()
        defer { connector.stop() }

        let deadline = Date().addingTimeInterval(20)
        var calls: [Call] = []
        while Date() < deadline {
            calls = try await log.calls()
            if calls.count == 2 && calls.allSatisfy({ $0.endedAt != nil }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let answered = try #require(calls.first { $0.externalId == a })
        #expect(answered.status == "answered")
        #expect(answered.direction == "inbound")
        #expect(answered.fromE164 == "+4791234567")
        #expect(answered.callerName == "Kari")
        #expect(answered.answeredBy == "105")
        #expect(answered.extension == "105")
        #expect(answered.legs == 2)
        #expect(answered.billsec == 60)
        #expect(answered.ringSeconds == 5)
        let voicemail = try #require(calls.first { $0.externalId == b })
        #expect(voicemail.status == "voicemail")
        #expect(voicemail.legs == 2)
        #expect(voicemail.eventCount == 6)  // the repeated DialBegin counted once
        #expect(connector.loginCount == 2)
        #expect(server.logins.count == 3)
        #expect(server.logins[0].contains("Username: crm") && server.logins[0].contains("Secret: s3cret"))
    }
}
