import Foundation
import TestKit
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real system for one test (`ProcessHarness`), with the end-to-end tests' settings and
/// their HTTP helpers.
final class SystemUnderTest: ProcessHarness, @unchecked Sendable {
    /// The token every request carries unless told otherwise; set by `signIn`.
    var token: String?

    init() throws {
        try super.init(prefix: "crm-e2e", adminPassword: "e2e-admin-password")
        defaults = [
            "CRM_HEARTBEAT_MS": "250", "CRM_LOG_LEVEL": "info", "CRM_DEFAULT_COUNTRY": "NO",
            // The lowest bcrypt cost keeps tests that make users fast; the default (12) is for production.
            "CRM_BCRYPT_COST": "4",
        ]
        reapInBackground = true
    }

    /// Starts the whole system, waits until the gateway says it is ready, and signs in as admin.
    func startAll() async throws {
        try await ensureKeys()
        try startProcesses()
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

typealias E2EError = HarnessError
