import Bus
import Foundation
import TestKit

/// The real system for a benchmark (`ProcessHarness`, the end-to-end tests' harness): the
/// release build's processes in a temporary folder on free ports, with a quiet log, and the
/// helpers the benchmarks need (producer keys, a signed-in HTTP probe, the databases).
final class BenchSystem: ProcessHarness, @unchecked Sendable {
    static let adminPassword = "bench-admin-password"

    init(bin: String, identities: Bool = true) throws {
        try super.init(prefix: "crm-bench", binDirectory: URL(fileURLWithPath: bin), adminPassword: Self.adminPassword)
        defaults = ["CRM_LOG_LEVEL": "warning", "CRM_BUS_IDENTITIES": identities ? "on" : "off"]
    }

    var keys: KeyFolder { KeyFolder(path: keysFolder.path) }

    /// A ZeroMQ ingest producer's keys (made on first use), or nil without identities.
    func producerKeys(_ name: String) throws -> CurveClientKeys? {
        guard identities else { return nil }
        try ensureKeys()
        try keys.producers.ensure(roles: [name])
        let pair = try keys.producers.keyPair(for: name)
        return CurveClientKeys(serverKey: try keys.publicKey(of: "telephony"), publicKey: pair.publicKey, secretKey: pair.secretKey)
    }

    var telephonyDatabase: String { database(of: "telephony") }
    var contactsDatabase: String { database(of: "contacts") }

    /// Waits until /readyz answers 200.
    func waitUntilReady(seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let probe = try? HTTPProbe(port: httpPort), let (status, _) = try? probe.request("GET", "/readyz"), status == 200 { return }
            usleep(100_000)
        }
        throw BenchError("the system was not ready within \(seconds) s; \(logTails())")
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
}
