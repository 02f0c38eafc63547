import Foundation
import GRDB

extension ServiceDatabase {
    /// Merges each FTS5 index whose segments have drifted apart back into one segment, a few
    /// hundred pages per write transaction, and answers the tables it merged.
    ///
    /// FTS5 writes every transaction's rows as a new segment and merges segments level by level
    /// as they pile up, so an index built by many transactions is read as several b-trees: a
    /// query looks up each of its trigrams in each segment and merges their lists. Measured on
    /// the contacts database at a million contacts (10 segments after seeding and an import's
    /// batches): one person's e-mail (31 trigrams, some in every row) 4.6 ms in process, 0.9 ms
    /// once merged into one segment; through HTTP p50 5.8 -> 1.5-1.9 ms (docs/performance.md).
    ///
    /// An index is merged when it has two or more segments big enough to be listed in its
    /// `%_idx` table (single-page segments are not, and cost a query next to nothing) and all
    /// but the largest add up to `minimumShare` of the largest or more: a trickle of edits does
    /// not rewrite the whole index, a big import does. Merging is FTS5's own incremental
    /// `'merge'` command with a negative page count (segments of every level merged as one);
    /// a step that changes less than two rows means there is nothing left to merge. Not
    /// `'optimize'`: repeated, SQLite 3.40 stacks a level per call and reports the index
    /// malformed after about a thousand (ADR 004). Other writers wait at most one step
    /// (tens of ms); readers are not held up (WAL).
    @discardableResult
    public func tidyFullTextIndexes(minimumShare: Double = 0.05, pagesPerStep: Int = 256) async throws -> [String] {
        let untidy = try await writer.read { db -> [String] in
            let tables = try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' ORDER BY name
                    """)
            return try tables.filter { table in
                let sizes = try Int.fetchAll(
                    db, sql: "SELECT COUNT(*) FROM \("\(table)_idx".quotedDatabaseIdentifier) GROUP BY segid ORDER BY 1 DESC")
                return Self.segmentsNeedMerging(sizes, minimumShare: minimumShare)
            }
        }
        for table in untidy {
            let quoted = table.quotedDatabaseIdentifier
            var changed = 2
            while changed >= 2 {
                try Task.checkCancellation()  // a stop does not wait for the rest: each step stands on its own
                changed = try await writer.write { db in
                    let before = db.totalChangesCount
                    try db.execute(sql: "INSERT INTO \(quoted) (\(quoted), rank) VALUES ('merge', ?)", arguments: [-pagesPerStep])
                    return db.totalChangesCount - before
                }
            }
        }
        return untidy
    }

    /// Whether segments of these sizes (their `%_idx` rows, largest first) are worth merging.
    static func segmentsNeedMerging(_ sizes: [Int], minimumShare: Double) -> Bool {
        guard let largest = sizes.first, sizes.count >= 2 else { return false }
        return Double(sizes.dropFirst().reduce(0, +)) >= minimumShare * Double(largest)
    }
}
