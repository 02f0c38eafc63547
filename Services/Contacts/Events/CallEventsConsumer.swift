import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Puts calls from the telephony service into the history of the contact they were matched to.
/// Runs inside the transaction that moves the checkpoint, and is an upsert keyed by the call, so
/// a replayed or updated call leaves exactly one entry.
enum CallEventsConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case TelephonyContract.Event.logged, TelephonyContract.Event.updated:
            let call = try Wire.decode(Call.self, from: event.payload)
            let ref = "call:\(call.id)"
            try HistoryRecord.filter(HistoryRecord.Columns.ref == ref).deleteAll(db)
            guard let contactId = call.contactId, try ContactRecord.fetchOne(db, key: contactId) != nil else { return }
            var entry = HistoryRecord(
                id: nil, contactId: contactId, kind: "call", at: call.startedAt ?? Date(), actor: call.user ?? call.extension,
                summary: summary(of: call), changes: nil, callId: call.id, ref: ref)
            try entry.insert(db)
            try History.touch(db, contactId: contactId)
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
        return text
    }
}
