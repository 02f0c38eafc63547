import Foundation
import ServiceKit
import Testing

/// The settings service with the rest of the system: first start, reference data in use by
/// contacts, and the command line.
@Suite("End to end: settings", .serialized)
struct SettingsFlowTests {
    @Test("first start without CRM_ADMIN_PASSWORD generates one, prints it once and writes it with mode 0600")
    func generatedAdminPassword() async throws {
        let system = try SystemUnderTest()
        system.extraEnvironment["CRM_ADMIN_PASSWORD"] = ""
        defer { system.shutdown() }
        for name in SystemProcesses.executables { try system.start(name) }
        try await system.waitUntilReady()
        let path = system.folder.appendingPathComponent("data/initial-admin-password").path
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let password = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(password.count == 20)
        _ = try await system.signIn("admin", password)
        let log = try String(contentsOf: system.folder.appendingPathComponent("settings.log"), encoding: .utf8)
        #expect(log.components(separatedBy: password).count == 2, "the password is printed exactly once")

        // A restart neither reseeds nor prints it again.
        await system.terminate("settings")
        try system.start("settings")
        try await system.waitUntilReady()
        let again = try String(contentsOf: system.folder.appendingPathComponent("settings.log"), encoding: .utf8)
        #expect(again.components(separatedBy: password).count == 2)
        _ = try await system.signIn("admin", password)
    }

    @Test("a source used by contacts: delete refused with the count, then replaced; move customers with a dry run")
    func referenceInUse() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        let sources = try #require(try await system.http("GET", "/api/v1/settings/sources").1 as? [[String: Any]])
        let web = try #require(sources.first { $0["name"] as? String == "Web site" }?["id"] as? Int)
        let fair = try #require(sources.first { $0["name"] as? String == "Trade fair" }?["id"] as? Int)
        let categories = try #require(try await system.http("GET", "/api/v1/settings/categories?applies_to=contact").1 as? [[String: Any]])
        let gold = try #require(categories.first { $0["name"] as? String == "Gold client" }?["id"] as? Int)
        let vip = try #require(categories.first { $0["name"] as? String == "VIP" }?["id"] as? Int)

        // Contacts learn the reference data from settings' events.
        var ids: [Int] = []
        try await system.eventually("contacts know the default sources") {
            let (status, body) = try await system.http(
                "POST", "/api/v1/contacts", json: ["last_name": "Hansen", "source_id": web, "category_ids": [gold]])
            if status == 201, let id = (body as? [String: Any])?["id"] as? Int { ids.append(id) }
            return status == 201
        }
        for name in ["Berg", "Dahl"] {
            let (status, body) = try await system.http(
                "POST", "/api/v1/contacts", json: ["last_name": name, "source_id": web, "category_ids": [gold, vip]])
            #expect(status == 201)
            ids.append(try #require((body as? [String: Any])?["id"] as? Int))
        }
        let (company, _) = try await system.http(
            "POST", "/api/v1/contacts",
            json: ["last_name": "Wrong", "category_ids": [categories.first { $0["applies_to"] as? String == "company" }?["id"] ?? 0]])
        #expect(company == 422)

        let (usage, usageBody) = try await system.http("GET", "/api/v1/settings/sources/\(web)/usage")
        #expect(usage == 200 && (usageBody as? [String: Any])?["count"] as? Int == 3)
        let (refused, refusal) = try await system.http("DELETE", "/api/v1/settings/sources/\(web)")
        #expect(refused == 409)
        #expect(((refusal as? [String: Any])?["error"] as? [String: Any])?["count"] as? Int == 3)
        let (deleted, deletion) = try await system.http("DELETE", "/api/v1/settings/sources/\(web)?replacement_id=\(fair)")
        #expect(deleted == 200 && (deletion as? [String: Any])?["records_affected"] as? Int == 3)
        for id in ids {
            let contact = try await system.getObject("/api/v1/contacts/\(id)")
            #expect(contact["source_id"] as? Int == fair)
        }
        let history = try await system.getObject("/api/v1/contacts/\(ids[0])/history")
        let summaries = (history["items"] as? [[String: Any]] ?? []).compactMap { $0["summary"] as? String }
        #expect(summaries.contains("Source Web site replaced by Trade fair"), "\(summaries)")
        // The deleted source can no longer be given to a contact.
        try await system.eventually("contacts forget the deleted source") {
            try await system.http("POST", "/api/v1/contacts", json: ["last_name": "Late", "source_id": web]).0 == 409
        }

        // Move customers: every contact from Gold client to VIP, after a dry run.
        let (dry, dryBody) = try await system.http("POST", "/api/v1/settings/categories/\(gold)/move-customers", json: ["to": vip])
        #expect(dry == 200 && (dryBody as? [String: Any])?["count"] as? Int == 3 && (dryBody as? [String: Any])?["moved"] as? Bool == false)
        #expect(try await system.getObject("/api/v1/contacts/\(ids[0])")["category_ids"] as? [Int] == [gold])
        let (moved, movedBody) = try await system.http(
            "POST", "/api/v1/settings/categories/\(gold)/move-customers", json: ["to": vip, "confirm": true])
        #expect(moved == 200 && (movedBody as? [String: Any])?["count"] as? Int == 3)
        for id in ids { #expect(try await system.getObject("/api/v1/contacts/\(id)")["category_ids"] as? [Int] == [vip]) }
        // Gold client is now unused, so it deletes without ceremony; the audit trail has it all.
        let (plain, _) = try await system.http("DELETE", "/api/v1/settings/categories/\(gold)")
        #expect(plain == 200)
        let audit = try await system.getObject("/api/v1/settings/audit?entity=reference&limit=10")
        let actions = (audit["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        #expect(Array(actions.prefix(3)) == ["deleted", "customers_moved", "deleted"], "\(actions)")
    }

    @Test("crm user add, crm user passwd, crm token create and revoke work against the running system")
    func commandLine() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        let added = try await system.run("crm", ["user", "add", "ola", "--name", "Ola Nordmann", "--extension", "201", "--rank", "user"])
        let password = try #require(added.split(separator: "\n").first { $0.hasPrefix("password: ") }?.dropFirst(10))
        let session = try await system.signIn("ola", String(password))
        let (me, body) = try await system.http("GET", "/api/v1/auth/me", token: session)
        #expect(me == 200 && ((body as? [String: Any])?["user"] as? [String: Any])?["extension"] as? String == "201")

        let changed = try await system.run("crm", ["user", "passwd", "ola"])
        let newPassword = try #require(changed.split(separator: "\n").first { $0.hasPrefix("password: ") }?.dropFirst(10))
        // The gateway hears of it from settings' events, before its 10 s cache would expire (the
        // entry was filled by the request just before the change; 8 s leaves a loaded machine room).
        try await system.eventually("the old session ends", timeout: .seconds(8)) {
            try await system.http("GET", "/api/v1/auth/me", token: session).0 == 401
        }
        _ = try await system.signIn("ola", String(newPassword))

        let created = try await system.run("crm", ["token", "create", "--user", "admin", "--name", "PBX", "--scope", "telephony:ingest"])
        let lines = created.split(separator: "\n")
        let token = try #require(lines.last.map(String.init))
        let id = try #require(lines.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) })
        let event: [String: Any] = [
            "event_id": "e1", "call_id": "c1", "type": "ringing", "from": "+4791234567", "at": "2026-01-01T00:00:00Z",
        ]
        #expect(try await system.http("POST", "/api/v1/telephony/events", json: event, token: token).0 == 200)
        #expect(try await system.run("crm", ["token", "list"]).contains("PBX"))
        _ = try await system.run("crm", ["token", "revoke", String(id)])
        try await system.eventually("the revoked token stops working", timeout: .seconds(8)) {
            try await system.http("POST", "/api/v1/telephony/events", json: event, token: token).0 == 401
        }
    }

    @Test("telephony matches a call to the employee whose extension is on it, from settings' users")
    func extensionMatch() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        let (created, body) = try await system.http(
            "POST", "/api/v1/users", json: ["username": "ola", "name": "Ola Nordmann", "extension": "201", "password": "ola-password-1"])
        #expect(created == 201)
        let userId = try #require(((body as? [String: Any])?["user"] as? [String: Any])?["id"] as? Int)
        try await system.eventually("telephony knows extension 201") {
            let id = "call-\(UUID().uuidString)"
            let (_, reply) = try await system.http(
                "POST", "/api/v1/telephony/events",
                json: [
                    "event_id": id, "call_id": id, "type": "ringing", "from": "+4791234567", "extension": "201",
                    "at": "2026-01-01T00:00:00Z",
                ])
            guard let callId = ((reply as? [String: Any])?["call_ids"] as? [Int])?.first else { return false }
            let call = try await system.getObject("/api/v1/calls/\(callId)")
            return call["user_id"] as? Int == userId && call["user"] as? String == "ola"
        }
        let calls = try await system.getObject("/api/v1/calls?user_id=\(userId)")
        #expect(!(calls["items"] as? [[String: Any]] ?? []).isEmpty)
        // A changed extension moves with the user.
        let (patched, _) = try await system.http("PATCH", "/api/v1/users/\(userId)", json: ["extension": "305"])
        #expect(patched == 200)
        try await system.eventually("telephony knows extension 305") {
            let id = "call-\(UUID().uuidString)"
            let (_, reply) = try await system.http(
                "POST", "/api/v1/telephony/events",
                json: [
                    "event_id": id, "call_id": id, "type": "ringing", "from": "+4791234567", "extension": "305",
                    "at": "2026-01-01T00:00:00Z",
                ])
            guard let callId = ((reply as? [String: Any])?["call_ids"] as? [Int])?.first else { return false }
            return try await system.getObject("/api/v1/calls/\(callId)")["user_id"] as? Int == userId
        }
    }
}
