import Contracts
import Foundation
import GRDB
import ServiceKit

/// Notifications' state as its events (`events.snapshot`, for a subscriber that fell behind the
/// outbox's retention): each message, by id, as the event of its state. Contacts' history takes
/// these the way it takes the live ones (one entry per message, replaced).
enum NotificationsSnapshot {
    static func page(_ db: Database, _ cursor: String?, _ limit: Int) throws -> (events: [(type: String, payload: Data)], next: String?) {
        let (_, after) = SnapshotCursor.parse(cursor)
        let rows = try Row.fetchAll(
            db, sql: "SELECT \(MessageStore.columns) FROM message WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
        let events = try rows.map { row -> (type: String, payload: Data) in
            // The event of its state as the live ones name it (a delivered SMS is `message.delivered`).
            let message = try MessageStore.message(from: row)
            return (NotificationsContract.Event.of(state: message.state), try Wire.encode(message))
        }
        let last: Int64? = rows.last?["id"]
        return (events, SnapshotCursor.next(phase: 0, of: 1, lastId: last, full: rows.count == limit))
    }
}
