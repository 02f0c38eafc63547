import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real system for one test: the executables started as separate processes on free ports,
/// with a temporary data folder. Everything it starts it stops, by the process id it got.
final class SystemUnderTest: @unchecked Sendable {
    // Mutable state is only touched by the test that owns this instance, one step at a time.
    let folder: URL
    let busPort: Int
    let eventsInPort: Int
    let eventsOutPort: Int
    let httpPort: Int
    /// Telephony's ZeroMQ ingest endpoint's port.
    let ingestPort: Int
    private(set) var processes: [String: Process] = [:]
    let binDirectory: URL
    var extraEnvironment: [String: String] = [:]
    /// The administrator's password on this system (`CRM_ADMIN_PASSWORD`).
    let adminPassword = "e2e-admin-password"
    /// The token every request carries unless told otherwise; set by `signIn`.
    var token: String?

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let ports = try FreePorts.take(5)
        (busPort, eventsInPort, eventsOutPort, httpPort, ingestPort) = (ports[0], ports[1], ports[2], ports[3], ports[4])
        binDirectory = try Self.findBinaries()
    }

    /// `CRM_BIN_DIR`, or the package's `.build/debug`.
    static func findBinaries() throws -> URL {
        if let dir = ProcessInfo.processInfo.environment["CRM_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let debug = root.appendingPathComponent(".build/debug")
        for name in ["bus", "settings", "contacts", "telephony", "gateway", "crm"] {
            guard FileManager.default.isExecutableFile(atPath: debug.appendingPathComponent(name).path) else {
                throw E2EError("\(debug.path)/\(name) is missing: run `swift build` before the end-to-end tests")
            }
        }
        return debug
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["CRM_DATA_DIR"] = folder.appendingPathComponent("data").path
        env["CRM_BUS_ENDPOINT"] = "tcp://127.0.0.1:\(busPort)"
        env["CRM_EVENTS_PUBLISH_ENDPOINT"] = "tcp://127.0.0.1:\(eventsInPort)"
        env["CRM_EVENTS_SUBSCRIBE_ENDPOINT"] = "tcp://127.0.0.1:\(eventsOutPort)"
        env["CRM_HTTP_ADDRESS"] = "127.0.0.1:\(httpPort)"
        env["CRM_TELEPHONY_INGEST_ENDPOINT"] = "tcp://127.0.0.1:\(ingestPort)"
        env["CRM_HEARTBEAT_MS"] = "250"
        env["CRM_LOG_LEVEL"] = "info"
        env["CRM_DEFAULT_COUNTRY"] = "NO"
        env["CRM_ADMIN_PASSWORD"] = adminPassword
        // The lowest bcrypt cost keeps tests that make users fast; the default (12) is for production.
        env["CRM_BCRYPT_COST"] = "4"
        for (key, value) in extraEnvironment { env[key] = value }
        return env
    }

    var baseURL: String { "http://127.0.0.1:\(httpPort)" }

    /// The bus identities' folder of this system (`CRM_KEYS_DIR`, or `data/keys`).
    var keysFolder: URL {
        environment["CRM_KEYS_DIR"].map { URL(fileURLWithPath: $0) } ?? folder.appendingPathComponent("data/keys")
    }

    /// Makes the bus identities as `crm up` does (`crm keys init`), once.
    func ensureKeys() throws {
        guard environment["CRM_BUS_IDENTITIES"] != "off",
            !FileManager.default.fileExists(atPath: keysFolder.appendingPathComponent("bus.key").path)
        else { return }
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent("crm")
        process.arguments = ["keys", "init"]
        process.environment = environment
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw E2EError("crm keys init failed with \(process.terminationStatus)") }
    }

    /// Starts one executable; its output goes to `<folder>/<name>.log`.
    func start(_ name: String, arguments: [String] = [], label: String? = nil) throws {
        try ensureKeys()
        let label = label ?? name
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent(name)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = folder
        let logURL = folder.appendingPathComponent("\(label).log")
        if !FileManager.default.fileExists(atPath: logURL.path) { FileManager.default.createFile(atPath: logURL.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        processes[label] = process
    }

    /// Starts the whole system, waits until the gateway says it is ready, and signs in as admin.
    func startAll() async throws {
        for name in ["bus", "settings", "contacts", "telephony", "gateway"] { try start(name) }
        try await waitUntilReady()
        token = try await signIn("admin", adminPassword)
    }

    /// Signs in and answers the session token.
    func signIn(_ username: String, _ password: String) async throws -> String {
        let (status, body) = try await http("POST", "/api/v1/auth/login", json: ["username": username, "password": password], token: nil)
        guard status == 200, let token = (body as? [String: Any])?["token"] as? String else {
            throw E2EError("signing in as \(username) answered \(status): \(String(describing: body))")
        }
        return token
    }

    func waitUntilReady(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let (status, _) = try? await http("GET", "/readyz"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let readiness = (try? await http("GET", "/readyz", token: .some(nil))).map { "\($0.0) \(String(describing: $0.1))" } ?? "no answer"
        throw E2EError("the system was not ready within \(timeout) (readyz: \(readiness)); \(logTails())")
    }

    /// The last lines of every process's log, for a failure message (the folder is removed).
    func logTails(lines: Int = 6) -> String {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasSuffix(".log") }.sorted() ?? []
        return files.map { name in
            let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return "\n--- \(name)\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        }.joined()
    }

    /// kill -9.
    func kill9(_ label: String) {
        guard let process = processes[label] else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        processes[label] = nil
    }

    /// SIGTERM, then SIGKILL after `grace`.
    func terminate(_ label: String, grace: TimeInterval = 10) {
        guard let process = processes[label] else { return }
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        processes[label] = nil
    }

    /// Stops everything this instance started and removes the folder (kept when KEEP_E2E=1).
    func shutdown() {
        for label in Array(processes.keys) { terminate(label, grace: 5) }
        if ProcessInfo.processInfo.environment["KEEP_E2E"] == nil {
            try? FileManager.default.removeItem(at: folder)
        }
    }

    deinit { shutdown() }

    // MARK: - HTTP

    /// A session that never stores or sends cookies on its own: each request carries exactly
    /// the credentials the test gives it.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.httpCookieStorage = nil
        return URLSession(configuration: configuration)
    }()

    /// Sends a request with `token` (by default the signed-in admin's; nil sends none);
    /// returns the status and the parsed JSON body (nil when not JSON).
    @discardableResult
    func http(
        _ method: String, _ path: String, json: Any? = nil, headers: [String: String] = [:],
        timeout: TimeInterval = 15, token: String?? = .none
    ) async throws -> (Int, Any?) {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        let bearer: String?
        switch token {
        case .none: bearer = self.token
        case .some(let given): bearer = given
        }
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await Self.session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, try? JSONSerialization.jsonObject(with: data))
    }

    /// GET that must answer 200 with a JSON object.
    func getObject(_ path: String) async throws -> [String: Any] {
        let (status, body) = try await http("GET", path)
        guard status == 200, let object = body as? [String: Any] else {
            throw E2EError("GET \(path) answered \(status): \(String(describing: body))")
        }
        return object
    }

    /// Waits until `condition` holds, polling.
    func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw E2EError("timed out waiting for: \(what); logs in \(folder.path)")
    }
}

extension SystemUnderTest {
    /// Two users of rank user, `kari` and `ola`, signed in: their tokens.
    func twoUsers() async throws -> (kari: String, ola: String) {
        for name in ["kari", "ola"] {
            let (status, body) = try await http("POST", "/api/v1/users", json: ["username": name, "password": "\(name)-password-1"])
            guard status == 201 else { throw E2EError("creating \(name) answered \(status): \(String(describing: body))") }
        }
        return (try await signIn("kari", "kari-password-1"), try await signIn("ola", "ola-password-1"))
    }

    /// Waits until telephony's phone index (built from contact events) maps `number` to
    /// `contactId`, by posting ringing probe calls until one is matched.
    func waitUntilTelephonyKnows(_ number: String, is contactId: Int) async throws {
        try await eventually("telephony indexes \(number)") {
            let probe = "probe-\(UUID().uuidString)"
            let (_, reply) = try await http(
                "POST", "/api/v1/telephony/events",
                json: [
                    "event_id": probe, "call_id": probe, "type": "ringing", "direction": "inbound",
                    "from": number, "at": "2026-01-01T00:00:00Z",
                ])
            guard let callId = ((reply as? [String: Any])?["call_ids"] as? [Int])?.first else { return false }
            let call = try await getObject("/api/v1/calls/\(callId)")
            return call["contact_id"] as? Int == contactId
        }
    }
}

struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Free TCP ports on loopback for the processes a test starts. They come from below the kernel's
/// ephemeral range (`ip_local_port_range`): a port found by binding port 0 lies inside it, and an
/// outgoing connection of another test can take it as its source port before our process binds
/// it (seen: the bus failing with EADDRINUSE). Ports are handed out once per test process.
enum FreePorts {
    private static let state = Mutex<(next: Int, low: Int)>(
        {
            let range =
                (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
                .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) } ?? []
            let ephemeralLow = range.first ?? 32768
            let low = max(1024, ephemeralLow - 12000)
            return (low + Int.random(in: 0..<6000), low)
        }())

    static func take(_ count: Int) throws -> [Int] {
        try state.withLock { state in
            var ports: [Int] = []
            var tried = 0
            while ports.count < count {
                tried += 1
                guard tried < 10_000 else { throw E2EError("no free port below the ephemeral range") }
                let port = state.next
                state.next += 1
                if state.next >= state.low + 12000 { state.next = state.low }
                if isFree(port) { ports.append(port) }
            }
            return ports
        }
    }

    /// Whether the port can be bound on loopback right now.
    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        } == 0
    }
}
