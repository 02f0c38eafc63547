import Foundation
import GRDB

/// Slows down password guessing. Failed sign-ins are counted per username and per client
/// address (in the database, so every instance of the service and a restart see them); past a
/// few failures each further attempt has to wait, twice as long after each failure, up to
/// `maxWait`. A successful sign-in clears the username's count.
enum LoginThrottle {
    /// Failures allowed before waiting starts: per username, and per client (which may try many names).
    static let userAllowance = 5
    static let clientAllowance = 20
    /// Failures older than this are forgotten.
    static let window: TimeInterval = 15 * 60
    static let maxWait: TimeInterval = 300

    static func keys(username: String, client: String?) -> [String] {
        ["user:" + username] + (client.map { ["client:" + $0] } ?? [])
    }

    /// Seconds still to wait before another attempt, or nil.
    static func wait(_ db: Database, keys: [String], now: Date) throws -> Int? {
        var longest: TimeInterval = 0
        for key in keys {
            guard let until = try Date.fetchOne(db, sql: "SELECT locked_until FROM login_failure WHERE key = ?", arguments: [key])
            else { continue }
            longest = max(longest, until.timeIntervalSince(now))
        }
        return longest > 0 ? Int(longest.rounded(.up)) : nil
    }

    static func recordFailure(_ db: Database, keys: [String], now: Date) throws {
        for key in keys {
            let row = try Row.fetchOne(db, sql: "SELECT failures, last_failure_at FROM login_failure WHERE key = ?", arguments: [key])
            var failures = 1
            if let row, let last: Date = row["last_failure_at"], now.timeIntervalSince(last) < window {
                failures = (row["failures"] as Int) + 1
            }
            let allowance = key.hasPrefix("user:") ? userAllowance : clientAllowance
            var lockedUntil: Date?
            if failures >= allowance {
                lockedUntil = now.addingTimeInterval(min(pow(2, Double(failures - allowance)), maxWait))
            }
            try db.execute(
                sql: """
                    INSERT INTO login_failure (key, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET failures = excluded.failures,
                        last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until
                    """,
                arguments: [key, failures, now, lockedUntil])
        }
    }

    static func clear(_ db: Database, key: String) throws {
        try db.execute(sql: "DELETE FROM login_failure WHERE key = ?", arguments: [key])
    }
}
