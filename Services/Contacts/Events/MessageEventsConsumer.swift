import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Puts e-mails and SMS from the notifications service into the history of the contact or
/// company they were sent to (or came from): one entry per message (keyed `message:<id>`),
/// replaced as its state moves on, so the card's history says whether it was sent, delivered,
/// failed or may have arrived; and consent changes (an opt-out by STOP among them).
enum MessageEventsConsumer {
    typealias E = NotificationsContract.Event
    static let messageEvents: Set<String> = [E.queued, E.sent, E.delivered, E.undelivered, E.failed, E.unknown]

    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        if event.type == E.consentChanged { return try consent(event, db) }
        guard messageEvents.contains(event.type) else { return }
        let message = try Wire.decode(Message.self, from: event.payload)
        let ref = "message:\(message.id)"
        let sms = message.channel == "sms"
        // An SMS is known by its first words; an e-mail by its subject.
        let what = sms ? "\"\(message.text.prefix(60))\(message.text.count > 60 ? "…" : "")\"" : message.subject
        let noun = sms ? "SMS" : "E-mail"
        let text: String
        switch message.state {
        case "sent": text = "\(noun) sent: \(what)"
        case "delivered": text = "\(noun) delivered: \(what)"
        case "undelivered": text = "\(noun) not delivered: \(what) (\(message.errorCode ?? "the network gave up"))"
        case "failed": text = "\(noun) failed: \(what) (\(message.error ?? "refused"))"
        case "unknown": text = "\(noun) may not have arrived: \(what)"
        case "received": text = "SMS received: \(what)"
        default: text = "\(noun) queued: \(what)"
        }
        let kind = sms ? "sms" : "email"
        let at = DatabaseDate.string(message.sentAt ?? message.createdAt)
        if let contactId = message.contactId,
            try Bool.fetchOne(db, sql: "SELECT 1 FROM contact WHERE id = ?", arguments: [contactId]) != nil
        {
            try db.execute(sql: "DELETE FROM contact_history WHERE ref = ?", arguments: [ref])
            try db.execute(
                sql: "INSERT INTO contact_history (contact_id, kind, at, actor, summary, ref) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [contactId, kind, at, message.author, String(text.prefix(300)), ref])
            if message.state == "sent" && message.batchId == nil { try History.touch(db, contactId: contactId) }
        }
        if let companyId = message.companyId,
            try Bool.fetchOne(db, sql: "SELECT 1 FROM company WHERE id = ?", arguments: [companyId]) != nil
        {
            try db.execute(sql: "DELETE FROM company_history WHERE ref = ?", arguments: [ref])
            try db.execute(
                sql: "INSERT INTO company_history (company_id, kind, at, actor, summary, ref) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [companyId, kind, at, message.author, String(text.prefix(300)), ref])
        }
    }

    /// `consent.changed`: the contact's consents and opt-outs as they now are, one line.
    static func consent(_ event: BusEvent, _ db: Database) throws {
        let state = try Wire.decode(ConsentState.self, from: event.payload)
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM contact WHERE id = ?", arguments: [state.contactId]) != nil else { return }
        var parts = state.consents.map { consent in
            "\(consent.channel.uppercased() == "SMS" ? "SMS" : "e-mail") \(consent.purpose): \(consent.granted ? "yes" : "no") (\(consent.source))"
        }
        parts += state.optedOut.map {
            "\($0.address) opted out of \($0.channel == "sms" ? "SMS" : "e-mail")\($0.detail.map { " (\($0))" } ?? "")"
        }
        let latest = (state.consents.map(\.recordedAt) + state.optedOut.map(\.at)).max() ?? Date()
        let actor = state.consents.max { $0.recordedAt < $1.recordedAt }?.recordedBy
        try db.execute(
            sql: "INSERT INTO contact_history (contact_id, kind, at, actor, summary, ref) VALUES (?, 'consent', ?, ?, ?, NULL)",
            arguments: [
                state.contactId, DatabaseDate.string(latest), actor,
                String(("Consent: " + (parts.isEmpty ? "none recorded" : parts.joined(separator: "; "))).prefix(300)),
            ])
    }
}
