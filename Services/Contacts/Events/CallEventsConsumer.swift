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
            let call = try Wire.keyedDecoder.decode(LoggedCall.self, from: event.payload)
            // Entries are keyed `call:<id>:<kind>:<owner>`; this range is all of the call's.
            let (low, high) = ("call:\(call.id):", "call:\(call.id);")
            try db.cachedStatement(sql: "DELETE FROM contact_history WHERE ref = ? OR (ref >= ? AND ref < ?)")
                .execute(arguments: ["call:\(call.id)", low, high])
            try db.cachedStatement(sql: "DELETE FROM company_history WHERE ref >= ? AND ref < ?").execute(arguments: [low, high])
            let at = DatabaseDate.string(call.startedAt ?? Date())
            let actor = call.user ?? call.answeredBy ?? call.extension
            let text = summary(of: call)
            var contacts = call.contactIds
            if contacts.isEmpty, let id = call.contactId { contacts = [id] }
            for contactId in contacts
            where try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM contact WHERE id = ?"), arguments: [contactId]) != nil {
                try db.cachedStatement(
                    sql:
                        "INSERT INTO contact_history (contact_id, kind, at, actor, summary, call_id, ref) VALUES (?, 'call', ?, ?, ?, ?, ?)"
                ).execute(arguments: [contactId, at, actor, text, call.id, "\(low)contact:\(contactId)"])
                try History.touch(db, contactId: contactId)
            }
            for companyId in call.companyIds
            where try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM company WHERE id = ?"), arguments: [companyId]) != nil {
                try db.cachedStatement(
                    sql: "INSERT INTO company_history (company_id, kind, at, actor, summary, ref) VALUES (?, 'call', ?, ?, ?, ?)"
                ).execute(arguments: [companyId, at, actor, text, "\(low)company:\(companyId)"])
            }
        default:
            return  // other telephony events are not for the contacts service
        }
    }

    static func summary(of call: LoggedCall) -> String {
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

/// What a history entry takes from a `call.logged` or `call.updated` payload (telephony's `Call`),
/// read by explicit keys (`Wire.keyedDecoder`): contacts reads one per call, and decoding the
/// whole `Call` with the wire decoder's key conversion was most of what a call cost here.
struct LoggedCall: Decodable {
    let id: Int64
    let direction: String
    let from: String?
    let fromE164: String?
    let to: String?
    let toE164: String?
    let `extension`: String?
    let user: String?
    let answeredBy: String?
    let contactId: Int64?
    let contactIds: [Int64]
    let companyIds: [Int64]
    let ambiguous: Bool
    let status: String
    let billsec: Int?
    let startedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, direction, from, to, `extension`, user, ambiguous, status, billsec
        case fromE164 = "from_e164", toE164 = "to_e164", answeredBy = "answered_by", contactId = "contact_id"
        case contactIds = "contact_ids", companyIds = "company_ids", startedAt = "started_at"
    }
}
