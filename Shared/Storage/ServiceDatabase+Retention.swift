import Contracts
import Foundation
import GRDB

/// The outbox does not keep events forever: once every subscriber heard from within the
/// retention period has passed an event, and the event is older than that period, it goes (the
/// personal data in it with it). A subscriber further behind than what is kept (one stopped for
/// longer than the retention period) learns it from `events.since` (`pruned_through`) and
/// rebuilds from a snapshot of the source's state instead of missing events.
extension ServiceDatabase {
    /// Notes how far `caller` (a bus role) has asked for events: it has applied everything up to
    /// `after`. Written at most once per `refresh` (an idle subscriber asks every 2 s, one
    /// catching up once a page, and each write waits for the service's writer), except when the
    /// position goes back: a stored position that lags only holds the log a little longer, one
    /// that runs ahead would let events go that the subscriber still needs.
    public func recordPosition(caller: String, after: Int64, refresh: TimeInterval = 0, now: Date = Date()) async throws {
        let known = positions.withLock { $0[caller] }
        if let known, after >= known.after, now.timeIntervalSince(known.at) < refresh { return }
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO subscriber_position (caller, after, seen_at) VALUES (?, ?, ?)
                    ON CONFLICT(caller) DO UPDATE SET after = excluded.after, seen_at = excluded.seen_at
                    """,
                arguments: [caller, max(0, after), DatabaseDate.string(now)])
        }
        positions.withLock { $0[caller] = (after, now) }
    }

    /// Applies a page of another source's snapshot in one transaction and, on the last page,
    /// sets the checkpoint to `through` (the snapshot's `as_of`).
    public func applySnapshot(
        source: String, through: Int64?, _ body: @escaping @Sendable (Database, Outbox) throws -> Void
    )
        async throws
    {
        let outbox = self.outbox
        try await writer.write { db in
            try body(db, outbox)
            if let through { try InboxCheckpoint(source: source, lastSeq: through, updatedAt: Date()).save(db) }
        }
    }

    /// The highest sequence removed from the outbox (0 when none ever was).
    public func prunedThrough() async throws -> Int64 {
        try await writer.read { db in try Int64.fetchOne(db, sql: "SELECT through FROM outbox_pruned WHERE id = 1") ?? 0 }
    }

    /// Removes events older than `retention` that every subscriber heard from within
    /// `retention` has passed, in batches (other writers wait one batch at most). Answers how
    /// many went.
    @discardableResult
    public func pruneOutbox(retention: TimeInterval, now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-retention)
        let cutoffText = Timestamp.string(from: cutoff)
        // Where pruning stops, read once (one scan of the outbox): at the lowest position of the
        // subscribers heard from, and before the first event still within the retention period,
        // whatever its neighbours' times. Later events are younger, so the bound holds throughout.
        let bound = try await writer.read { db -> Int64 in
            let passed =
                try Int64.fetchOne(
                    db, sql: "SELECT MIN(after) FROM subscriber_position WHERE seen_at >= ?",
                    arguments: [DatabaseDate.string(cutoff)])
                ?? Int64.max
            let young = try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM outbox WHERE occurred_at >= ?", arguments: [cutoffText])
            return min(passed, (young ?? Int64.max) - 1)
        }
        var removed = 0
        while true {
            let batch = try await writer.write { db -> Int in
                let last = try Int64.fetchOne(
                    db, sql: "SELECT MAX(seq) FROM (SELECT seq FROM outbox WHERE seq <= ? ORDER BY seq LIMIT 5000)", arguments: [bound])
                guard let last else { return 0 }
                try db.execute(sql: "DELETE FROM outbox WHERE seq <= ?", arguments: [last])
                let count = db.changesCount
                try db.execute(
                    sql: """
                        INSERT INTO outbox_pruned (id, through) VALUES (1, ?)
                        ON CONFLICT(id) DO UPDATE SET through = MAX(through, excluded.through)
                        """, arguments: [last])
                return count
            }
            removed += batch
            if batch < 5000 { return removed }
        }
    }
}
