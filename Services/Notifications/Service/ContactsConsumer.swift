import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Contacts' events, kept here as the recipients read model (names, mobile number, e-mail
/// address) that single SMS and batches are addressed from; and GDPR: when the contacts
/// service anonymises a person, their messages here lose what identified them (addresses,
/// numbers, subject, text) and their recipient row goes; the record of what was sent and when
/// stays. Runs in the transaction that moves the checkpoint, so it happens once and survives a
/// crash.
enum ContactsConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        guard event.source == ContactsContract.service else { return }
        switch event.type {
        case EventsSnapshot.resetType:
            try db.execute(sql: "DELETE FROM recipient; DELETE FROM recipient_company")
        case ContactsContract.Event.created, ContactsContract.Event.updated, ContactsContract.Event.restored:
            let contact = try Wire.keyedDecoder.decode(ContactReach.self, from: event.payload)
            let mobile = contact.phones.first { $0.kind == "mobile" }
            let email = contact.emails.first?.address
            try db.execute(
                sql: """
                    INSERT INTO recipient (contact_id, first_name, last_name, owner_id, mobile, mobile_raw, email, deleted)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                    ON CONFLICT (contact_id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
                        owner_id = excluded.owner_id, mobile = excluded.mobile, mobile_raw = excluded.mobile_raw, email = excluded.email,
                        deleted = 0
                    """,
                arguments: [
                    contact.contactId, contact.firstName, contact.lastName, contact.ownerId, mobile?.e164, mobile?.number,
                    email,
                ])
        case ContactsContract.Event.deleted:
            let deleted = try Wire.decode(ContactDeleted.self, from: event.payload)
            try db.execute(sql: "UPDATE recipient SET deleted = 1 WHERE contact_id = ?", arguments: [deleted.contactId])
        case ContactsContract.Event.anonymized:
            let anonymized = try Wire.decode(ContactDeleted.self, from: event.payload)
            try db.execute(sql: "DELETE FROM recipient WHERE contact_id = ?", arguments: [anonymized.contactId])
            try db.execute(sql: "DELETE FROM recipient_company WHERE contact_id = ?", arguments: [anonymized.contactId])
            // What waits to go to the person is not sent (its addresses are about to go); what is
            // being sent finishes as it began (its attempt is recorded, ADR 011).
            try db.execute(
                sql: """
                    UPDATE message SET state = 'failed', error_code = 'cancelled', error = 'the person was anonymised before it was sent',
                        updated_at = ?
                    WHERE contact_id = ? AND state IN ('held', 'queued')
                    """,
                arguments: [DatabaseDate.string(Date()), anonymized.contactId])
            try db.execute(
                sql: """
                    UPDATE message SET recipients = '[]', subject = '(anonymised)', body_text = '', body_html = NULL,
                        server_reply = NULL, sender = CASE WHEN state = 'received' THEN '' ELSE sender END, updated_at = ?
                    WHERE contact_id = ?
                    """,
                arguments: [DatabaseDate.string(Date()), anonymized.contactId])
            try db.execute(sql: "UPDATE consent SET evidence = NULL WHERE contact_id = ?", arguments: [anonymized.contactId])
            try db.execute(sql: "UPDATE consent_log SET evidence = NULL WHERE contact_id = ?", arguments: [anonymized.contactId])
        case ContactsContract.Event.linked:
            let link = try Wire.decode(ContactLink.self, from: event.payload)
            try db.execute(
                sql: "INSERT OR REPLACE INTO recipient_company (contact_id, company_id, name) VALUES (?, ?, ?)",
                arguments: [link.contactId, link.companyId, link.companyName ?? ""])
        case ContactsContract.Event.unlinked:
            let link = try Wire.decode(ContactLink.self, from: event.payload)
            try db.execute(
                sql: "DELETE FROM recipient_company WHERE contact_id = ? AND company_id = ?", arguments: [link.contactId, link.companyId])
        case ContactsContract.Event.companyCreated, ContactsContract.Event.companyUpdated, ContactsContract.Event.companyRestored:
            let company = try Wire.decode(CompanyChanged.self, from: event.payload).company
            try db.execute(sql: "UPDATE recipient_company SET name = ? WHERE company_id = ?", arguments: [company.name, company.id])
        case ContactsContract.Event.companyDeleted:
            let company = try Wire.decode(CompanyChanged.self, from: event.payload).company
            try db.execute(sql: "DELETE FROM recipient_company WHERE company_id = ?", arguments: [company.id])
        default:
            return
        }
    }
}

/// Settings' users, for a template's `{{owner}}` (the contact's owner by name).
enum UsersConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case EventsSnapshot.resetType:
            try db.execute(sql: "DELETE FROM owner_name")
        case SettingsContract.Event.userCreated, SettingsContract.Event.userUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let user = try change.after?.decode(User.self) else { return }
            try db.execute(
                sql: "INSERT INTO owner_name (user_id, name) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET name = excluded.name",
                arguments: [user.id, user.name.isEmpty ? user.username : user.name])
        default:
            return
        }
    }
}

/// What the read model takes from a contact's event (`ContactChanged`), by explicit keys.
struct ContactReach: Decodable {
    struct Phone: Decodable {
        let number: String
        let e164: String?
        let kind: String
    }

    struct Email: Decodable {
        let address: String
    }

    let contactId: Int64
    let firstName: String
    let lastName: String
    let phones: [Phone]
    let emails: [Email]
    let ownerId: Int64?

    enum CodingKeys: String, CodingKey {
        case contactId = "contact_id"
        case firstName = "first_name"
        case lastName = "last_name"
        case phones, emails
        case ownerId = "owner_id"
    }
}
