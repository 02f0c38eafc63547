/// The environment variables an executable reads, for its `--help` (operators, and the test
/// that holds the deployment files to what the executables take: Tests/Python/test_deployment.py).
public enum ServiceEnvironment {
    /// What every executable reads through `ServiceConfig` besides the options' own variables.
    public static let common: [(String, String)] = [
        ("CRM_REQUEST_TIMEOUT_MS", "deadline of a bus request when the caller gives none (5000)"),
        ("CRM_HEARTBEAT_MS", "heartbeat between broker and workers (1000)"),
        ("CRM_BUS_IDENTITIES", "on (default): CURVE and roles on the bus; off for a closed test machine"),
        ("CRM_KEYS_DIR", "the folder of bus identities (<data>/keys)"),
        ("CRM_BUS_CURVE_SERVER_KEY", "the bus's public key, instead of <keys>/bus.pub"),
        ("CRM_CURVE_PUBLIC_KEY", "this process's public key, instead of <keys>/<role>.key"),
        ("CRM_CURVE_SECRET_KEY", "this process's secret key, instead of <keys>/<role>.key"),
        ("CRM_OUTBOX_RETENTION_SECONDS", "how long published events are kept after every subscriber has them (604800)"),
        ("CRM_PUBLIC_URL", "the address users reach the gateway at, for links in mail"),
        ("CRM_HTTP_MAX_BODY", "largest HTTP request body (1 MiB)"),
        ("CRM_HTTP_MAX_IMPORT", "largest import file (64 MiB)"),
        ("CRM_FILES_MAX_BYTES", "largest file of a file area (50 MB)"),
        ("CRM_SQLITE_MEMORY_MB", "SQLite's memory in this process, caches included (unset: each connection's own limit)"),
    ]

    /// The `--help` discussion: the variables this executable reads besides its options'.
    public static func discussion(_ own: [(String, String)]) -> String {
        let lines = (own + common).map { name, meaning in "  \(name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(meaning)" }
        return "ENVIRONMENT (besides the options' variables):\n" + lines.joined(separator: "\n")
    }
}
