import Contracts
import Foundation
import GRDB
import ServiceKit

/// Sales' state as events (`events.snapshot`, for a subscriber that fell behind the outbox's
/// retention): every deal, by id, as `deal.updated` with the deal as it is now.
enum SalesSnapshot {
    static func page(_ db: Database, _ cursor: String?, _ limit: Int) throws -> (events: [(type: String, payload: Data)], next: String?) {
        let (_, after) = SnapshotCursor.parse(cursor)
        let rows = try Row.fetchAll(
            db, sql: "SELECT \(DealStore.columns) FROM deal WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
        let events = try rows.map { row -> (type: String, payload: Data) in
            (SalesContract.Event.updated, try Wire.encode(DealChanged(deal: try DealStore.deal(from: row, db), actor: nil)))
        }
        let last: Int64? = rows.last?["id"]
        return (events, SnapshotCursor.next(phase: 0, of: 1, lastId: last, full: rows.count == limit))
    }
}
