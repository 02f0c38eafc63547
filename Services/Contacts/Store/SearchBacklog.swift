import Foundation
import GRDB
import Logging
import Storage

/// Search rows that a big import leaves to be built after it commits.
///
/// A trigram row is most of what an imported contact costs: at a million contacts, 100,000
/// rows imported with their search rows in the same transaction ran at 9,500 rows/s as bare
/// SQL, and at 35,700 rows/s without them (docs/performance.md). So an import of
/// `threshold` rows or more writes its records, duplicates checks, history and events in one
/// transaction and notes the id ranges it created here, in the same transaction; the records
/// are in lists, filters and counts at once, and `drain` builds their search rows in
/// batches of their own right after the commit. The ranges are durable: a restart picks up
/// where an interrupted drain stopped. Smaller imports index row by row as before.
enum SearchBacklog {
    static let threshold = 1_000
    static let batch = 5_000
    private static let logger = Logger(label: "contacts.search-backlog")

    enum Kind: String { case contact, company }

    /// Notes that the records of `kind` with ids `first...last` have no search rows yet.
    static func add(_ db: Database, _ kind: Kind, first: Int64, last: Int64) throws {
        try db.execute(
            sql: "INSERT INTO search_backlog (kind, first_id, last_id) VALUES (?, ?, ?)", arguments: [kind.rawValue, first, last])
    }

    /// How many records wait for their search rows.
    static func pending(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(last_id - first_id + 1), 0) FROM search_backlog") ?? 0
    }

    /// Builds the search rows of up to `limit` waiting records (records deleted or purged since
    /// are skipped; a row an edit wrote in between is rewritten from the same record) and
    /// answers how many still wait.
    static func indexBatch(_ db: Database, limit: Int = batch) throws -> Int {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, kind, first_id, last_id FROM search_backlog ORDER BY id LIMIT 1")
        else { return 0 }
        let first: Int64 = row["first_id"], last: Int64 = row["last_id"]
        let end = min(last, first + Int64(limit) - 1)
        switch Kind(rawValue: row["kind"]) {
        case .contact: try SearchIndex.indexContacts(db, first: first, last: end)
        case .company: for company in try BatchLoad.companies(db, ids: Array(first...end)) { try SearchIndex.indexCompany(db, company) }
        case nil: break
        }
        if end == last {
            try db.execute(sql: "DELETE FROM search_backlog WHERE id = ?", arguments: [row["id"]])
        } else {
            try db.execute(sql: "UPDATE search_backlog SET first_id = ? WHERE id = ?", arguments: [end + 1, row["id"]])
        }
        return try pending(db)
    }

    /// Indexes everything waiting, one batch per transaction so other writes get their turn,
    /// until nothing waits or the task is cancelled (between batches); answers how many records
    /// it found waiting (0: nothing was to be done). Run by `SearchBacklogDrainer`, one at a time.
    @discardableResult
    static func drain(_ database: ServiceDatabase) async -> Int {
        do {
            var waiting = try await database.read { db in try pending(db) }
            guard waiting > 0 else { return 0 }
            let started = ContinuousClock.now
            let total = waiting
            while waiting > 0, !Task.isCancelled { waiting = try await database.write { db, _ in try indexBatch(db) } }
            logger.info(
                waiting > 0
                    ? "building search rows stopped by shutdown; the rest is built at the next start" : "search rows built after an import",
                metadata: ["records": "\(total - waiting)", "took": "\(ContinuousClock.now - started)"])
            return total
        } catch {
            logger.warning("building search rows failed; they are built at the next start", metadata: ["error": "\(error)"])
            return 0
        }
    }
}
