import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Keeps the phone index (contacts' and companies' numbers, contacts' companies) in step with the
/// contacts service's events, and matches earlier calls to numbers that are new.
struct PhoneIndexConsumer: Sendable {
    let phones: PhoneNormalizer

    func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        let log = CallLog(db: db, outbox: outbox, phones: phones)
        switch event.type {
        case EventsSnapshot.resetType:
            // Rebuilding from contacts' snapshot: numbers, links and owners come back from it.
            try db.execute(sql: "DELETE FROM party_phone; DELETE FROM contact_company; DELETE FROM party_owner")
        case ContactsContract.Event.created, ContactsContract.Event.updated, ContactsContract.Event.restored:
            let contact = try Wire.keyedDecoder.decode(ContactNumbers.self, from: event.payload)
            let added = try PartyIndex.replace(db, .contact, id: contact.contactId, keys: keys(contact.phones.map { ($0.number, $0.e164) }))
            try TelephonyAccess.setOwner(db, kind: "contact", id: contact.contactId, owner: contact.ownerId)
            try log.rematch(keys: added)
        case ContactsContract.Event.companyCreated, ContactsContract.Event.companyUpdated, ContactsContract.Event.companyRestored:
            let company = try Wire.decode(CompanyChanged.self, from: event.payload).company
            let added = try PartyIndex.replace(db, .company, id: company.id, keys: keys(company.phones.map { ($0.number, $0.e164) }))
            try TelephonyAccess.setOwner(db, kind: "company", id: company.id, owner: company.ownerId)
            try log.rematch(keys: added)
        case ContactsContract.Event.companyDeleted:
            let company = try Wire.decode(CompanyChanged.self, from: event.payload).company
            try PartyIndex.replace(db, .company, id: company.id, keys: [])
        case ContactsContract.Event.anonymized:
            let anonymized = try Wire.decode(ContactDeleted.self, from: event.payload)
            try PersonalDataScrubber.scrub(db, contactId: anonymized.contactId)
        case ContactsContract.Event.deleted:
            // Earlier calls stay with the contact; new calls from its numbers no longer match it.
            let deleted = try Wire.decode(ContactDeleted.self, from: event.payload)
            try PartyIndex.replace(db, .contact, id: deleted.contactId, keys: [])
        case ContactsContract.Event.linked:
            let link = try Wire.decode(ContactLink.self, from: event.payload)
            try db.execute(
                sql: "INSERT OR IGNORE INTO contact_company (contact_id, company_id) VALUES (?, ?)",
                arguments: [link.contactId, link.companyId])
            // The contact's calls show on the company from now on.
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO call_party (kind, party_id, call_id, direct)
                    SELECT 'company', ?, call_id, 0 FROM call_party WHERE kind = 'contact' AND party_id = ?
                    """, arguments: [link.companyId, link.contactId])
        case ContactsContract.Event.unlinked:
            let link = try Wire.decode(ContactLink.self, from: event.payload)
            try db.execute(
                sql: "DELETE FROM contact_company WHERE contact_id = ? AND company_id = ?", arguments: [link.contactId, link.companyId])
        case ContactsContract.Event.merged:
            // The merged-away contact's calls belong to the survivor.
            let merge = try Wire.decode(MergeRequest.self, from: event.payload)
            try db.execute(
                sql: "UPDATE OR IGNORE call_party SET party_id = ? WHERE kind = 'contact' AND party_id = ?",
                arguments: [merge.survivorId, merge.otherId])
            try db.execute(sql: "UPDATE call SET contact_id = ? WHERE contact_id = ?", arguments: [merge.survivorId, merge.otherId])
        default:
            return  // events telephony does not need
        }
    }

    private func keys(_ numbers: [(number: String, e164: String?)]) -> [String] {
        numbers.compactMap { $0.e164 ?? PartyIndex.key(for: $0.number, phones: phones) }
    }
}

/// What the phone index takes from a contact's event (`ContactChanged`): its id and numbers, read
/// by explicit keys (`Wire.keyedDecoder`). An import publishes one event per contact, and the
/// whole payload through the wire decoder's key conversion was most of what one cost here.
struct ContactNumbers: Decodable {
    struct Number: Decodable {
        let number: String
        let e164: String?
    }

    let contactId: Int64
    let phones: [Number]
    let ownerId: Int64?

    enum CodingKeys: String, CodingKey {
        case contactId = "contact_id", phones
        case ownerId = "owner_id"
    }
}
