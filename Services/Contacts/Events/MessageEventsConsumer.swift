import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Puts e-mails from the notifications service into the history of the contact or company
/// they were sent to: one entry per message (keyed `message:<id>`), replaced as its state moves
/// on, so the card's history says whether it was sent, failed or may have arrived.
enum MessageEventsConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        let states: [String: String] = [
            NotificationsContract.Event.queued: "queued", NotificationsContract.Event.sent: "sent",
            NotificationsContract.Event.failed: "failed", NotificationsContract.Event.unknown: "unknown",
        ]
        guard let state = states[event.type] else { return }
        let message = try Wire.decode(Message.self, from: event.payload)
        let ref = "message:\(message.id)"
        let text: String
        switch state {
        case "sent": text = "E-mail sent: \(message.subject)"
        case "failed": text = "E-mail failed: \(message.subject) (\(message.error ?? "refused"))"
        case "unknown": text = "E-mail may not have arrived: \(message.subject)"
        default: text = "E-mail queued: \(message.subject)"
        }
        let at = DatabaseDate.string(message.sentAt ?? message.createdAt)
        if let contactId = message.contactId,
            try Bool.fetchOne(db, sql: "SELECT 1 FROM contact WHERE id = ?", arguments: [contactId]) != nil
        {
            try db.execute(sql: "DELETE FROM contact_history WHERE ref = ?", arguments: [ref])
            try db.execute(
                sql: "INSERT INTO contact_history (contact_id, kind, at, actor, summary, ref) VALUES (?, 'email', ?, ?, ?, ?)",
                arguments: [contactId, at, message.author, String(text.prefix(300)), ref])
            if state == "sent" { try History.touch(db, contactId: contactId) }
        }
        if let companyId = message.companyId,
            try Bool.fetchOne(db, sql: "SELECT 1 FROM company WHERE id = ?", arguments: [companyId]) != nil
        {
            try db.execute(sql: "DELETE FROM company_history WHERE ref = ?", arguments: [ref])
            try db.execute(
                sql: "INSERT INTO company_history (company_id, kind, at, actor, summary, ref) VALUES (?, 'email', ?, ?, ?, ?)",
                arguments: [companyId, at, message.author, String(text.prefix(300)), ref])
        }
    }
}
