import Foundation
import GRDB
import Storage

/// Slows down password guessing, in the database (so every instance of the service and a
/// restart see it):
///
/// - **An attempt counts before the password is checked.** `begin` records it as a failure and
///   marks the username as being checked, in one write transaction; a second attempt for the
///   same username while one is checked waits (32 parallel guesses get one check, not 32).
///   A correct password takes its count back (`succeeded`).
/// - **Counts live in fixed windows** of 15 minutes from a key's first failure, then start
///   over: a trickle of guesses never piles up into a lock that outlasts the window.
/// - **The lock that counts most is per username and client address** (5 failures, then 1 s,
///   2 s, 4 s ... up to 5 minutes). Per client address (20, any usernames) and per username
///   from anywhere (50, at most 1 minute) catch spraying, while an attacker elsewhere can keep
///   the real user out of their own client for at most a minute at a time.
enum LoginThrottle {
    struct Key: Equatable {
        let name: String
        let allowance: Int
        let maxWait: TimeInterval
    }

    static let window: TimeInterval = 15 * 60
    /// How long a check may hold the username (a crashed instance releases it by then).
    static let checkHold: TimeInterval = 30

    static func keys(username: String, client: String?) -> [Key] {
        var keys = [
            Key(name: "pair:\(username)|\(client ?? "-")", allowance: 5, maxWait: 300),
            Key(name: "user:\(username)", allowance: 50, maxWait: 60),
        ]
        if let client { keys.append(Key(name: "client:\(client)", allowance: 20, maxWait: 300)) }
        return keys
    }

    /// Seconds to wait, or nil when the attempt may go ahead (and is then counted, and the
    /// username held, until `succeeded` or `failed`).
    static func begin(_ db: Database, keys: [Key], now: Date) throws -> Int? {
        var longest: TimeInterval = 0
        for key in keys {
            let row = try Row.fetchOne(
                db, sql: "SELECT locked_until, checking_until FROM login_failure WHERE key = ?", arguments: [key.name])
            if let until: Date = row?["locked_until"] { longest = max(longest, until.timeIntervalSince(now)) }
            if key.name.hasPrefix("user:"), let checking: Date = row?["checking_until"], checking > now { longest = max(longest, 1) }
        }
        if longest > 0 { return Int(longest.rounded(.up)) }
        for key in keys { try count(db, key, now: now, checking: key.name.hasPrefix("user:") ? now.addingTimeInterval(checkHold) : nil) }
        return nil
    }

    /// The password was wrong: the attempt stays counted; the username is free for the next.
    static func failed(_ db: Database, keys: [Key]) throws {
        try release(db, keys)
    }

    /// The password was right: this username's counts are cleared, the client's count taken back.
    static func succeeded(_ db: Database, keys: [Key]) throws {
        for key in keys {
            if key.name.hasPrefix("client:") {
                try db.execute(
                    sql: "UPDATE login_failure SET failures = MAX(0, failures - 1), locked_until = NULL WHERE key = ? AND failures <= ?",
                    arguments: [key.name, key.allowance])
            } else {
                try db.execute(sql: "DELETE FROM login_failure WHERE key = ?", arguments: [key.name])
            }
        }
    }

    private static func release(_ db: Database, _ keys: [Key]) throws {
        for key in keys where key.name.hasPrefix("user:") {
            try db.execute(sql: "UPDATE login_failure SET checking_until = NULL WHERE key = ?", arguments: [key.name])
        }
    }

    private static func count(_ db: Database, _ key: Key, now: Date, checking: Date?) throws {
        let row = try Row.fetchOne(db, sql: "SELECT failures, first_failure_at FROM login_failure WHERE key = ?", arguments: [key.name])
        var failures = 1
        var first = now
        if let row, let started: Date = row["first_failure_at"], now.timeIntervalSince(started) < window, now >= started {
            failures = (row["failures"] as Int) + 1
            first = started
        }
        var lockedUntil: Date?
        if failures >= key.allowance {
            lockedUntil = now.addingTimeInterval(min(pow(2, Double(min(failures - key.allowance, 30))), key.maxWait))
        }
        try db.execute(
            sql: """
                INSERT INTO login_failure (key, failures, last_failure_at, first_failure_at, locked_until, checking_until)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
                    first_failure_at = excluded.first_failure_at, locked_until = excluded.locked_until,
                    checking_until = excluded.checking_until
                """,
            arguments: [
                key.name, failures, DatabaseDate.string(now), DatabaseDate.string(first), DatabaseDate.string(lockedUntil),
                DatabaseDate.string(checking),
            ])
    }
}
