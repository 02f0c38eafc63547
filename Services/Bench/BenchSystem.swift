import Bus
import Foundation

/// The real system for a benchmark: bus, settings, contacts and gateway started from the
/// release build in a temporary folder on free ports, stopped by the process ids it got.
final class BenchSystem {
    let folder: URL
    let bin: URL
    let ports: [Int]
    private var processes: [String: Process] = [:]
    static let adminPassword = "bench-admin-password"
    /// Whether the bus runs with identities (the default) or without (`CRM_BUS_IDENTITIES=off`).
    let identities: Bool

    init(bin: String, identities: Bool = true) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.bin = URL(fileURLWithPath: bin)
        self.identities = identities
        ports = try (0..<5).map { _ in try Self.freePort() }
        if identities {
            try keys.ensure(roles: [BusRole.bus, BusRole.admin, "settings", "contacts", "telephony", "gateway"])
        }
    }

    var keys: KeyFolder { KeyFolder(path: folder.appendingPathComponent("data/keys").path) }

    /// A ZeroMQ ingest producer's keys (made on first use), or nil without identities.
    func producerKeys(_ name: String) throws -> CurveClientKeys? {
        guard identities else { return nil }
        try keys.producers.ensure(roles: [name])
        let pair = try keys.producers.keyPair(for: name)
        return CurveClientKeys(serverKey: try keys.publicKey(of: "telephony"), publicKey: pair.publicKey, secretKey: pair.secretKey)
    }

    var httpPort: Int { ports[3] }
    var ingestEndpoint: String { "tcp://127.0.0.1:\(ports[4])" }
    var telephonyDatabase: String { folder.appendingPathComponent("data/telephony/telephony.sqlite").path }
    var contactsDatabase: String { folder.appendingPathComponent("data/contacts/contacts.sqlite").path }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["CRM_DATA_DIR"] = folder.appendingPathComponent("data").path
        env["CRM_BUS_ENDPOINT"] = "tcp://127.0.0.1:\(ports[0])"
        env["CRM_EVENTS_PUBLISH_ENDPOINT"] = "tcp://127.0.0.1:\(ports[1])"
        env["CRM_EVENTS_SUBSCRIBE_ENDPOINT"] = "tcp://127.0.0.1:\(ports[2])"
        env["CRM_HTTP_ADDRESS"] = "127.0.0.1:\(httpPort)"
        env["CRM_TELEPHONY_INGEST_ENDPOINT"] = ingestEndpoint
        env["CRM_ADMIN_PASSWORD"] = Self.adminPassword
        env["CRM_LOG_LEVEL"] = "warning"
        env["CRM_BUS_IDENTITIES"] = identities ? "on" : "off"
        return env
    }

    func start(_ name: String) throws {
        let process = Process()
        process.executableURL = bin.appendingPathComponent(name)
        process.environment = environment
        process.currentDirectoryURL = folder
        let log = folder.appendingPathComponent("\(name).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes[name] = process
    }

    func stop(_ name: String) {
        guard let process = processes.removeValue(forKey: name) else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func stopAll() {
        for name in ["gateway", "telephony", "contacts", "settings", "bus"] { stop(name) }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Waits until /readyz answers 200.
    func waitUntilReady(seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let probe = try? HTTPProbe(port: httpPort), let (status, _) = try? probe.request("GET", "/readyz"), status == 200 { return }
            usleep(100_000)
        }
        throw BenchError("the system was not ready within \(seconds) s; logs in \(folder.path)")
    }

    /// A probe signed in as admin.
    func signedInProbe() throws -> HTTPProbe {
        let probe = try HTTPProbe(port: httpPort)
        let body = try JSONSerialization.data(withJSONObject: ["username": "admin", "password": Self.adminPassword])
        let (status, reply) = try probe.request("POST", "/api/v1/auth/login", body: body)
        guard status == 200, let token = (try JSONSerialization.jsonObject(with: reply) as? [String: Any])?["token"] as? String else {
            throw BenchError("signing in answered \(status)")
        }
        probe.token = token
        return probe
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw BenchError("cannot bind a free port") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
