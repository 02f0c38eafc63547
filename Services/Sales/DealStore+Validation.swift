import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// What a deal's fields must be, checked before its transaction (those that need the database
// inside it).
extension DealStore {

    static func customerKind(_ kind: String) throws -> String {
        guard kind == "company" || kind == "contact" else { throw BusError.invalid("customer_kind is company or contact") }
        return kind
    }

    static func subject(_ raw: String) throws -> String {
        let subject = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !subject.isEmpty, subject.count <= 200 else { throw BusError.invalid("a deal needs a subject of 1 to 200 characters") }
        return subject
    }

    static func checkValue(_ value: Int64?) throws {
        guard let value else { return }
        guard (0...Money.maxValue).contains(value) else {
            throw BusError.invalid("a value is 0 to \(Money.maxValue) minor units (cents, øre)")
        }
    }

    static func currency(_ raw: String) throws -> String {
        let code = raw.uppercased()
        guard Money.isKnown(code) else { throw BusError.conflict("'\(raw)' is not an ISO 4217 currency code (NOK, EUR, USD)") }
        return code
    }

    /// `YYYY-MM-DD` that is a real day.
    static func checkDate(_ text: String?, _ field: String) throws {
        guard let text else { return }
        guard isDate(text) else { throw BusError.conflict("\(field) '\(text)' is not a day as YYYY-MM-DD") }
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month), day >= 1
        else { return false }
        let days = [31, year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// A day (`YYYY-MM-DD`) or an instant (`YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]`).
    static func checkFollowUp(_ text: String?) throws {
        guard let text, !text.isEmpty else { return }
        let day = String(text.prefix(10))
        guard isDate(day), text.count == 10 || (text.count <= 40 && text.dropFirst(10).first == "T") else {
            throw BusError.conflict("next_follow_up '\(text)' is not a day or an instant (2026-12-01 or 2026-12-01T09:00:00Z)")
        }
    }

    static func people(_ list: [DealPerson]?, _ what: String) throws -> [DealPerson]? {
        guard let list else { return nil }
        guard list.count <= 50 else { throw BusError.invalid("a deal links at most 50 \(what)") }
        var seen = Set<Int64>()
        return try list.compactMap { person in
            guard (person.role ?? "").count <= 100 else { throw BusError.invalid("a role is at most 100 characters") }
            guard seen.insert(person.id).inserted else { return nil }
            return DealPerson(id: person.id, role: person.role?.trimmingCharacters(in: .whitespaces).nilIfBlank)
        }
    }

    static func owner(_ db: Database, _ id: Int64?) throws -> Int64? {
        guard let id else { return nil }
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE id = ?", arguments: [id]) != nil else {
            throw BusError.conflict("user \(id) does not exist")
        }
        return id
    }
}
