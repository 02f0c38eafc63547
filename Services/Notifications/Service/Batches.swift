import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// A batch's counters, kept in the transaction that moves each of its messages, so progress and
/// ETA are always true; the batch ends, or pauses itself, in that same transaction.
enum Batches {
    /// The counter column of a message state (`held` waits in `queued`).
    static func column(_ state: String) -> String? {
        switch state {
        case "held", "queued": "queued"
        case "sending", "sent", "delivered", "undelivered", "failed", "unknown": state
        default: nil
        }
    }

    /// `message` moved from `from` to its state: counts, the end of the batch, auto-pause, and a
    /// progress event at most once a second.
    static func moved(_ db: Database, _ outbox: Outbox, message: Message, from: String, now: Date) throws {
        guard let batchId = message.batchId, let old = column(from), let new = column(message.state), old != new else { return }
        try db.execute(
            sql: "UPDATE batch SET \(old) = \(old) - 1, \(new) = \(new) + 1, updated_at = ? WHERE id = ?",
            arguments: [DatabaseDate.string(now), batchId])
        try check(db, outbox, batchId: batchId, now: now)
    }

    static func check(_ db: Database, _ outbox: Outbox, batchId: Int64, now: Date) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [batchId]) else { return }
        let state: String = row["state"]
        let queued: Int = row["queued"]
        let sending: Int = row["sending"]
        let failed: Int = (row["failed"] as Int) + (row["undelivered"] as Int)
        let settled: Int = (row["sent"] as Int) + (row["delivered"] as Int) + failed + (row["unknown"] as Int)
        let threshold: Double = row["failure_threshold"]
        if state == "running" && queued == 0 && sending == 0 {
            try db.execute(
                sql: "UPDATE batch SET state = 'done', finished_at = ?, progress_at = ? WHERE id = ?",
                arguments: [DatabaseDate.string(now), DatabaseDate.string(now), batchId])
            try outbox.append(db, type: NotificationsContract.Event.batchFinished, payload: try load(db, id: batchId)!)
            return
        }
        // Judged on what settled since the batch was last resumed, so a resumed batch gets a fresh chance.
        let recentSettled = settled - (row["resumed_settled"] as Int)
        let recentFailed = failed - (row["resumed_failed"] as Int)
        if state == "running" && recentSettled >= 20 && Double(recentFailed) / Double(recentSettled) > threshold {
            try hold(db, batchId: batchId)
            let reason =
                "paused by itself: \(recentFailed) of \(recentSettled) messages failed (more than \(Int(threshold * 100))%)"
            try db.execute(
                sql: "UPDATE batch SET state = 'paused', paused_reason = ?, progress_at = ? WHERE id = ?",
                arguments: [reason, DatabaseDate.string(now), batchId])
            try outbox.append(db, type: NotificationsContract.Event.batchProgress, payload: try load(db, id: batchId)!)
            return
        }
        let last: Date? = row["progress_at"]
        if state == "running", last.map({ now.timeIntervalSince($0) >= 1 }) ?? true {
            try db.execute(sql: "UPDATE batch SET progress_at = ? WHERE id = ?", arguments: [DatabaseDate.string(now), batchId])
            try outbox.append(db, type: NotificationsContract.Event.batchProgress, payload: try load(db, id: batchId)!)
        }
    }

    /// The batch's waiting messages stop being due (pause, or a draft).
    static func hold(_ db: Database, batchId: Int64) throws {
        try db.execute(sql: "UPDATE message SET state = 'held' WHERE batch_id = ? AND state = 'queued'", arguments: [batchId])
    }

    static func release(_ db: Database, batchId: Int64, now: Date) throws {
        try db.execute(
            sql: "UPDATE message SET state = 'queued', next_attempt_at = ? WHERE batch_id = ? AND state = 'held'",
            arguments: [DatabaseDate.string(now), batchId])
    }

    static func load(_ db: Database, id: Int64, rateWindow: TimeInterval = 10, configuredRate: Double? = nil) throws -> Batch? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id]) else { return nil }
        var batch = batch(from: row)
        let now = Date()
        if batch.state == "running" || batch.state == "paused" {
            let recent =
                try Int.fetchOne(
                    db, sql: "SELECT COALESCE(SUM(segments), 0) FROM message WHERE batch_id = ? AND sent_at >= ?",
                    arguments: [id, DatabaseDate.string(now.addingTimeInterval(-rateWindow))]) ?? 0
            batch.rate = Double(recent) / rateWindow
        }
        batch.topErrors = try Row.fetchAll(
            db,
            sql: """
                SELECT COALESCE(error_code, '') || CASE WHEN error IS NULL THEN '' ELSE ': ' || error END AS what, COUNT(*) AS n
                FROM message WHERE batch_id = ? AND state IN ('failed', 'undelivered', 'unknown') GROUP BY what ORDER BY n DESC LIMIT 5
                """, arguments: [id]
        ).map { ErrorCount(error: String(($0["what"] as String? ?? "").prefix(200)), count: $0["n"]) }
        let left = batch.counts.queued + batch.counts.sending
        let perMessage = batch.recipients > 0 ? Double(batch.segments) / Double(batch.recipients) : 1
        let rate = (batch.rate ?? 0) > 0 ? batch.rate! : (configuredRate ?? 0)
        batch.etaSeconds = rate > 0 ? Int((Double(left) * perMessage / rate).rounded(.up)) : 0
        return batch
    }

    static func batch(from row: Row) -> Batch {
        var batch = Batch(
            name: row["name"], text: row["text"], purpose: row["purpose"], recipients: row["recipients"], segments: row["segments"],
            encoding: row["encoding"], etaSeconds: 0)
        batch.id = row["id"]
        batch.state = row["state"]
        batch.excluded = (try? Wire.decode([String: Int].self, from: Data((row["excluded"] as String? ?? "{}").utf8))) ?? [:]
        batch.deferred = row["deferred"]
        var counts = BatchCounts()
        counts.queued = row["queued"]
        counts.sending = row["sending"]
        counts.sent = row["sent"]
        counts.delivered = row["delivered"]
        counts.undelivered = row["undelivered"]
        counts.failed = row["failed"]
        counts.unknown = row["unknown"]
        batch.counts = counts
        batch.pausedReason = row["paused_reason"]
        batch.author = row["author"]
        batch.createdAt = row["created_at"]
        batch.startedAt = row["started_at"]
        batch.finishedAt = row["finished_at"]
        batch.updatedAt = row["updated_at"]
        return batch
    }
}
