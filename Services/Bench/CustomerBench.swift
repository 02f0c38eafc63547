import ArgumentParser
import Foundation
import GRDB

/// `crm-bench customers`: the customer database at scale. Seeds contacts and companies into a
/// real contacts service's database, then times substring search, list pages and counts
/// through HTTP (gateway -> bus -> contacts) against a plain `LIKE '%q%'` scan of the same
/// table, run on the same file in the same run.
struct CustomerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers", abstract: "Search, list and count at a million contacts, against a LIKE scan.")

    @Option(help: "Contacts to seed.") var contacts = 1_000_000
    @Option(help: "Companies to seed.") var companies = 200_000
    /// A p99 of 200 samples is their second-largest, one stall of the VM; of 1,000, the tenth.
    @Option(help: "Requests per kind of query.") var requests = 1_000
    @Option(help: "LIKE scans per kind of query (each can take a second).") var scans = 10
    @Option(help: "Folder of the release executables.") var bin = ".build/release"
    @Option(help: "Rows of the CSV import timed through HTTP.") var importRows = 100_000
    @Option(help: "A folder to keep the seeded database in and reuse on the next run with the same sizes (seeding takes minutes).")
    var seeded: String?
    @Option(help: "Only one part: search (queries, lists, counts), import, or ui (the web UI's pages).") var only: String?
    @Option(help: "A Python with Playwright, to measure Largest Contentful Paint in Debian's chromium (ui part).")
    var python = "python3"

    func run() async throws {
        let system = try BenchSystem(bin: bin)
        defer { system.shutdown() }
        try system.startProcesses()
        try system.waitUntilReady()
        await system.terminate("contacts", grace: 15)  // its database now has the schema; fill it directly

        let copy = seeded.map { URL(fileURLWithPath: $0).appendingPathComponent("contacts-\(contacts)-\(companies).sqlite") }
        var seeder: Seeder
        if let copy, FileManager.default.fileExists(atPath: copy.path) {
            say("crm-bench customers: the database seeded earlier with \(contacts) contacts and \(companies) companies (\(copy.path))")
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: system.contactsDatabase + suffix) }
            try FileManager.default.copyItem(atPath: copy.path, toPath: system.contactsDatabase)
            seeder = try Seeder(path: system.contactsDatabase)
            try seeder.loadSamples()
        } else {
            seeder = try Seeder(path: system.contactsDatabase)
            say("crm-bench customers: seeding \(contacts) contacts and \(companies) companies")
            let took = try seeder.seed(contacts: contacts, companies: companies)
            say(
                String(
                    format: "seeded in %.1f s (%.0f rows/s, straight into SQLite, not the import path)", took,
                    Double(contacts + companies) / took))
            if let copy {
                try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: system.contactsDatabase, toPath: copy.path)
            }
        }

        try system.start("contacts")
        try system.waitUntilReady()
        let probe = try system.signedInProbe()
        let scanner = try DatabaseQueue(
            path: system.contactsDatabase,
            configuration: {
                var c = Configuration(); c.readonly = true; return c
            }())

        // The service merges search index segments that piled up (seeding, an import's batches)
        // at start; searches are timed on the index it keeps, not on the one it is rewriting.
        say(String(format: "search index segments merged by the service %.1f s after its start", try Self.waitUntilMerged(scanner)))

        if only == nil || only == "search" { try searches(probe: probe, scanner: scanner, samples: seeder.samples) }
        if only == nil || only == "ui" { try webUI(probe: probe, system: system, samples: seeder.samples) }
        if only == nil || only == "import" { try importCSV(probe: probe, scanner: scanner) }
        say("")
        say("times in ms; HTTP = one kept-alive connection, sequential requests, through gateway, bus and contacts;")
        say("LIKE = the same page query as a plain LIKE '%q%' scan on the same file, in process (no HTTP); ratio = LIKE p50 / HTTP p50")
    }

    func searches(probe: HTTPProbe, scanner: DatabaseQueue, samples: Seeder.Samples) throws {
        let kinds: [(String, [String])] = [
            ("common 3 letters (sen, han, ber)", ["sen", "han", "ber", "and", "ers"]),
            ("part of a surname (ansen, olsen)", ["ansen", "olsen", "ksen", "berg", "lund"]),
            ("one person's e-mail", samples.emails),
            ("one person's phone, typed with spaces", samples.phones),
            ("rare surname", samples.rareNames),
            ("accents left out (sorensen, jorgensen)", ["sorensen", "jorgensen", "bjorn hansen", "Jorgen"]),
            ("rare surname, accents left out", Self.foldedNames(samples.rareNames)),
        ]
        say("")
        say("query".padding(toLength: 40, withPad: " ", startingAt: 0) + "   HTTP p50   HTTP p99   LIKE p50   LIKE p99   ratio p50")
        for (name, queries) in kinds {
            let http = try time(requests) { index in
                let q = queries[index % queries.count].addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let (status, _) = try probe.request("GET", "/api/v1/contacts?q=\(q)&limit=50")
                guard status == 200 else { throw BenchError("search answered \(status)") }
            }
            let scan = try time(scans) { index in try scanner.read { db in _ = try Self.likeScan(db, queries[index % queries.count]) } }
            say(row(name, http, scan))
        }

        let firstPage = try time(requests) { _ in _ = try probe.request("GET", "/api/v1/contacts?limit=50") }
        var cursor: String?
        for _ in 0..<200 {
            let (_, body) = try probe.request("GET", "/api/v1/contacts?limit=50" + (cursor.map { "&cursor=\($0)" } ?? ""))
            cursor = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["next_cursor"] as? String
        }
        let deep = cursor!
        let deepPage = try time(requests) { _ in _ = try probe.request("GET", "/api/v1/contacts?limit=50&cursor=\(deep)") }
        let scanPage = try time(scans) { _ in
            try scanner.read { db in
                _ = try Row.fetchAll(db, sql: "SELECT id FROM contact WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 50 OFFSET 10000")
            }
        }
        say(row("list page 1 (newest first)", firstPage, nil))
        say(row("list page 201 (cursor) vs OFFSET 10000", deepPage, scanPage))
        let byName = try time(requests) { _ in _ = try probe.request("GET", "/api/v1/contacts?limit=50&sort=name") }
        say(row("list page 1 by name", byName, nil))

        let countAll = try time(requests) { _ in _ = try probe.request("GET", "/api/v1/contacts?limit=1&count=true") }
        let countCommon = try time(requests) { _ in _ = try probe.request("GET", "/api/v1/contacts?q=sen&limit=1&count=true") }
        let countScan = try time(scans) { _ in
            try scanner.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contact WHERE (first_name || ' ' || last_name) LIKE '%sen%'")
            }
        }
        say(row("count, all (capped at 10,000)", countAll, nil))
        say(row("count, q=sen (capped) vs COUNT LIKE", countCommon, countScan))
        let companySearch = try time(requests) { index in
            let q = ["tech", "AS", "ber", "456 7"][index % 4].addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            _ = try probe.request("GET", "/api/v1/companies?q=\(q)&limit=50")
        }
        say(row("companies: name part or org number", companySearch, nil))
    }

    /// The rare surnames that have letters to fold, typed without them (`Røsæ` as `rosae`).
    static func foldedNames(_ names: [String]) -> [String] {
        let folded = names.filter(TextFold.differs).map(TextFold.plain)
        return folded.isEmpty ? ["kavorle"] : folded
    }

    /// The web UI's pages at this size, each against the JSON API call that brings the same data
    /// (the baseline: what the page adds is rendering and the extra calls of a card), then
    /// Largest Contentful Paint in headless chromium (scripts/ui-lcp.py).
    func webUI(probe: HTTPProbe, system: BenchSystem, samples: Seeder.Samples) throws {
        let (_, listed) = try probe.request("GET", "/api/v1/contacts?limit=50")
        let ids = ((try JSONSerialization.jsonObject(with: listed) as? [String: Any])?["items"] as? [[String: Any]] ?? [])
            .compactMap { $0["id"] as? Int }
        guard !ids.isEmpty else { throw BenchError("no contacts to open") }
        let terms = ["sen", "ansen", "berg"] + samples.rareNames.prefix(3)
        let (_, companyList) = try probe.request("GET", "/api/v1/companies?limit=50")
        let companies = ((try JSONSerialization.jsonObject(with: companyList) as? [String: Any])?["items"] as? [[String: Any]] ?? [])
            .compactMap { $0["id"] as? Int }
        let (_, cityList) = try probe.request("GET", "/api/v1/contacts/cities")
        let cities = (try JSONSerialization.jsonObject(with: cityList) as? [String]) ?? []
        guard !companies.isEmpty, !cities.isEmpty else { throw BenchError("no companies or cities to open") }
        let pages: [(String, (Int) -> String, (Int) -> String)] = [
            ("contact list, page 1", { _ in "/contacts" }, { _ in "/api/v1/contacts?limit=50&count=true" }),
            (
                "search page (q=...)", { "/contacts?q=" + Self.escape(terms[$0 % terms.count]) },
                { "/api/v1/contacts?limit=50&count=true&q=" + Self.escape(terms[$0 % terms.count]) }
            ),
            (
                "search as you type (results only)", { "/contacts?fragment=results&q=" + Self.escape(terms[$0 % terms.count]) },
                { "/api/v1/contacts?limit=50&count=true&q=" + Self.escape(terms[$0 % terms.count]) }
            ),
            ("contact card (info, notes, history)", { "/contacts/\(ids[$0 % ids.count])" }, { "/api/v1/contacts/\(ids[$0 % ids.count])" }),
            (
                "history filtered on the card", { "/contacts/\(ids[$0 % ids.count])?kind=created" },
                { "/api/v1/contacts/\(ids[$0 % ids.count])/history?kind=created" }
            ),
            (
                "contact list filtered by city (drop-down)", { "/contacts?f_city=" + Self.escape(cities[$0 % cities.count]) },
                { "/api/v1/contacts?limit=50&count=true&city=" + Self.escape(cities[$0 % cities.count]) }
            ),
            ("the cities of a million contacts", { _ in "/api/v1/contacts/cities" }, { _ in "/api/v1/contacts?limit=1" }),
            ("company list, page 1", { _ in "/companies" }, { _ in "/api/v1/companies?limit=50&count=true" }),
            (
                "company card (every tab)", { "/companies/\(companies[$0 % companies.count])" },
                { "/api/v1/companies/\(companies[$0 % companies.count])" }
            ),
        ]
        say("")
        say(
            "web UI page".padding(toLength: 40, withPad: " ", startingAt: 0)
                + "   page p50   page p99    API p50    API p99   ratio p50    bytes")
        for (name, page, api) in pages {
            var bytes = 0
            let html = try time(requests) { index in
                let (status, body) = try probe.request("GET", page(index))
                guard status == 200 else { throw BenchError("\(page(index)) answered \(status)") }
                bytes = body.count
            }
            let json = try time(requests) { index in _ = try probe.request("GET", api(index)) }
            func pct(_ values: [Double], _ p: Int) -> Double { values[min(values.count - 1, values.count * p / 100)] }
            say(
                name.padding(toLength: 40, withPad: " ", startingAt: 0)
                    + String(
                        format: " %10.2f %10.2f %10.2f %10.2f %10.2fx %8d", pct(html, 50), pct(html, 99), pct(json, 50), pct(json, 99),
                        pct(html, 50) / pct(json, 50), bytes))
        }
        // Largest Contentful Paint and search-as-you-type in a real browser, when Playwright is there.
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/ui-lcp.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [python, script.path, system.baseURL, "admin", BenchSystem.adminPassword, String(ids[0])] + terms.map { String($0) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        say(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func escape(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }

    func importCSV(probe: HTTPProbe, scanner: DatabaseQueue) throws {

        // CSV import through HTTP: new people (other e-mail domain and phone range than the seed).
        var csv = "first_name;last_name;email;mobile;city\n"
        for n in 0..<importRows {
            csv += "Import\(n);Person\(n % 977);import\(n)@bench.example;4\(String(format: "%07d", n));Oslo\n"
        }
        let body = try JSONSerialization.data(withJSONObject: ["csv": csv])
        let started = nanoseconds()
        let (status, reply) = try probe.request("POST", "/api/v1/contacts/import", body: body)
        let seconds = Double(nanoseconds() - started) / 1_000_000_000
        let created = (try? JSONSerialization.jsonObject(with: reply) as? [String: Any])?["created"] as? Int ?? 0
        guard status == 200 else { throw BenchError("import answered \(status): \(String(decoding: reply.prefix(300), as: UTF8.self))") }
        say(
            String(
                format: "CSV import through HTTP: %d rows, %d created, %.2f s, %.0f rows/s (one transaction, duplicates checked)",
                importRows, created, seconds, Double(importRows) / seconds))
        // A big import's search rows are built right after it commits: how long until the last row is found.
        let lastRow = "import\(importRows - 1)@bench".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        while true {
            let (_, page) = try probe.request("GET", "/api/v1/contacts?q=\(lastRow)&limit=1")
            let items = (try? JSONSerialization.jsonObject(with: page) as? [String: Any])?["items"] as? [Any]
            if items?.isEmpty == false { break }
            usleep(20_000)
        }
        let searchable = Double(nanoseconds() - started) / 1_000_000_000
        say(
            String(
                format: "  all of them found by search %.2f s after the import started (%.0f rows/s including the search rows)",
                searchable, Double(importRows) / searchable))
        let merged = try Self.waitUntilMerged(scanner)
        say(
            String(
                format: "  search indexes merged (or left as they are) %.1f s later (%.1f s after the import started)", merged,
                searchable + merged))
        let again = nanoseconds()
        let (_, second) = try probe.request("POST", "/api/v1/contacts/import", body: body)
        let secondSeconds = Double(nanoseconds() - again) / 1_000_000_000
        let duplicates = (try? JSONSerialization.jsonObject(with: second) as? [String: Any])?["duplicate_count"] as? Int ?? 0
        say(
            String(
                format: "the same file again: %d duplicates, nothing created, %.2f s (%.0f rows/s)", duplicates, secondSeconds,
                Double(importRows) / secondSeconds))
    }

    /// Waits until the contact and company search indexes are one segment each (as
    /// `ServiceDatabase.tidyFullTextIndexes` leaves them after merging), or until their segments
    /// have not changed for ten seconds (the service found them not worth merging: a small
    /// import), and answers the seconds it waited up to the last change.
    static func waitUntilMerged(_ scanner: DatabaseQueue, timeout: Double = 300) throws -> Double {
        let started = nanoseconds()
        var last: [[Int]] = [], lastChange = 0.0
        while true {
            // Segment ids and sizes: a merge in progress grows its output segment step by step.
            let segments = try scanner.read { db in
                try ["contact_search_idx", "company_search_idx", "contact_plain_idx", "company_plain_idx"].map {
                    try Row.fetchAll(db, sql: "SELECT segid, COUNT(*) FROM \($0) GROUP BY segid").flatMap { [$0[0], $0[1]] as [Int] }
                }
            }
            let waited = Double(nanoseconds() - started) / 1_000_000_000
            if segments.allSatisfy({ $0.count <= 2 }) { return waited }  // one (segid, size) pair each
            if segments != last { (last, lastChange) = (segments, waited) }
            if waited - lastChange >= 10 { return lastChange }
            guard waited < timeout else { throw BenchError("search index segments \(segments) not merged after \(Int(timeout)) s") }
            usleep(100_000)
        }
    }

    /// The page the API answers, found the plain way.
    static func likeScan(_ db: Database, _ query: String) throws -> [Int64] {
        let pattern = "%" + query + "%"
        return try Int64.fetchAll(
            db,
            sql: """
                SELECT c.id FROM contact c WHERE c.deleted_at IS NULL AND ((c.first_name || ' ' || c.last_name) LIKE ?1
                  OR EXISTS (SELECT 1 FROM contact_email e WHERE e.contact_id = c.id AND e.address LIKE ?1)
                  OR EXISTS (SELECT 1 FROM contact_phone p WHERE p.contact_id = c.id AND p.number LIKE ?1))
                ORDER BY c.id DESC LIMIT 51
                """, arguments: [pattern])
    }

    func time(_ count: Int, _ body: (Int) throws -> Void) throws -> [Double] {
        var samples: [Double] = []
        for index in 0..<count {
            let start = nanoseconds()
            try body(index)
            samples.append(Double(nanoseconds() - start) / 1_000_000)
        }
        return samples.sorted()
    }

    func row(_ name: String, _ http: [Double], _ scan: [Double]?) -> String {
        func pct(_ values: [Double], _ p: Int) -> Double { values[min(values.count - 1, values.count * p / 100)] }
        var line = name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: " %10.2f %10.2f", pct(http, 50), pct(http, 99))
        if let scan {
            line += String(format: " %10.1f %10.1f %10.0fx", pct(scan, 50), pct(scan, 99), pct(scan, 50) / pct(http, 50))
        }
        return line
    }
}
