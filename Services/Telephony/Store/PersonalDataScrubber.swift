import Contracts
import Foundation
import GRDB
import Storage

/// Scrubs telephony's copies of a contact that was anonymised (GDPR): its numbers leave the
/// phone index, and its calls lose the other party's number and name, in the call and in every
/// stored event of the call (so a recompute cannot bring them back).
enum PersonalDataScrubber {
    static func scrub(_ db: Database, contactId: Int64) throws {
        try PartyIndex.replace(db, .contact, id: contactId, keys: [])
        let calls = try Row.fetchAll(
            db,
            sql: """
                SELECT id, direction FROM call
                WHERE contact_id = ? OR id IN (SELECT call_id FROM call_party WHERE kind = 'contact' AND party_id = ?)
                """, arguments: [contactId, contactId])
        for call in calls {
            let id: Int64 = call["id"]
            let outbound = (call["direction"] as String) == "outbound"
            try db.execute(
                sql: outbound
                    ? "UPDATE call SET to_raw = NULL, to_e164 = NULL, remote_key = NULL WHERE id = ?"
                    : "UPDATE call SET from_raw = NULL, from_e164 = NULL, caller_name = NULL, remote_key = NULL WHERE id = ?",
                arguments: [id])
            for event in try Row.fetchAll(
                db, sql: "SELECT id AS event_rowid, payload FROM call_event WHERE call_id = ?", arguments: [id])
            {
                var input = try EventCodec.decode(event["payload"])
                if outbound {
                    input.to = nil
                } else {
                    input.from = nil
                    input.callerName = nil
                }
                try db.execute(
                    sql: "UPDATE call_event SET payload = ? WHERE id = ?",
                    arguments: [EventCodec.encode(input), event["event_rowid"] as Int64])
            }
        }
        // The call events published before carry the number too: rewritten to the scrubbed call.
        let ids = calls.map { $0["id"] as Int64 }
        let current = try CallLog.contracts(db, try CallRecord.filter(keys: ids).fetchAll(db))
        let byId = Dictionary(current.map { ($0.id, $0.wireJSON) }, uniquingKeysWith: { first, _ in first })
        try Outbox.rewrite(
            db, types: [TelephonyContract.Event.logged, TelephonyContract.Event.updated, TelephonyContract.Event.missed], key: "id",
            ids: ids
        ) { id, _ in byId[id] }
    }
}
