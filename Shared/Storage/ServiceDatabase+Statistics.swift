import Foundation
import GRDB

extension ServiceDatabase {
    /// Gathers the query planner's statistics (`ANALYZE`) for every indexed table that has none
    /// yet or whose row count has moved more than twofold since they were gathered, and answers
    /// the tables it analysed.
    ///
    /// Without statistics SQLite guesses that `deleted_at IS NULL` on an index picks a few rows,
    /// so a list of a million live contacts sorted by name was read through that index and
    /// sorted in a temporary b-tree (230 ms) instead of walked in name order (3 ms). A database
    /// filled by imports and the API never gets them otherwise. Tables under `minimumRows` are
    /// left to the planner's defaults; counting runs on a reader, only `ANALYZE` takes the writer
    /// (about 0.7 s for a million contacts), and open readers are replaced so they plan with the
    /// new numbers (SQLite loads statistics with the schema, per connection).
    @discardableResult
    public func refreshStatistics(minimumRows: Int = 1_000) async throws -> [String] {
        let stale = try await writer.read { db -> [String] in
            var measured: [String: Int] = [:]
            if try db.tableExists("sqlite_stat1") {
                for row in try Row.fetchAll(db, sql: "SELECT tbl, stat FROM sqlite_stat1") {
                    let rows = (row["stat"] as String?)?.split(separator: " ").first.flatMap { Int($0) } ?? 0
                    measured[row["tbl"], default: 0] = max(measured[row["tbl"], default: 0], rows)
                }
            }
            let tables = try String.fetchAll(
                db, sql: "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index' AND tbl_name NOT LIKE 'sqlite_%' ORDER BY 1")
            return try tables.filter { table in
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
                guard count >= minimumRows else { return false }
                guard let known = measured[table] else { return true }
                return count > 2 * known || 2 * count < known
            }
        }
        guard !stale.isEmpty else { return [] }
        try await writer.writeWithoutTransaction { db in
            for table in stale { try db.execute(sql: "ANALYZE \(table.quotedDatabaseIdentifier)") }
        }
        (writer as? DatabasePool)?.invalidateReadOnlyConnections()
        return stale
    }
}
