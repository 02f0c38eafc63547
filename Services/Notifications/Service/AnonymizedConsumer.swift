import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// GDPR: when the contacts service anonymises a person, their messages here lose what
/// identified them (addresses, subject, text); the record of what was sent and when stays.
/// Runs in the transaction that moves the checkpoint, so it happens once and survives a crash.
enum AnonymizedConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        guard event.source == ContactsContract.service, event.type == ContactsContract.Event.anonymized else { return }
        let anonymized = try Wire.decode(ContactDeleted.self, from: event.payload)
        try db.execute(
            sql: """
                UPDATE message SET recipients = '[]', subject = '(anonymised)', body_text = '', body_html = NULL,
                    server_reply = NULL, updated_at = ?
                WHERE contact_id = ?
                """,
            arguments: [Date(), anonymized.contactId])
    }
}
