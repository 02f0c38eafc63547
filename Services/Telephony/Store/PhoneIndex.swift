import Contracts
import Foundation
import GRDB
import ServiceKit

/// Telephony's own copy of which contact owns which phone number, so matching a call never waits
/// on the contacts service. Numbers are stored in E.164; numbers that cannot be normalised
/// (extensions, odd formats) are stored as `raw:<text>` and matched exactly.
enum PhoneIndex {
    static func key(for number: String, phones: PhoneNormalizer) -> String {
        phones.e164(number) ?? "raw:" + number.trimmingCharacters(in: .whitespaces)
    }

    /// Replaces the numbers of one contact.
    static func replace(_ db: Database, contactId: Int64, numbers: [String]) throws {
        try db.execute(sql: "DELETE FROM phone_index WHERE contact_id = ?", arguments: [contactId])
        for number in Set(numbers) {
            try db.execute(
                sql: "INSERT OR IGNORE INTO phone_index (number, contact_id) VALUES (?, ?)",
                arguments: [number, contactId])
        }
    }

    /// The contact a number belongs to; with several, the oldest contact.
    static func match(_ db: Database, number: String, phones: PhoneNormalizer) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT MIN(contact_id) FROM phone_index WHERE number = ?",
            arguments: [key(for: number, phones: phones)])
    }
}
