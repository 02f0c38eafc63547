import Contracts
import Foundation
import GRDB
import Metrics
import ServiceKit
import Storage

/// What notifications adds to the process's metrics: messages sent and failed (counted after
/// the transaction that records the provider's or server's answer), and, read at each scrape,
/// the messages waiting per channel and the progress of the batches still open.
enum NotificationsMetrics {
    /// Messages that reached `states` on `channel`; a message put back in the queue to try again
    /// is counted as `retried`.
    static func settled(channel: String, states: [String]) {
        var counts: [String: Int64] = [:]
        for state in states {
            let outcome =
                switch state {
                case "sent", "delivered": "sent"
                case "failed", "undelivered": "failed"
                case "queued": "retried"
                default: "unknown"
                }
            counts[outcome, default: 0] += 1
        }
        for (outcome, count) in counts {
            Counter(label: "crm_messages_total", dimensions: [("channel", channel), ("outcome", outcome)]).increment(by: count)
        }
    }

    static let channels = ["email", "sms"]
    static let waiting = ["held", "queued", "sending"]
    static let batchColumns = ["queued", "sending", "sent", "delivered", "undelivered", "failed", "unknown"]

    /// Messages waiting per channel and state (`email_queued`, `sms_sending`, ...), each counted
    /// on the index the senders read.
    static func queues(_ database: ServiceDatabase) async -> [String: Int64] {
        (try? await database.read { db in
            var depths: [String: Int64] = [:]
            for channel in channels {
                for state in waiting {
                    depths["\(channel)_\(state)"] =
                        try Int64.fetchOne(
                            db, sql: "SELECT count(*) FROM message INDEXED BY message_sms_due WHERE channel = ? AND state = ?",
                            arguments: [channel, state]) ?? 0
                }
            }
            return depths
        }) ?? [:]
    }

    /// Batches by state, and the messages of those not finished by their state.
    static func recordBatches(_ database: ServiceDatabase) async {
        let sums = batchColumns.map { "coalesce(sum(\($0)), 0) AS \($0)" }.joined(separator: ", ")
        guard
            let (byState, open) = try? await database.read({ db -> ([String: Int64], [String: Int64]) in
                var byState: [String: Int64] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM batch GROUP BY state") {
                    byState[row["state"]] = row["n"]
                }
                var open: [String: Int64] = [:]
                if let row = try Row.fetchOne(db, sql: "SELECT \(sums) FROM batch WHERE state NOT IN ('done', 'cancelled')") {
                    for column in batchColumns { open[column] = row[column] }
                }
                return (byState, open)
            })
        else { return }
        for state in Batch.states {
            Gauge(label: "crm_sms_batches", dimensions: [("state", state)]).record(byState[state] ?? 0)
        }
        for column in batchColumns {
            Gauge(label: "crm_sms_batch_messages", dimensions: [("state", column)]).record(open[column] ?? 0)
        }
    }
}
