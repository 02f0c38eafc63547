import Contracts
import Foundation
import GRDB
import ServiceKit

/// Telephony's state as its events (`events.snapshot`): a `call.logged` per logged call, by id.
enum TelephonySnapshot {
    static func page(_ db: Database, _ cursor: String?, _ limit: Int) throws -> (events: [(type: String, payload: Data)], next: String?) {
        let (_, after) = SnapshotCursor.parse(cursor)
        let records = try CallRecord.filter(sql: "logged_at IS NOT NULL AND id > ?", arguments: [after]).order(Column("id")).limit(limit)
            .fetchAll(db)
        let events = try CallLog.contracts(db, records).map { (TelephonyContract.Event.logged, $0.wireJSON) }
        return (events, SnapshotCursor.next(phase: 0, of: 1, lastId: records.last?.id, full: records.count == limit))
    }
}
