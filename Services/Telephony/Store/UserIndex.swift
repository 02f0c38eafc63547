import Foundation
import GRDB

/// Telephony's own copy of which employee has which telephone extension, kept from the settings
/// service's user events, so a call is matched to the employee without asking settings.
enum UserIndex {
    /// Sets (or, with no extension or an inactive user, removes) one user's extension.
    static func set(_ db: Database, userId: Int64, username: String, extension: String?, active: Bool) throws {
        try db.execute(sql: "DELETE FROM user_index WHERE user_id = ?", arguments: [userId])
        guard let ext = `extension`, active else { return }
        try db.execute(
            sql: "INSERT OR REPLACE INTO user_index (extension, user_id, username) VALUES (?, ?, ?)",
            arguments: [ext, userId, username])
        // Calls logged before telephony knew the extension belong to the employee too.
        try db.execute(sql: "UPDATE call SET user_id = ? WHERE extension = ? AND user_id IS NULL", arguments: [userId, ext])
        try db.execute(
            sql: "UPDATE call SET answered_by_user_id = ? WHERE answered_by = ? AND answered_by_user_id IS NULL", arguments: [userId, ext])
    }

    /// The employee with this extension.
    static func match(_ db: Database, extension: String) throws -> (id: Int64, username: String)? {
        let key = `extension`.trimmingCharacters(in: .whitespaces)
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT user_id, username FROM user_index WHERE extension = ?"), arguments: [key])
        else { return nil }
        return (row["user_id"], row["username"])
    }
}
