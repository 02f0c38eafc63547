import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Keeps the phone-number index in step with the contacts service's events.
struct PhoneIndexConsumer: Sendable {
    let phones: PhoneNormalizer

    func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case ContactsContract.Event.created, ContactsContract.Event.updated:
            let contact = try Wire.decode(ContactChanged.self, from: event.payload)
            let numbers = contact.phones.map { $0.e164 ?? PhoneIndex.key(for: $0.number, phones: phones) }
            try PhoneIndex.replace(db, contactId: contact.contactId, numbers: numbers)
        case ContactsContract.Event.anonymized:
            let anonymized = try Wire.decode(ContactDeleted.self, from: event.payload)
            try PersonalDataScrubber.scrub(db, contactId: anonymized.contactId)
        case ContactsContract.Event.deleted:
            let deleted = try Wire.decode(ContactDeleted.self, from: event.payload)
            try PhoneIndex.replace(db, contactId: deleted.contactId, numbers: [])
        default:
            return  // events telephony does not need
        }
    }
}
