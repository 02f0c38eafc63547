import ArgumentParser
import Bus
import Foundation
import Logging

/// Everything a process of the system is configured with, read once at start: defaults that work
/// on one machine, then environment variables, then command-line flags. Nothing deeper in the
/// code reads the environment.
public struct ServiceConfig: Sendable {
    /// Where clients and workers reach the broker (`CRM_BUS_ENDPOINT`).
    public var busEndpoint = "tcp://127.0.0.1:5555"
    /// Where services publish events: the bus's XSUB (`CRM_EVENTS_PUBLISH_ENDPOINT`).
    public var eventsPublishEndpoint = "tcp://127.0.0.1:5556"
    /// Where services subscribe to events: the bus's XPUB (`CRM_EVENTS_SUBSCRIBE_ENDPOINT`).
    public var eventsSubscribeEndpoint = "tcp://127.0.0.1:5557"
    /// Root of the data folders; each service uses `<dataDirectory>/<service>` (`CRM_DATA_DIR`).
    public var dataDirectory = "./data"
    /// Log level (`CRM_LOG_LEVEL`: trace, debug, info, notice, warning, error, critical).
    public var logLevel: Logger.Level = .info
    /// Log lines as text for people, or one JSON object per line for aggregators (`CRM_LOG_FORMAT`: text, json).
    public var logFormat = "text"
    /// Requests one worker runs at once (`CRM_WORKER_CONCURRENCY`).
    public var workerConcurrency = 32
    /// Deadline of a request when the caller gives none (`CRM_REQUEST_TIMEOUT_MS`).
    public var requestTimeout: Duration = .seconds(5)
    /// Heartbeat interval between broker and workers (`CRM_HEARTBEAT_MS`).
    public var heartbeat: Duration = .seconds(1)
    /// Gateway listen address (`CRM_HTTP_ADDRESS`, host:port).
    public var httpHost = "127.0.0.1"
    public var httpPort = 8080
    /// Where `GET /metrics` is served (no token: bind it to a monitoring network); nil serves none.
    public var metricsAddress: (host: String, port: Int)?
    /// The address users reach the gateway at (`CRM_PUBLIC_URL`, such as https://crm.example.com),
    /// when it is not the listen address: the session cookie is `Secure` when it is https, and
    /// a cookie-authenticated write must come from this origin.
    public var publicURL: String?
    /// Largest HTTP request body the gateway reads (`CRM_HTTP_MAX_BODY`, bytes).
    public var httpMaxBody = 1 << 20
    /// The largest import file the gateway accepts (CSV or vCards), `CRM_HTTP_MAX_IMPORT`.
    public var httpMaxImport = 64 << 20
    /// The largest file of a file area, `CRM_FILES_MAX_BYTES` (413 beyond it).
    public var filesMaxBytes: Int64 = 50 << 20
    /// What SQLite may hold in this process, its page caches included (`CRM_SQLITE_MEMORY_MB`):
    /// past it, connections reuse their caches' pages instead of taking more. Unset, each
    /// connection's cache grows to its own limit (128 MB the writer's, 32 MB each reader's).
    public var sqliteMemoryMB: Int?
    /// Country used to read national phone numbers (`CRM_DEFAULT_COUNTRY`, ISO 3166 code).
    public var defaultCountry = "NO"
    /// How long published events are kept once every subscriber has passed them
    /// (`CRM_OUTBOX_RETENTION_SECONDS`, default 7 days).
    public var outboxRetention: TimeInterval = 7 * 86400
    /// The folder of bus identities (`CRM_KEYS_DIR`, default `<data>/keys`); see `KeyFolder`.
    public var keysDirectory: String?
    /// Whether the bus runs with identities (CURVE + ZAP roles), the default. `CRM_BUS_IDENTITIES=off`
    /// turns them off for benchmarks on loopback; refused on any other endpoint.
    public var identities = true
    /// The bus's CURVE public key (`CRM_BUS_CURVE_SERVER_KEY`, Z85), instead of `<keys>/bus.pub`.
    public var curveServerKey: String?
    /// This process's CURVE key pair (`CRM_CURVE_PUBLIC_KEY`, `CRM_CURVE_SECRET_KEY`), instead of
    /// `<keys>/<role>.key`: for an operator who hands keys out by environment.
    public var curvePublicKey: String?
    public var curveSecretKey: String?
    /// The bus's own CURVE secret key (`CRM_BUS_CURVE_SECRET`), instead of `<keys>/bus.key`.
    public var busCurveSecret: String?
    /// Name of this instance in logs and health (`CRM_INSTANCE`).
    public var instance = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"

    /// Whether this is a later instance of a service that `crm up` scaled (`telephony.2`,
    /// `notifications.3`): work that only one instance may do (binding an endpoint, sending
    /// mail) stays with the first.
    public var isLaterInstance: Bool {
        instance.split(separator: ".").last.flatMap { Int($0) }.map { $0 > 1 } ?? false
    }

    public init() {}

    /// The identity folder: `CRM_KEYS_DIR`, or `keys` under the data folder.
    public var keyFolder: KeyFolder {
        KeyFolder(path: keysDirectory ?? (dataDirectory as NSString).appendingPathComponent("keys"))
    }

    /// The keys `role` reaches the bus with: its own pair and the bus's public key, from the
    /// environment when set there, else from the key folder. Nil when identities are off.
    public func busKeys(role: String) throws -> CurveClientKeys? {
        guard identities else { return nil }
        let server = try curveServerKey ?? keyFolder.publicKey(of: BusRole.bus)
        if let publicKey = curvePublicKey, let secretKey = curveSecretKey {
            return CurveClientKeys(serverKey: server, publicKey: publicKey, secretKey: secretKey)
        }
        let pair = try keyFolder.keyPair(for: role)
        return CurveClientKeys(serverKey: server, publicKey: pair.publicKey, secretKey: pair.secretKey)
    }

    /// The bus's own secret key (environment, else `<keys>/bus.key`); nil when identities are off.
    public func busServerSecret() throws -> String? {
        guard identities else { return nil }
        return try busCurveSecret ?? keyFolder.keyPair(for: BusRole.bus).secretKey
    }

    /// Whether an endpoint only this machine can reach: `ipc://`, `inproc://`, or tcp on loopback.
    public static func isLocal(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        let host = endpoint.dropFirst(6).split(separator: ":").dropLast().joined(separator: ":")
        return host == "localhost" || host.hasPrefix("127.") || host == "[::1]"
    }

    /// The data folder of one service, created if missing.
    public func dataFolder(for service: String) throws -> String {
        let path = (dataDirectory as NSString).appendingPathComponent(service)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Reads the configuration: defaults, then `environment`, then `options`.
    public static func load(
        options: CommonOptions, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServiceConfig {
        var config = ServiceConfig()
        func pick(_ flag: String?, _ variable: String) -> String? { flag ?? environment[variable] }
        if let value = pick(options.bus, "CRM_BUS_ENDPOINT") { config.busEndpoint = value }
        if let value = pick(options.eventsPublish, "CRM_EVENTS_PUBLISH_ENDPOINT") { config.eventsPublishEndpoint = value }
        if let value = pick(options.eventsSubscribe, "CRM_EVENTS_SUBSCRIBE_ENDPOINT") { config.eventsSubscribeEndpoint = value }
        if let value = pick(options.dataDir, "CRM_DATA_DIR") { config.dataDirectory = value }
        if let value = pick(options.logLevel, "CRM_LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw ConfigError("log level '\(value)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            config.logLevel = level
        }
        if let value = pick(options.logFormat, "CRM_LOG_FORMAT") {
            guard ["text", "json"].contains(value.lowercased()) else { throw ConfigError("log format '\(value)' is not text or json") }
            config.logFormat = value.lowercased()
        }
        if let value = pick(options.concurrency.map(String.init), "CRM_WORKER_CONCURRENCY") {
            guard let number = Int(value), number > 0 else { throw ConfigError("worker concurrency '\(value)' must be a positive number") }
            config.workerConcurrency = number
        }
        if let value = environment["CRM_REQUEST_TIMEOUT_MS"] {
            guard let ms = Int(value), ms > 0 else { throw ConfigError("CRM_REQUEST_TIMEOUT_MS '\(value)' must be a positive number") }
            config.requestTimeout = .milliseconds(ms)
        }
        if let value = environment["CRM_HEARTBEAT_MS"] {
            guard let ms = Int(value), ms >= 10 else { throw ConfigError("CRM_HEARTBEAT_MS '\(value)' must be at least 10") }
            config.heartbeat = .milliseconds(ms)
        }
        if let value = pick(options.http, "CRM_HTTP_ADDRESS") {
            guard let address = hostAndPort(value) else { throw ConfigError("HTTP address '\(value)' must look like 127.0.0.1:8080") }
            (config.httpHost, config.httpPort) = address
        }
        if let value = pick(options.metrics, "CRM_METRICS_ADDRESS")?.trimmingCharacters(in: .whitespaces), !value.isEmpty,
            value != "off"
        {
            guard let address = hostAndPort(value), !address.host.isEmpty else {
                throw ConfigError("metrics address '\(value)' must look like 127.0.0.1:9400 (or off)")
            }
            config.metricsAddress = address
        }
        if let value = environment["CRM_HTTP_MAX_BODY"] {
            guard let bytes = Int(value), bytes > 0 else { throw ConfigError("CRM_HTTP_MAX_BODY '\(value)' must be a positive number") }
            config.httpMaxBody = bytes
        }
        if let value = environment["CRM_HTTP_MAX_IMPORT"] {
            guard let bytes = Int(value), bytes > 0 else { throw ConfigError("CRM_HTTP_MAX_IMPORT '\(value)' must be a positive number") }
            config.httpMaxImport = bytes
        }
        if let value = environment["CRM_FILES_MAX_BYTES"] {
            guard let bytes = Int64(value), bytes > 0 else { throw ConfigError("CRM_FILES_MAX_BYTES '\(value)' must be a positive number") }
            config.filesMaxBytes = bytes
        }
        if let value = environment["CRM_SQLITE_MEMORY_MB"] {
            guard let megabytes = Int(value), (1...1_048_576).contains(megabytes) else {
                throw ConfigError("CRM_SQLITE_MEMORY_MB '\(value)' must be a number of megabytes from 1 to 1048576")
            }
            config.sqliteMemoryMB = megabytes
        }
        if let value = pick(options.defaultCountry, "CRM_DEFAULT_COUNTRY") {
            guard PhoneNormalizer.isKnownCountry(value.uppercased()) else {
                throw ConfigError("default country '\(value)' is not one the phone normaliser knows")
            }
            config.defaultCountry = value.uppercased()
        }
        if let value = pick(options.instance, "CRM_INSTANCE") { config.instance = value }
        config.curveServerKey = try curveKey(environment, "CRM_BUS_CURVE_SERVER_KEY")
        config.curvePublicKey = try curveKey(environment, "CRM_CURVE_PUBLIC_KEY")
        config.curveSecretKey = try curveKey(environment, "CRM_CURVE_SECRET_KEY")
        config.busCurveSecret = try curveKey(environment, "CRM_BUS_CURVE_SECRET")
        if (config.curvePublicKey == nil) != (config.curveSecretKey == nil) {
            throw ConfigError("CRM_CURVE_PUBLIC_KEY and CRM_CURVE_SECRET_KEY go together; set both or neither")
        }
        if let value = environment["CRM_OUTBOX_RETENTION_SECONDS"] {
            guard let seconds = Int(value), seconds >= 1 else {
                throw ConfigError("CRM_OUTBOX_RETENTION_SECONDS '\(value)' must be a positive number of seconds")
            }
            config.outboxRetention = TimeInterval(seconds)
        }
        if let value = environment["CRM_PUBLIC_URL"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
            guard let url = URL(string: value), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw ConfigError("CRM_PUBLIC_URL '\(value)' must be an http or https URL such as https://crm.example.com")
            }
            config.publicURL = value.hasSuffix("/") ? String(value.dropLast()) : value
        }
        if let value = environment["CRM_KEYS_DIR"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
            config.keysDirectory = value
        }
        if let value = environment["CRM_BUS_IDENTITIES"] {
            switch value.lowercased() {
            case "on", "": config.identities = true
            case "off": config.identities = false
            default: throw ConfigError("CRM_BUS_IDENTITIES '\(value)' must be on or off")
            }
        }
        if !config.identities {
            for endpoint in [config.busEndpoint, config.eventsPublishEndpoint, config.eventsSubscribeEndpoint]
            where !isLocal(endpoint) {
                throw ConfigError(
                    "CRM_BUS_IDENTITIES=off is for loopback and ipc only; \(endpoint) can be reached from other machines")
            }
        }
        return config
    }

    /// `host:port` (the last colon splits them) with a port from 0 to 65535, or nil.
    public static func hostAndPort(_ value: String) -> (host: String, port: Int)? {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        return (String(value[..<colon]), port)
    }

    private static func curveKey(_ environment: [String: String], _ name: String) throws -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        guard value.count == 40 else { throw ConfigError("\(name) must be a 40-character Z85 CURVE key (see `crm keys`)") }
        return value
    }
}

/// A configuration value that cannot be used; the message says which and why.
public struct ConfigError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The flags every executable accepts; each overrides its environment variable.
public struct CommonOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("bus"), help: "Broker endpoint (CRM_BUS_ENDPOINT).")
    public var bus: String?
    @Option(name: .customLong("events-publish"), help: "Event forwarder endpoint publishers connect to (CRM_EVENTS_PUBLISH_ENDPOINT).")
    public var eventsPublish: String?
    @Option(name: .customLong("events-subscribe"), help: "Event forwarder endpoint subscribers connect to (CRM_EVENTS_SUBSCRIBE_ENDPOINT).")
    public var eventsSubscribe: String?
    @Option(name: .customLong("data-dir"), help: "Data folder root (CRM_DATA_DIR).")
    public var dataDir: String?
    @Option(name: .customLong("log-level"), help: "Log level (CRM_LOG_LEVEL).")
    public var logLevel: String?
    @Option(name: .customLong("log-format"), help: "text, or json: one object per line (CRM_LOG_FORMAT).")
    public var logFormat: String?
    @Option(name: .customLong("concurrency"), help: "Requests a worker runs at once (CRM_WORKER_CONCURRENCY).")
    public var concurrency: Int?
    @Option(name: .customLong("http"), help: "Gateway address host:port (CRM_HTTP_ADDRESS).")
    public var http: String?
    @Option(
        name: .customLong("metrics"), help: "Address host:port of GET /metrics, Prometheus text without a token (CRM_METRICS_ADDRESS).")
    public var metrics: String?
    @Option(name: .customLong("default-country"), help: "Country for national phone numbers (CRM_DEFAULT_COUNTRY).")
    public var defaultCountry: String?
    @Option(name: .customLong("instance"), help: "Instance name for logs and health (CRM_INSTANCE).")
    public var instance: String?

    public init() {}
}
