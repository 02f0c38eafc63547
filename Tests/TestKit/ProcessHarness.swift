import Foundation
import ServiceKit
import Synchronization

/// The real system's processes for one test or benchmark: the executables started as separate
/// processes on free ports, with a temporary data folder. Everything it starts it stops, by the
/// process id it got. End-to-end tests (`SystemUnderTest`) and `crm-bench` both build on it.
open class ProcessHarness: @unchecked Sendable {
    // Mutable state is only touched by the test or benchmark that owns this instance, one step at a time.
    public let folder: URL
    public let busPort: Int
    public let eventsInPort: Int
    public let eventsOutPort: Int
    public let httpPort: Int
    /// Telephony's ZeroMQ ingest endpoint's port.
    public let ingestPort: Int
    public private(set) var processes: [String: Process] = [:]
    public let binDirectory: URL
    /// The settings of this kind of run (a test's short heartbeat, a benchmark's quiet log),
    /// over the folder and ports.
    public var defaults: [String: String] = [:]
    /// Added by one test or benchmark, over everything else.
    public var extraEnvironment: [String: String] = [:]
    /// The administrator's password on this system (`CRM_ADMIN_PASSWORD`).
    public let adminPassword: String
    /// Whether `shutdown` leaves the waiting for the processes' exit to a thread of its own (a
    /// test's `defer` must not hold one of the cooperative pool's threads, two on a 2-core machine,
    /// for the seconds the processes take to stop). A benchmark waits, so that the next
    /// measurement does not share the machine with them.
    public var reapInBackground = false
    /// Whether `shutdown` has run.
    private var shutDown = false

    /// - Parameters:
    ///   - prefix: the temporary folder's name starts with it (`crm-e2e`, `crm-bench`).
    ///   - binDirectory: where the executables are; `CRM_BIN_DIR` or `.build/debug` when nil.
    public init(prefix: String, binDirectory: URL? = nil, adminPassword: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let ports = try FreePorts.take(5)
        (busPort, eventsInPort, eventsOutPort, httpPort, ingestPort) = (ports[0], ports[1], ports[2], ports[3], ports[4])
        self.binDirectory = try binDirectory ?? Self.findBinaries()
        self.adminPassword = adminPassword
    }

    /// `CRM_BIN_DIR`, or the package's `.build/debug`.
    public static func findBinaries() throws -> URL {
        if let dir = ProcessInfo.processInfo.environment["CRM_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let debug = root.appendingPathComponent(".build/debug")
        for name in SystemProcesses.executables + ["crm"] {
            guard FileManager.default.isExecutableFile(atPath: debug.appendingPathComponent(name).path) else {
                throw HarnessError("\(debug.path)/\(name) is missing: run `swift build` first")
            }
        }
        return debug
    }

    /// What every process gets: the shell's environment, this system's folder and ports, then
    /// `defaults`, then `extraEnvironment`.
    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["CRM_DATA_DIR"] = folder.appendingPathComponent("data").path
        env["CRM_BUS_ENDPOINT"] = "tcp://127.0.0.1:\(busPort)"
        env["CRM_EVENTS_PUBLISH_ENDPOINT"] = "tcp://127.0.0.1:\(eventsInPort)"
        env["CRM_EVENTS_SUBSCRIBE_ENDPOINT"] = "tcp://127.0.0.1:\(eventsOutPort)"
        env["CRM_HTTP_ADDRESS"] = "127.0.0.1:\(httpPort)"
        env["CRM_TELEPHONY_INGEST_ENDPOINT"] = ingestEndpoint
        env["CRM_ADMIN_PASSWORD"] = adminPassword
        for (key, value) in defaults { env[key] = value }
        for (key, value) in extraEnvironment { env[key] = value }
        return env
    }

    public var ingestEndpoint: String { "tcp://127.0.0.1:\(ingestPort)" }
    public var baseURL: String { "http://127.0.0.1:\(httpPort)" }

    /// A service's database file.
    public func database(of service: String) -> String {
        folder.appendingPathComponent("data/\(service)/\(service).sqlite").path
    }

    /// The bus identities' folder of this system (`CRM_KEYS_DIR`, or `data/keys`).
    public var keysFolder: URL {
        environment["CRM_KEYS_DIR"].map { URL(fileURLWithPath: $0) } ?? folder.appendingPathComponent("data/keys")
    }

    /// Whether the bus runs with identities (it does unless `CRM_BUS_IDENTITIES=off`).
    public var identities: Bool { environment["CRM_BUS_IDENTITIES"] != "off" }

    /// Makes the bus identities as `crm up` does (`crm keys init`), once.
    public func ensureKeys() throws {
        guard identities, !FileManager.default.fileExists(atPath: keysFolder.appendingPathComponent("bus.key").path) else { return }
        try run("crm", ["keys", "init"], mustSucceed: true)
    }

    /// Runs one of the executables to its end (`crm status`, `crm keys pair`) and answers its
    /// standard output; `without` leaves variables out of its environment; `mustSucceed` throws
    /// unless it exits 0.
    @discardableResult
    public func run(_ name: String, _ arguments: [String], without removed: [String] = [], mustSucceed: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent(name)
        process.arguments = arguments
        process.environment = environment.filter { !removed.contains($0.key) }
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if mustSucceed && process.terminationStatus != 0 {
            throw HarnessError("\(name) \(arguments.joined(separator: " ")) failed with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Starts one executable; its output goes to `<folder>/<label>.log`.
    public func start(_ name: String, arguments: [String] = [], label: String? = nil) throws {
        try ensureKeys()
        let label = label ?? name
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent(name)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = folder
        let logURL = folder.appendingPathComponent("\(label).log")
        if !FileManager.default.fileExists(atPath: logURL.path) { _ = FileManager.default.createFile(atPath: logURL.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        processes[label] = process
    }

    /// Starts every process of the system, in order.
    public func startProcesses() throws {
        for name in SystemProcesses.executables { try start(name) }
    }

    /// The last lines of every process's log, for a failure message (the folder is removed).
    public func logTails(lines: Int = 6) -> String {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasSuffix(".log") }.sorted() ?? []
        return files.map { name in
            let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return "\n--- \(name)\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        }.joined()
    }

    /// kill -9.
    public func kill9(_ label: String) {
        guard let process = processes[label] else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        processes[label] = nil
    }

    /// SIGTERM, then SIGKILL after `grace`.
    public func terminate(_ label: String, grace: TimeInterval = 10) {
        guard let process = processes.removeValue(forKey: label) else { return }
        Self.stop([process], grace: grace)
    }

    /// Stops everything this instance started and removes the folder (kept when KEEP_E2E=1):
    /// SIGTERM to all at once, SIGKILL to what still runs 5 s later. With `reapInBackground`
    /// the waiting happens on a thread of its own and this returns at once.
    public func shutdown() {
        let running = Array(processes.values)
        // Once is enough (a test's `defer`, then `deinit`): a second pass would remove the
        // folder under the reaper that is still stopping the processes.
        guard !running.isEmpty || !shutDown else { return }
        shutDown = true
        processes = [:]
        let folder = folder
        let keep = ProcessInfo.processInfo.environment["KEEP_E2E"] != nil
        let finish: @Sendable () -> Void = {
            Self.stop(running, grace: 5)
            if !keep { try? FileManager.default.removeItem(at: folder) }
        }
        if reapInBackground && !running.isEmpty {
            BackgroundReaper.run(finish)
        } else {
            finish()
        }
    }

    /// Signals every process, then waits for them together: the slowest one's exit, not the sum.
    private static func stop(_ processes: [Process], grace: TimeInterval) {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(grace)
        while processes.contains(where: \.isRunning) && Date() < deadline { usleep(20_000) }
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in processes { process.waitUntilExit() }
    }

    deinit { shutdown() }
}

public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Free TCP ports on loopback for the processes a test starts. They come from below the kernel's
/// ephemeral range (`ip_local_port_range`): a port found by binding port 0 lies inside it, and an
/// outgoing connection of another test can take it as its source port before our process binds
/// it (seen: the bus failing with EADDRINUSE). Ports are handed out once per process.
public enum FreePorts {
    private static let state = Mutex<(next: Int, low: Int)>(
        {
            let range =
                (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
                .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) } ?? []
            let ephemeralLow = range.first ?? 32768
            let low = max(1024, ephemeralLow - 12000)
            return (low + Int.random(in: 0..<6000), low)
        }())

    public static func take(_ count: Int) throws -> [Int] {
        try state.withLock { state in
            var ports: [Int] = []
            var tried = 0
            while ports.count < count {
                tried += 1
                guard tried < 10_000 else { throw HarnessError("no free port below the ephemeral range") }
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
