import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Access control in the gateway, walked over every route the OpenAPI document lists (which is
/// built from the routes as registered, so a new route is walked without editing this test).
@Suite("End to end: access control", .serialized)
struct AccessTests {
    struct Operation {
        let method: String
        let path: String
        let scope: String?
        let bossOnly: Bool
        let open: Bool
        /// A permission besides the scope (`export`), which the signed-in user here lacks.
        var permission: String? = nil
    }

    @Test("every route refuses a missing token, a token without its scope, and (where it applies) a non-boss")
    func everyRoute() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()

        // A user without rank boss (signed in: every scope), and two boss tokens with one scope each.
        let (created, _) = try await system.http(
            "POST", "/api/v1/users", json: ["username": "kari", "name": "Kari Nordmann", "password": "kari-password-1"])
        #expect(created == 201)
        let kari = try await system.signIn("kari", "kari-password-1")
        func token(_ scope: String) async throws -> String {
            let (status, body) = try await system.http("POST", "/api/v1/tokens", json: ["name": "only \(scope)", "scopes": [scope]])
            guard status == 201, let token = (body as? [String: Any])?["token"] as? String else {
                throw E2EError("creating a token answered \(status): \(String(describing: body))")
            }
            return token
        }
        let accountOnly = try await token("account"), contactsOnly = try await token("contacts:read")

        let document = try await system.getObject("/api/v1/openapi.json")
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        var operations: [Operation] = []
        for (path, methods) in paths {
            for (method, operation) in methods {
                let security = operation["security"] as? [[String: [String]]] ?? []
                operations.append(
                    Operation(
                        method: method.uppercased(),
                        path: path.replacingOccurrences(of: "{id}", with: "999999").replacingOccurrences(of: "{user_id}", with: "999999"),
                        scope: operation["x-required-scope"] as? String, bossOnly: operation["x-boss-only"] as? Bool ?? false,
                        open: security.isEmpty, permission: operation["x-required-permission"] as? String))
            }
        }
        // Signing out ends the session used, so it goes last.
        operations.sort {
            ($0.path.hasSuffix("/logout") ? 1 : 0, $0.path, $0.method) < ($1.path.hasSuffix("/logout") ? 1 : 0, $1.path, $1.method)
        }
        #expect(operations.count > 100, "only \(operations.count) operations in the OpenAPI document")
        // Besides health and signing in: a calendar feed and an attendee's answer, by secret token.
        #expect(
            Set(operations.filter(\.open).map(\.path)) == [
                "/healthz", "/readyz", "/api/v1/auth/login", "/api/v1/feeds/{token}", "/api/v1/rsvp/{token}",
            ])
        #expect(operations.contains { $0.path == "/api/v1/settings/industries" && $0.method == "POST" && $0.bossOnly })

        var walked = 0
        for operation in operations {
            let label = "\(operation.method) \(operation.path)"
            if operation.open {
                let (status, _) = try await system.http(operation.method, operation.path, token: .some(nil))
                #expect(status != 401 && status != 403, "\(label) is open but answered \(status)")
                continue
            }
            let (anonymous, body) = try await system.http(operation.method, operation.path, token: .some(nil))
            #expect(anonymous == 401, "\(label) without a token answered \(anonymous)")
            #expect(((body as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "unauthorized", "\(label)")
            let (forged, _) = try await system.http(operation.method, operation.path, token: "crm_not-a-real-token")
            #expect(forged == 401, "\(label) with a made-up token answered \(forged)")
            if let scope = operation.scope {
                let wrong = scope == "account" ? contactsOnly : accountOnly
                let (status, _) = try await system.http(operation.method, operation.path, token: wrong)
                #expect(status == 403, "\(label) with a token lacking \(scope) answered \(status)")
            }
            let (asUser, _) = try await system.http(operation.method, operation.path, token: kari)
            if operation.bossOnly || operation.permission != nil {
                #expect(asUser == 403, "\(label) as a non-boss without the permission answered \(asUser)")
            } else {
                #expect(asUser != 401 && asUser != 403, "\(label) as a signed-in user answered \(asUser)")
            }
            walked += 1
        }
        #expect(walked == operations.filter { !$0.open }.count)
    }

    @Test("signing in: a token and a session cookie; wrong passwords get 401 and then 429 with Retry-After")
    func signIn() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        // The cookie alone is enough (the web UI's way).
        var request = URLRequest(url: URL(string: system.baseURL + "/api/v1/auth/login")!)
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: ["username": "admin", "password": system.adminPassword])
        let (_, response) = try await SystemUnderTest.session.data(for: request)
        let cookie = try #require((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.hasPrefix("crm_session=crm_"))
        let session = String(cookie.split(separator: ";")[0])
        let (me, body) = try await system.http("GET", "/api/v1/auth/me", headers: ["Cookie": session], token: .some(nil))
        #expect(me == 200 && ((body as? [String: Any])?["user"] as? [String: Any])?["username"] as? String == "admin")

        for _ in 0..<5 {
            let (status, _) = try await system.http(
                "POST", "/api/v1/auth/login", json: ["username": "admin", "password": "guess-guess"], token: .some(nil))
            #expect(status == 401)
        }
        var limited = URLRequest(url: URL(string: system.baseURL + "/api/v1/auth/login")!)
        limited.httpMethod = "POST"
        limited.httpBody = try JSONSerialization.data(withJSONObject: ["username": "admin", "password": system.adminPassword])
        let (data, limitedResponse) = try await SystemUnderTest.session.data(for: limited)
        let http = try #require(limitedResponse as? HTTPURLResponse)
        #expect(http.statusCode == 429, "\(String(decoding: data, as: UTF8.self))")
        #expect(Int(http.value(forHTTPHeaderField: "Retry-After") ?? "") ?? 0 >= 1)

        // A write with the cookie alone is refused unless it shows it comes from our own pages.
        let csrf = try #require(
            cookie.components(separatedBy: "crm_csrf=").dropFirst().first?.split(separator: ";").first.map(String.init))
        let origin = system.baseURL
        let (noOrigin, _) = try await system.http("POST", "/api/v1/auth/logout", headers: ["Cookie": session], token: .some(nil))
        #expect(noOrigin == 403)
        let (foreign, _) = try await system.http(
            "POST", "/api/v1/auth/logout", headers: ["Cookie": session, "Origin": "https://evil.example"], token: .some(nil))
        #expect(foreign == 403)
        let (wrongToken, _) = try await system.http(
            "POST", "/api/v1/auth/logout", headers: ["Cookie": session + "; crm_csrf=" + csrf, "X-CSRF-Token": "x" + csrf],
            token: .some(nil))
        #expect(wrongToken == 403)
        let (withToken, _) = try await system.http(
            "POST", "/api/v1/contacts", json: ["last_name": "Via cookie"],
            headers: ["Cookie": session + "; crm_csrf=" + csrf, "X-CSRF-Token": csrf], token: .some(nil))
        #expect(withToken == 201)
        // Signing out ends the session: the cookie no longer works.
        let (out, _) = try await system.http(
            "POST", "/api/v1/auth/logout", headers: ["Cookie": session, "Origin": origin], token: .some(nil))
        #expect(out == 200)
        let (after, _) = try await system.http("GET", "/api/v1/auth/me", headers: ["Cookie": session], token: .some(nil))
        #expect(after == 401)
    }

    @Test("changing one's own password ends one's other sessions and keeps this one; a token cannot mint a wider token")
    func passwordChangeEndsOtherSessions() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        let other = try await system.signIn("admin", system.adminPassword)
        let this = try #require(system.token)
        let (changed, body) = try await system.http(
            "POST", "/api/v1/auth/password", json: ["current_password": system.adminPassword, "new_password": "a-brand-new-password"])
        #expect(changed == 200, "\(String(describing: body))")
        try await system.eventually("the other session is refused") {
            try await system.http("GET", "/api/v1/auth/me", token: .some(other)).0 == 401
        }
        #expect(try await system.http("GET", "/api/v1/auth/me", token: .some(this)).0 == 200)
        // A token with `account` and `contacts:read` cannot make one with settings:write.
        let (created, made) = try await system.http(
            "POST", "/api/v1/tokens", json: ["name": "narrow", "scopes": ["account", "contacts:read"]])
        #expect(created == 201)
        let narrow = try #require((made as? [String: Any])?["token"] as? String)
        let (escalate, _) = try await system.http(
            "POST", "/api/v1/tokens", json: ["name": "wider", "scopes": ["settings:write"]], token: .some(narrow))
        #expect(escalate == 403)
        let (same, _) = try await system.http(
            "POST", "/api/v1/tokens", json: ["name": "same", "scopes": ["contacts:read"]], token: .some(narrow))
        #expect(same == 201)
    }

    @Test("a method a known path does not take answers 405 with Allow; an unknown path 404; a documented body is required")
    func methodsAndBodies() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        for (method, path, allow) in [
            ("PATCH", "/api/v1/contacts/duplicates", "GET"), ("TRACE", "/api/v1/contacts", "GET, POST"),
            ("PUT", "/api/v1/calls/1", "GET"), ("DELETE", "/api/v1/auth/login", "POST"),
        ] {
            var request = URLRequest(url: URL(string: system.baseURL + path)!)
            request.httpMethod = method
            request.setValue("Bearer \(system.token!)", forHTTPHeaderField: "Authorization")
            let (_, response) = try await SystemUnderTest.session.data(for: request)
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 405, "\(method) \(path)")
            #expect(http.value(forHTTPHeaderField: "Allow") == allow, "\(method) \(path)")
        }
        #expect(try await system.http("GET", "/api/v1/no-such-thing").0 == 404)
        // PATCH with no body at all is refused; with {} it is a change of nothing.
        let (_, created) = try await system.http("POST", "/api/v1/companies", json: ["name": "Bodies AS"])
        let id = try #require((created as? [String: Any])?["id"] as? Int)
        #expect(try await system.http("PATCH", "/api/v1/companies/\(id)").0 == 400)
        #expect(try await system.http("PATCH", "/api/v1/companies/\(id)", json: [String: Any]()).0 == 200)
    }

    @Test("a PBX token with telephony:ingest posts call events and nothing else; revoked, it stops at once")
    func scopedToken() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        let (status, body) = try await system.http("POST", "/api/v1/tokens", json: ["name": "PBX", "scopes": ["telephony:ingest"]])
        #expect(status == 201)
        let object = try #require(body as? [String: Any])
        let token = try #require(object["token"] as? String)
        let id = try #require((object["info"] as? [String: Any])?["id"] as? Int)
        let event: [String: Any] = [
            "event_id": "e1", "call_id": "c1", "type": "ringing", "direction": "inbound", "from": "+4791234567",
            "at": "2026-01-01T00:00:00Z",
        ]
        let (posted, _) = try await system.http("POST", "/api/v1/telephony/events", json: event, token: token)
        #expect(posted == 200)
        let (read, _) = try await system.http("GET", "/api/v1/contacts", token: token)
        #expect(read == 403)
        let (listed, tokens) = try await system.http("GET", "/api/v1/tokens")
        #expect(listed == 200)
        let entry = (tokens as? [[String: Any]])?.first { $0["id"] as? Int == id }
        #expect(entry?["last_used_at"] != nil && entry?["token"] == nil)
        let (revoked, _) = try await system.http("DELETE", "/api/v1/tokens/\(id)")
        #expect(revoked == 200)
        let (again, _) = try await system.http("POST", "/api/v1/telephony/events", json: event, token: token)
        #expect(again == 401)
    }
}
