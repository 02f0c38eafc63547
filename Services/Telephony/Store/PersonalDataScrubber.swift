import Contracts
import Foundation
import GRDB

/// Scrubs telephony's copies of a contact that was anonymised (GDPR): its numbers leave the
/// phone index, and its calls lose the other party's number, in the call and in every stored
/// event of the call (so a recompute cannot bring it back).
enum PersonalDataScrubber {
    static func scrub(_ db: Database, contactId: Int64) throws {
        try PhoneIndex.replace(db, contactId: contactId, numbers: [])
        let calls = try Row.fetchAll(db, sql: "SELECT id, direction FROM call WHERE contact_id = ?", arguments: [contactId])
        for call in calls {
            let id: Int64 = call["id"]
            let outbound = (call["direction"] as String) == "outbound"
            try db.execute(
                sql: outbound
                    ? "UPDATE call SET to_raw = NULL, to_e164 = NULL WHERE id = ?"
                    : "UPDATE call SET from_raw = NULL, from_e164 = NULL WHERE id = ?",
                arguments: [id])
            for event in try Row.fetchAll(
                db, sql: "SELECT rowid AS event_rowid, payload FROM call_event WHERE call_id = ?", arguments: [id])
            {
                var input = try Wire.decode(CallEventInput.self, from: event["payload"])
                if outbound { input.to = nil } else { input.from = nil }
                try db.execute(
                    sql: "UPDATE call_event SET payload = ? WHERE rowid = ?",
                    arguments: [try Wire.encode(input), event["event_rowid"] as Int64])
            }
        }
    }
}
