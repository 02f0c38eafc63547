import Foundation
import ServiceKit

/// The telephony service's own configuration, read once at start from the environment.
struct TelephonyOptions: Sendable {
    /// The ZeroMQ ingest endpoint (`CRM_TELEPHONY_INGEST_ENDPOINT`, default tcp://127.0.0.1:5570;
    /// `off` runs none).
    var ingestEndpoint: String? = "tcp://127.0.0.1:5570"
    /// How long after its last event a call that never ended is closed (`CRM_CALL_TIMEOUT_SECONDS`, default 4 h).
    var callTimeout: TimeInterval = 4 * 3600
    /// The Asterisk AMI server to log in to (`CRM_AMI_HOST`, `CRM_AMI_PORT` default 5038,
    /// `CRM_AMI_USERNAME`, `CRM_AMI_SECRET`, `CRM_AMI_PRODUCER` default `asterisk`); none when unset.
    var ami: AMIOptions?

    struct AMIOptions: Sendable {
        var host: String
        var port: Int
        var username: String
        var secret: String
        var producer: String
    }

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TelephonyOptions {
        var options = TelephonyOptions()
        if let value = environment["CRM_TELEPHONY_INGEST_ENDPOINT"]?.trimmed, !value.isEmpty {
            options.ingestEndpoint = value == "off" ? nil : value
        }
        if let value = environment["CRM_CALL_TIMEOUT_SECONDS"] {
            guard let seconds = Double(value), seconds >= 1, seconds <= 7 * 86400 else {
                throw ConfigError("CRM_CALL_TIMEOUT_SECONDS '\(value)' must be 1 to 604800 seconds")
            }
            options.callTimeout = seconds
        }
        if let host = environment["CRM_AMI_HOST"]?.trimmed, !host.isEmpty {
            let portText = environment["CRM_AMI_PORT"] ?? "5038"
            guard let port = Int(portText), (1...65535).contains(port) else { throw ConfigError("CRM_AMI_PORT '\(portText)' is no port") }
            guard let username = environment["CRM_AMI_USERNAME"]?.nilIfEmpty, let secret = environment["CRM_AMI_SECRET"]?.nilIfEmpty
            else {
                throw ConfigError("CRM_AMI_HOST needs CRM_AMI_USERNAME and CRM_AMI_SECRET")
            }
            options.ami = AMIOptions(
                host: host, port: port, username: username, secret: secret,
                producer: environment["CRM_AMI_PRODUCER"]?.nilIfEmpty ?? "asterisk")
        }
        return options
    }
}
