import Foundation
import Testing

/// What happens when processes die: the bus, a service, a child of `crm up`.
@Suite("End to end: failures", .serialized)
struct ResilienceTests {
    @Test("after kill -9 of the bus mid-traffic, services and gateway recover by themselves")
    func busRestart() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()

        // Traffic in flight while the bus dies.
        let traffic = Task {
            var outcomes: [Int] = []
            for index in 0..<60 {
                let result = try? await system.http(
                    "POST", "/api/v1/contacts", json: ["first_name": "Load", "last_name": "\(index)"], timeout: 10)
                outcomes.append(result?.0 ?? 0)
                try? await Task.sleep(for: .milliseconds(25))
            }
            return outcomes
        }
        try await Task.sleep(for: .milliseconds(300))
        system.kill9("bus")
        try await Task.sleep(for: .milliseconds(500))
        try system.start("bus")
        let outcomes = await traffic.value
        // Every request got an answer: success, or a clear 503/504 while the bus was away.
        #expect(outcomes.allSatisfy { [201, 503, 504].contains($0) }, "\(outcomes)")

        try await system.waitUntilReady(timeout: .seconds(20))
        for index in 0..<20 {
            let (status, _) = try await system.http("POST", "/api/v1/contacts", json: ["first_name": "After", "last_name": "\(index)"])
            #expect(status == 201)
        }
        let list = try await system.getObject("/api/v1/contacts?q=After&limit=50")
        #expect((list["items"] as? [[String: Any]])?.count == 20)
    }

    @Test("a request to a service that is down fails with a clear error within its deadline")
    func serviceDown() async throws {
        let system = try SystemUnderTest()
        system.extraEnvironment["CRM_REQUEST_TIMEOUT_MS"] = "3000"
        defer { system.shutdown() }
        try await system.startAll()
        system.kill9("telephony")
        let started = ContinuousClock.now
        let (status, body) = try await system.http("GET", "/api/v1/calls")
        let elapsed = ContinuousClock.now - started
        #expect([503, 504].contains(status))
        let error = (body as? [String: Any])?["error"] as? [String: Any]
        #expect(["unavailable", "timeout"].contains(error?["code"] as? String ?? ""))
        #expect((error?["message"] as? String)?.contains("telephony") == true, "\(String(describing: error))")
        #expect(elapsed < .seconds(5), "took \(elapsed)")
        // Once the broker has noticed, it answers "unavailable" itself (503) instead of waiting (504).
        try await system.eventually("the broker knows telephony is gone") {
            let (status, body) = try await system.http("GET", "/api/v1/calls")
            return status == 503 && ((body as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "unavailable"
        }
        // The rest of the system is unaffected.
        let (contactStatus, _) = try await system.http("POST", "/api/v1/contacts", json: ["last_name": "Still works"])
        #expect(contactStatus == 201)
    }

    @Test("crm up runs the plan, scales by the instance count, restarts a killed child and stops everything")
    func crmUp() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        let plan = """
            environment:
              CRM_HEARTBEAT_MS: "250"
            processes:
              - name: bus
              - name: settings
              - name: contacts
              - name: telephony
                instances: 2
              - name: gateway
            """
        let planPath = system.folder.appendingPathComponent("plan.yaml").path
        try plan.write(toFile: planPath, atomically: true, encoding: .utf8)
        try system.start("crm", arguments: ["up", "--file", planPath, "--grace", "5"])
        try await system.waitUntileReadyOrThrow()

        func telephonyWorkers() async throws -> Int {
            let output = try system.run("crm", ["status", "--file", planPath])
            let line = output.split(separator: "\n").first { $0.contains("telephony") && $0.contains("workers=") } ?? ""
            return Int(line.split(separator: " ").first { $0.hasPrefix("workers=") }?.dropFirst(8) ?? "") ?? 0
        }
        try await system.eventually("two telephony workers") { try await telephonyWorkers() == 2 }
        let listing = try system.run("crm", ["status", "--file", planPath])
        #expect(listing.contains("telephony.1") && listing.contains("telephony.2"), "\(listing)")

        let status = try system.run("crm", ["status", "--file", planPath])
        let pidText = status.split(separator: "\n").first { $0.hasPrefix("telephony") }?
            .split(separator: " ").first { $0.hasPrefix("pid=") }?.dropFirst(4)
        let pid = try #require(pidText.flatMap { Int32($0) })
        kill(pid, SIGKILL)
        try await system.eventually("the killed telephony instance is replaced") {
            let children = try system.childPids(of: "crm")
            return children.count == 6 && !children.contains(pid)
        }
        try await system.eventually("the new instance registers with the bus") { try await telephonyWorkers() == 2 }
        let (readyStatus, _) = try await system.http("GET", "/readyz")
        #expect(readyStatus == 200)

        let children = try system.childPids(of: "crm")
        #expect(children.count == 6)
        system.terminate("crm", grace: 20)
        for child in children { #expect(kill(child, 0) != 0, "child \(child) still running") }
    }
}

extension SystemUnderTest {
    /// Runs a short command to completion and returns its standard output.
    func run(_ name: String, _ arguments: [String], without removed: [String] = []) throws -> String {
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
        return String(decoding: data, as: UTF8.self)
    }

    func waitUntileReadyOrThrow() async throws { try await waitUntilReady(timeout: .seconds(40)) }

    /// Direct children of a process this instance started (from /proc).
    func childPids(of label: String) throws -> [Int32] {
        guard let parent = processes[label]?.processIdentifier else { return [] }
        let entries = try FileManager.default.contentsOfDirectory(atPath: "/proc")
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }
    }
}

/// The bus between machines: CURVE encryption with a ZAP allow-list, across every process.
@Suite("End to end: encrypted bus")
struct EncryptedBusTests {
    @Test("with CURVE and an allow-list the whole flow still works")
    func curveEverywhere() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        let keys = try system.run("crm", ["keys"])
        let serverKeys = try system.run("crm", ["keys"])
        func value(_ text: String, _ name: String) -> String {
            String(text.split(separator: "\n").first { $0.hasPrefix(name + "=") }?.dropFirst(name.count + 1) ?? "")
        }
        system.extraEnvironment = [
            "CRM_BUS_CURVE_SECRET": value(serverKeys, "secret"),
            "CRM_BUS_CURVE_SERVER_KEY": value(serverKeys, "public"),
            "CRM_CURVE_PUBLIC_KEY": value(keys, "public"),
            "CRM_CURVE_SECRET_KEY": value(keys, "secret"),
            "CRM_BUS_CURVE_ALLOWED_KEYS": value(keys, "public"),
        ]
        #expect(value(keys, "public").count == 40)
        try await system.startAll()
        let (status, body) = try await system.http(
            "POST", "/api/v1/contacts",
            json: [
                "last_name": "Encrypted", "phones": [["number": "+47 48 00 00 01"]],
            ])
        #expect(status == 201)
        let contactId = try #require((body as? [String: Any])?["id"] as? Int)
        // Events cross the encrypted forwarder: telephony learns the number and matches a call.
        try await system.eventually("a call matches the contact over the encrypted bus") {
            _ = try await system.http(
                "POST", "/api/v1/telephony/events",
                json: [
                    "event_id": UUID().uuidString, "call_id": "enc", "type": "completed", "direction": "inbound",
                    "from": "+4748000001", "at": "2026-05-01T10:00:00Z", "billsec": 5, "duration": 9,
                ])
            let calls = try await system.getObject("/api/v1/calls?contact=\(contactId)")
            return !(calls["items"] as? [[String: Any]] ?? []).isEmpty
        }
        let busLog = try String(contentsOf: system.folder.appendingPathComponent("bus.log"), encoding: .utf8)
        #expect(!busLog.contains("refused a CURVE client"))
        // With the keys, crm status gets answers; without them it does not get in.
        #expect(try system.run("crm", ["status", "--timeout", "1"]).contains("contacts     ok"))
        let plain = try system.run("crm", ["status", "--timeout", "1"], without: ["CRM_BUS_CURVE_SERVER_KEY"])
        #expect(plain.contains("unreachable"))
        let stranger = try system.run("crm", ["status", "--timeout", "1"], without: ["CRM_CURVE_PUBLIC_KEY", "CRM_CURVE_SECRET_KEY"])
        #expect(stranger.contains("unreachable"))
    }
}
