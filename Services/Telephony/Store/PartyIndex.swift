import Contracts
import Foundation
import GRDB
import ServiceKit

/// Telephony's own copy of which contact or company owns which phone number, so matching a call
/// never waits on the contacts service. Numbers are stored in E.164; numbers that cannot be
/// normalised (extensions, odd formats) are stored as `raw:<text>` and matched exactly.
enum PartyIndex {
    enum Kind: String {
        case contact, company
    }

    static func key(for number: String, phones: PhoneNormalizer) -> String? {
        guard let unwrapped = PhoneNormalizer.unwrap(number) else { return nil }  // withheld, anonymous
        return phones.e164(unwrapped) ?? "raw:" + unwrapped
    }

    /// Replaces the numbers of one contact or company. Answers the keys that are new, whose
    /// earlier calls should now match.
    @discardableResult
    static func replace(_ db: Database, _ kind: Kind, id: Int64, keys: [String]) throws -> [String] {
        let before = Set(
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT number FROM party_phone WHERE kind = ? AND party_id = ?"), arguments: [kind.rawValue, id]))
        let after = Set(keys)
        for gone in before.subtracting(after) {
            try db.cachedStatement(sql: "DELETE FROM party_phone WHERE number = ? AND kind = ? AND party_id = ?")
                .execute(arguments: [gone, kind.rawValue, id])
        }
        let added = after.subtracting(before)
        for key in added {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO party_phone (number, kind, party_id) VALUES (?, ?, ?)")
                .execute(arguments: [key, kind.rawValue, id])
        }
        return added.sorted()
    }

    /// Everyone with this number, contacts first, oldest first.
    static func match(_ db: Database, key: String) throws -> [(kind: Kind, id: Int64)] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT kind, party_id FROM party_phone WHERE number = ? ORDER BY kind DESC, party_id"),
            arguments: [key]
        ).compactMap { row in Kind(rawValue: row["kind"]).map { ($0, row["party_id"]) } }
    }

    /// The companies a contact is linked to.
    static func companies(_ db: Database, ofContact id: Int64) throws -> [Int64] {
        try Int64.fetchAll(
            db.cachedStatement(sql: "SELECT company_id FROM contact_company WHERE contact_id = ? ORDER BY company_id"), arguments: [id])
    }
}
