import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Puts calls from the telephony service into the history of every contact and company they were
/// matched to. Runs inside the transaction that moves the checkpoint, and replaces the call's
/// entries, so a replayed or updated call (a late event, a number matched later) leaves exactly
/// one entry per contact and company.
enum CallEventsConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case TelephonyContract.Event.logged, TelephonyContract.Event.updated:
            let call = try Wire.decode(Call.self, from: event.payload)
            // Entries are keyed `call:<id>:<kind>:<owner>`; this range is all of the call's.
            let (low, high) = ("call:\(call.id):", "call:\(call.id);")
            try db.execute(
                sql: "DELETE FROM contact_history WHERE ref = ? OR (ref >= ? AND ref < ?)", arguments: ["call:\(call.id)", low, high])
            try db.execute(sql: "DELETE FROM company_history WHERE ref >= ? AND ref < ?", arguments: [low, high])
            let at = DatabaseDate.string(call.startedAt ?? Date())
            let actor = call.user ?? call.answeredBy ?? call.extension
            let text = summary(of: call)
            var contacts = call.contactIds
            if contacts.isEmpty, let id = call.contactId { contacts = [id] }
            for contactId in contacts where try ContactRecord.fetchOne(db, key: contactId) != nil {
                try db.execute(
                    sql:
                        "INSERT INTO contact_history (contact_id, kind, at, actor, summary, call_id, ref) VALUES (?, 'call', ?, ?, ?, ?, ?)",
                    arguments: [contactId, at, actor, text, call.id, "\(low)contact:\(contactId)"])
                try History.touch(db, contactId: contactId)
            }
            for companyId in call.companyIds
            where try Bool.fetchOne(db, sql: "SELECT 1 FROM company WHERE id = ?", arguments: [companyId]) != nil {
                try db.execute(
                    sql: "INSERT INTO company_history (company_id, kind, at, actor, summary, ref) VALUES (?, 'call', ?, ?, ?, ?)",
                    arguments: [companyId, at, actor, text, "\(low)company:\(companyId)"])
            }
        default:
            return  // other telephony events are not for the contacts service
        }
    }

    static func summary(of call: Call) -> String {
        let party = call.direction == "outbound" ? (call.toE164 ?? call.to ?? "unknown") : (call.fromE164 ?? call.from ?? "unknown")
        let way =
            call.direction == "outbound" ? "Outbound call to" : (call.direction == "internal" ? "Internal call with" : "Inbound call from")
        var text = "\(way) \(party), \(call.status.replacingOccurrences(of: "_", with: " "))"
        if let billsec = call.billsec, call.status == "answered" { text += ", \(billsec) s" }
        if let answeredBy = call.answeredBy, call.status == "answered" { text += ", answered by \(answeredBy)" }
        if call.ambiguous { text += " (the number belongs to more than one customer)" }
        return text
    }
}
