import ArgumentParser
import Foundation
import ServiceKit
import Synchronization
import TestKit

/// `crm-bench soak`: the whole system (the build's processes, identities on, SMS through the
/// simulator in scripts/) under a mixed load for a chosen time: searches, new contacts, call
/// events, deals, tasks, and an SMS batch every half minute. Every `--report-every` seconds it
/// prints the requests, their rate, the errors and each process's resident memory; at the end
/// the totals, memory idle before and after (resident, own and share: PSS), and the growth
/// after warm-up. Any failed request, a batch that does not finish or a process that dies makes
/// it exit 1.
struct SoakBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak", abstract: "Mixed load on the whole system for a while; throughput, errors and memory every minute.")

    @Option(help: "How long the load runs, in seconds.") var seconds = 600
    @Option(help: "Seconds between reports.") var reportEvery = 60
    @Option(help: "Load connections (a thread each).") var connections = 4
    @Option(help: "Folder of the executables.") var bin = ".build/release"
    @Option(help: "The SMS provider simulator.") var simulator = "scripts/sms-simulator.py"
    @Option(help: "Seconds between SMS batches.") var batchEvery = 30
    @Option(help: "SQLite's memory per process, in MB (CRM_SQLITE_MEMORY_MB; default: each connection's cache limit).")
    var sqliteMemoryMb: Int?

    func run() throws {
        let system = try BenchSystem(bin: bin)
        let simulatorProcess = try SMSSimulator.start(script: simulator, folder: system.folder, gateway: system.baseURL)
        defer {
            system.shutdown()
            // It keeps nothing; and SIGTERM may be ignored (a disposition inherited from whoever started us).
            kill(simulatorProcess.process.processIdentifier, SIGKILL)
            simulatorProcess.process.waitUntilExit()
        }
        system.extraEnvironment = [
            "CRM_SMS_PROVIDER": "twilio", "CRM_TWILIO_API_URL": simulatorProcess.url, "CRM_TWILIO_ACCOUNT_SID": "ACsimulator",
            "CRM_TWILIO_AUTH_TOKEN": "simulator-token", "CRM_SMS_FROM": "+4740000000", "CRM_SMS_QUIET_HOURS": "00:00-24:00",
            "CRM_SMS_RATE": "50", "CRM_PUBLIC_URL": system.baseURL,
        ]
        if let sqliteMemoryMb { system.extraEnvironment["CRM_SQLITE_MEMORY_MB"] = String(sqliteMemoryMb) }
        // Each process's /metrics on a port of its own, for the memory SQLite's caches hold.
        var metricsPorts: [String: Int] = [:]
        for (name, port) in zip(SystemProcesses.executables, try FreePorts.take(SystemProcesses.executables.count)) {
            system.extraEnvironment["CRM_METRICS_ADDRESS"] = "127.0.0.1:\(port)"
            metricsPorts[name] = port
            try system.start(name)
        }
        try system.waitUntilReady()
        let admin = try system.signedInProbe()
        let token = admin.token ?? ""
        let pool = try SoakPool.make(admin)
        say("crm-bench soak: \(seconds) s, \(connections) connections, \(pool.contacts.count) customers known everywhere, bin \(bin)")
        sleep(3)
        let labels = system.processes.keys.sorted { SoakMemory.order($0) < SoakMemory.order($1) }
        let idleBefore = SoakMemory.sample(system, labels)
        let ownBefore = SoakMemory.sample(system, labels, field: "RssAnon:")
        let shareBefore = SoakMemory.sample(system, labels, field: "Pss:", file: "smaps_rollup")
        say("idle RSS MB before: " + SoakMemory.line(idleBefore, labels))
        say("idle own (anonymous) MB before: " + SoakMemory.line(ownBefore, labels))
        say("idle share (PSS) MB before: " + SoakMemory.line(shareBefore, labels))

        let tally = SoakTally()
        let deadline = Date().addingTimeInterval(TimeInterval(seconds))
        let group = DispatchGroup()
        for slot in 0..<max(1, connections) {
            group.enter()
            Thread { [httpPort = system.httpPort] in
                defer { group.leave() }
                SoakLoad(slot: slot, port: httpPort, token: token, pool: pool, tally: tally).run(until: deadline)
            }.start()
        }
        group.enter()
        Thread { [httpPort = system.httpPort, batchEvery] in
            defer { group.leave() }
            SoakLoad(slot: 9, port: httpPort, token: token, pool: pool, tally: tally).batches(until: deadline, every: batchEvery)
        }.start()

        var reports: [[String: Double]] = [], cacheReports: [[String: Double]] = []
        var heapReports: [[String: Double]] = [], heapFreeReports: [[String: Double]] = []
        let started = Date()
        var last = (requests: 0, at: started)
        while Date() < deadline {
            Thread.sleep(until: min(deadline, last.at.addingTimeInterval(TimeInterval(reportEvery))))
            let now = Date(), requests = tally.requests
            let rate = Double(requests - last.requests) / max(0.001, now.timeIntervalSince(last.at))
            let memory = SoakMemory.sample(system, labels)
            let caches = SoakMemory.metric("crm_sqlite_memory_bytes", metricsPorts, labels)
            let heap = SoakMemory.metric("crm_heap_in_use_bytes", metricsPorts, labels)
            let heapFree = SoakMemory.metric("crm_heap_free_bytes", metricsPorts, labels)
            reports.append(memory)
            cacheReports.append(caches)
            heapReports.append(heap)
            heapFreeReports.append(heapFree)
            say(
                String(
                    format: "%4.0f s: %d requests (%.0f/s), %d errors; RSS MB ", now.timeIntervalSince(started), requests, rate,
                    tally.errors)
                    + SoakMemory.line(memory, labels))
            say("        of which SQLite's caches MB " + SoakMemory.line(caches, labels))
            say("        heap in use (SQLite's included) MB " + SoakMemory.line(heap, labels))
            say("        heap freed, kept by malloc MB " + SoakMemory.line(heapFree, labels))
            last = (requests, now)
        }
        group.wait()
        let batches = SoakLoad(slot: 8, port: system.httpPort, token: token, pool: pool, tally: tally).waitForBatches(seconds: 120)
        sleep(10)
        let idleAfter = SoakMemory.sample(system, labels)
        let ownAfter = SoakMemory.sample(system, labels, field: "RssAnon:")
        let shareAfter = SoakMemory.sample(system, labels, field: "Pss:", file: "smaps_rollup")
        let dead = labels.filter { !(system.processes[$0]?.isRunning ?? false) }
        let elapsed = Date().timeIntervalSince(started)
        say("idle RSS MB after:  " + SoakMemory.line(idleAfter, labels))
        say("idle own (anonymous) MB after: " + SoakMemory.line(ownAfter, labels))
        say("idle share (PSS) MB after: " + SoakMemory.line(shareAfter, labels))
        if reports.count >= 2 {
            let growth = labels.map { label in
                String(format: "%@ %.2fx", label, (reports.last?[label] ?? 0) / max(0.1, reports.first?[label] ?? 0))
            }
            say("RSS last report / first report: " + growth.joined(separator: ", "))
            let rest = labels.map { label in
                let first = (reports.first?[label] ?? 0) - (cacheReports.first?[label] ?? 0)
                let last = (reports.last?[label] ?? 0) - (cacheReports.last?[label] ?? 0)
                return String(format: "%@ %.1f -> %.1f", label, first, last)
            }
            say("RSS without SQLite's caches MB, first report -> last: " + rest.joined(separator: ", "))
            let held = labels.map { label in
                let first = (heapReports.first?[label] ?? 0) - (cacheReports.first?[label] ?? 0)
                let last = (heapReports.last?[label] ?? 0) - (cacheReports.last?[label] ?? 0)
                return String(format: "%@ %.1f -> %.1f", label, first, last)
            }
            say("heap in use without SQLite's MB, first report -> last: " + held.joined(separator: ", "))
        }
        say("by kind: " + tally.kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        say(
            String(
                format: "total: %d requests in %.0f s (%.0f/s), %d errors, %d SMS batches (%d messages sent), processes down: %@",
                tally.requests, elapsed, Double(tally.requests) / max(1, elapsed), tally.errors, batches.count, batches.sent,
                dead.isEmpty ? "none" : dead.joined(separator: ",")))
        for error in tally.firstErrors { say("error: \(error)") }
        let summary: [String: Any] = [
            "requests": tally.requests, "errors": tally.errors, "batches": batches.count, "batches_unfinished": batches.unfinished,
            "sms_sent": batches.sent, "dead": dead, "idle_rss_mb_before": idleBefore, "idle_rss_mb_after": idleAfter,
            "idle_own_mb_before": ownBefore, "idle_own_mb_after": ownAfter, "idle_pss_mb_before": shareBefore,
            "idle_pss_mb_after": shareAfter,
            "reports": reports, "sqlite_cache_reports": cacheReports, "heap_in_use_reports": heapReports,
            "heap_free_reports": heapFreeReports,
        ]
        if let json = try? JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]) {
            say(String(decoding: json, as: UTF8.self))
        }
        if tally.errors > 0 || !dead.isEmpty || batches.unfinished > 0 { throw ExitCode(1) }
    }
}

/// The SMS provider simulator (Python, standard library only), on a free port.
enum SMSSimulator {
    static func start(script: String, folder: URL, gateway: String) throws -> (process: Process, url: String) {
        guard FileManager.default.fileExists(atPath: script) else { throw BenchError("\(script) is missing: run from the package folder") }
        let portFile = folder.appendingPathComponent("simulator.port").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--port-file", portFile, "--receipts", gateway, "--latency-ms", "2..10"]
        let log = folder.appendingPathComponent("simulator.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return (process, "http://127.0.0.1:\(port)")
            }
            usleep(50_000)
        }
        process.terminate()
        throw BenchError("the SMS simulator did not start (see \(log.path))")
    }
}

/// Customers every service knows before the load starts (deals need sales to know them).
struct SoakPool: Sendable {
    let contacts: [(id: Int, number: String)]
    /// Deals are made for companies (a contact's deal is for a consumer only).
    let companies: [Int]

    static func make(_ probe: HTTPProbe, count: Int = 20) throws -> SoakPool {
        var contacts: [(Int, String)] = []
        for index in 0..<count {
            let number = String(format: "+479%07d", 1_000_000 + index)
            let body = try JSONSerialization.data(withJSONObject: [
                "first_name": "Soak", "last_name": "Customer \(index)", "phones": [["number": number, "kind": "mobile"]],
            ])
            let (status, reply) = try probe.request("POST", "/api/v1/contacts", body: body)
            guard status == 201, let id = (try JSONSerialization.jsonObject(with: reply) as? [String: Any])?["id"] as? Int else {
                throw BenchError("making a customer answered \(status)")
            }
            contacts.append((id, number))
        }
        var companies: [Int] = []
        for index in 0..<5 {
            let body = try JSONSerialization.data(withJSONObject: ["name": "Soak Company \(index) AS"])
            let (status, reply) = try probe.request("POST", "/api/v1/companies", body: body)
            guard status == 201, let id = (try JSONSerialization.jsonObject(with: reply) as? [String: Any])?["id"] as? Int else {
                throw BenchError("making a company answered \(status)")
            }
            companies.append(id)
        }
        // Sales and notifications follow contacts' events: wait until the last ones are there.
        let last = contacts[contacts.count - 1].0
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let body = try JSONSerialization.data(withJSONObject: [
                "name": "probe", "text": "x", "contact_ids": [last], "purpose": "service",
            ])
            let (status, reply) = try probe.request("POST", "/api/v1/sms/batches/dry-run", body: body)
            let excluded = (try? JSONSerialization.jsonObject(with: reply) as? [String: Any])?["excluded"] as? [String: Int]
            // A first deal, once: 404 until sales has heard of the customer.
            let deal = try JSONSerialization.data(withJSONObject: [
                "customer_kind": "company", "customer_id": companies[companies.count - 1], "subject": "Soak opening", "value": 100_000,
                "currency": "NOK",
            ])
            probe.headers = ["Idempotency-Key": "soak-pool-deal"]
            let (known, _) = try probe.request("POST", "/api/v1/deals", body: deal)
            probe.headers = [:]
            if status == 200, excluded?["unknown_customer"] == nil, known == 201 {
                return SoakPool(contacts: contacts, companies: companies)
            }
            usleep(200_000)
        }
        throw BenchError("the services did not learn of the customers within 30 s")
    }
}

/// Requests counted by kind, errors, and the first few errors for the report.
final class SoakTally: Sendable {
    private let state = Mutex<(requests: Int, errors: Int, kinds: [String: Int], first: [String])>((0, 0, [:], []))

    func record(_ kind: String, ok: Bool, detail: @autoclosure () -> String) {
        state.withLock { state in
            state.requests += 1
            state.kinds[kind, default: 0] += 1
            if !ok {
                state.errors += 1
                if state.first.count < 10 { state.first.append("\(kind): \(detail())") }
            }
        }
    }

    var requests: Int { state.withLock { $0.requests } }
    var errors: Int { state.withLock { $0.errors } }
    var kinds: [String: Int] { state.withLock { $0.kinds } }
    var firstErrors: [String] { state.withLock { $0.first } }
}

/// One load connection: the mix, in turn, until the deadline.
struct SoakLoad {
    let slot: Int
    let port: Int
    let token: String
    let pool: SoakPool
    let tally: SoakTally
    private static let batchIds = Mutex<[Int]>([])

    private func connect() -> HTTPProbe? {
        guard let probe = try? HTTPProbe(port: port) else { return nil }
        probe.token = token
        return probe
    }

    /// Sends one request and counts it: an answer other than `expected`, or none, is an error.
    @discardableResult
    private func send(
        _ probe: inout HTTPProbe?, _ kind: String, _ method: String, _ path: String, _ body: [String: Any]? = nil, expected: Int,
        key: String? = nil
    ) -> [String: Any]? {
        if probe == nil { probe = connect() }
        guard let connection = probe else {
            tally.record(kind, ok: false, detail: "cannot connect")
            return nil
        }
        connection.headers = key.map { ["Idempotency-Key": $0] } ?? [:]
        do {
            let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
            let (status, reply) = try connection.request(method, path, body: data)
            let ok = status == expected
            tally.record(
                kind, ok: ok, detail: "\(method) \(path) answered \(status): \(String(decoding: reply.prefix(200), as: UTF8.self))")
            return ok ? (try? JSONSerialization.jsonObject(with: reply)) as? [String: Any] : nil
        } catch {
            probe = nil
            tally.record(kind, ok: false, detail: "\(method) \(path): \(error)")
            return nil
        }
    }

    func run(until deadline: Date) {
        var probe = connect()
        var n = 0
        while Date() < deadline {
            n += 1
            let tag = "\(slot)-\(n)"
            let customer = pool.contacts[n % pool.contacts.count]
            send(&probe, "search", "GET", "/api/v1/contacts?q=Soak&limit=20", expected: 200)
            let number = String(format: "+474%d%06d", slot % 10, n % 1_000_000)
            if let made = send(
                &probe, "contact", "POST", "/api/v1/contacts",
                ["first_name": "Soak", "last_name": "Person \(tag)", "phones": [["number": number, "kind": "mobile"]]], expected: 201,
                key: "soak-contact-\(tag)"), let id = made["id"] as? Int
            {
                send(&probe, "get", "GET", "/api/v1/contacts/\(id)", expected: 200)
            }
            send(&probe, "search", "GET", "/api/v1/contacts?q=\(number.suffix(6))&limit=5", expected: 200)
            for (index, type) in ["ringing", "answered", "completed"].enumerated() {
                send(
                    &probe, "call event", "POST", "/api/v1/telephony/events",
                    [
                        "event_id": "soak-\(tag)-\(index)", "call_id": "soak-call-\(tag)", "type": type, "direction": "inbound",
                        "from": customer.number, "to": "+4722934770", "at": ISO8601DateFormatter().string(from: Date()),
                        "duration": 30, "billsec": 20,
                    ], expected: 200)
            }
            send(&probe, "calls", "GET", "/api/v1/contacts/\(customer.id)/calls?limit=10", expected: 200)
            if n % 3 == 0 {
                send(
                    &probe, "deal", "POST", "/api/v1/deals",
                    [
                        "customer_kind": "company", "customer_id": pool.companies[n % pool.companies.count], "subject": "Soak deal \(tag)",
                        "value": 150_000,
                        "currency": "NOK", "expected_close": "2026-12-31",
                    ], expected: 201, key: "soak-deal-\(tag)")
                send(&probe, "board", "GET", "/api/v1/deals?limit=20", expected: 200)
            }
            if n % 2 == 0 {
                send(
                    &probe, "task", "POST", "/api/v1/tasks", ["title": "Call back \(tag)", "contact_ids": [customer.id]], expected: 201,
                    key: "soak-task-\(tag)")
                send(&probe, "tasks", "GET", "/api/v1/tasks?limit=20", expected: 200)
            }
            send(&probe, "history", "GET", "/api/v1/contacts/\(customer.id)/history?limit=20", expected: 200)
        }
    }

    /// An SMS batch to the customers every `every` seconds, made and started.
    func batches(until deadline: Date, every: Int) {
        var probe = connect()
        var n = 0
        while Date() < deadline {
            n += 1
            let ids = pool.contacts.map(\.id)
            if let batch = send(
                &probe, "sms batch", "POST", "/api/v1/sms/batches",
                ["name": "Soak \(n)", "text": "Hei {{first_name}}, dette er melding \(n).", "contact_ids": ids, "purpose": "service"],
                expected: 201, key: "soak-batch-\(n)"), let id = batch["id"] as? Int
            {
                send(&probe, "sms batch", "POST", "/api/v1/sms/batches/\(id)/start", expected: 200)
                Self.batchIds.withLock { $0.append(id) }
            }
            let next = Date().addingTimeInterval(TimeInterval(max(1, every)))
            while Date() < min(next, deadline) { usleep(200_000) }
        }
    }

    /// Waits until every batch made is done; answers how many, how many did not finish, and
    /// the messages sent or delivered.
    func waitForBatches(seconds: Double) -> (count: Int, unfinished: Int, sent: Int) {
        let ids = Self.batchIds.withLock { $0 }
        let deadline = Date().addingTimeInterval(seconds)
        var probe = connect()
        var unfinished = ids.count, sent = 0
        repeat {
            unfinished = 0
            sent = 0
            for id in ids {
                if probe == nil { probe = connect() }
                guard let (status, reply) = try? probe?.request("GET", "/api/v1/sms/batches/\(id)"), status == 200,
                    let batch = (try? JSONSerialization.jsonObject(with: reply)) as? [String: Any]
                else {
                    probe = nil
                    unfinished += 1
                    continue
                }
                let counts = batch["counts"] as? [String: Int] ?? [:]
                sent += (counts["sent"] ?? 0) + (counts["delivered"] ?? 0)
                if batch["state"] as? String != "done" { unfinished += 1 }
            }
            if unfinished == 0 { break }
            usleep(500_000)
        } while Date() < deadline
        return (ids.count, unfinished, sent)
    }
}

/// Resident memory of the system's processes, from /proc.
enum SoakMemory {
    static func order(_ label: String) -> Int { SystemProcesses.executables.firstIndex(of: label) ?? 99 }

    /// Megabytes per process label: resident (`VmRSS`, which counts the shared libraries' pages
    /// in every process), with `field: "RssAnon:"` the process's own memory, or with
    /// `field: "Pss:", file: "smaps_rollup"` its share: own pages plus each shared page divided
    /// by the number of processes that map it (ADR 017).
    static func sample(_ system: BenchSystem, _ labels: [String], field: String = "VmRSS:", file: String = "status") -> [String: Double] {
        var result: [String: Double] = [:]
        for label in labels {
            guard let pid = system.processes[label]?.processIdentifier,
                let kilobytes = ProcessMetrics.kilobytes(of: field, in: "/proc/\(pid)/\(file)")
            else { continue }
            result[label] = (kilobytes / 1024 * 10).rounded() / 10
        }
        return result
    }

    /// A byte gauge of each process's /metrics (`crm_sqlite_memory_bytes`, `crm_heap_in_use_bytes`),
    /// in megabytes.
    static func metric(_ name: String, _ ports: [String: Int], _ labels: [String]) -> [String: Double] {
        var result: [String: Double] = [:]
        for label in labels {
            guard let port = ports[label], let probe = try? HTTPProbe(port: port),
                let (status, body) = try? probe.request("GET", "/metrics"), status == 200
            else { continue }
            let text = String(decoding: body, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + " ") }),
                let bytes = Double(line.split(separator: " ").last ?? "")
            {
                result[label] = (bytes / 1_048_576 * 10).rounded() / 10
            }
        }
        return result
    }

    static func line(_ memory: [String: Double], _ labels: [String]) -> String {
        labels.map { String(format: "%@ %.1f", $0, memory[$0] ?? 0) }.joined(separator: ", ")
    }
}
