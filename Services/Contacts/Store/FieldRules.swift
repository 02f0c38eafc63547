import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit

/// Checks and tidies the fields companies and contacts share: addresses, dates, bank details,
/// web sites, and values of settings' custom fields (known from settings' events).
enum FieldRules {
    static func address(_ input: Address?, field: String) throws -> Address? {
        guard let input else { return nil }
        var address = Address(
            street: input.street?.trimmed.nilIfEmpty, postalCode: input.postalCode?.trimmed.nilIfEmpty,
            city: input.city?.trimmed.nilIfEmpty, country: input.country?.trimmed.uppercased().nilIfEmpty)
        if let country = address.country, !(country.count == 2 && country.allSatisfy { $0.isASCII && $0.isLetter }) {
            throw BusError.invalid("\(field).country must be a two-letter ISO code (NO, SE), not '\(country)'")
        }
        for (name, value) in [("street", address.street), ("postal_code", address.postalCode), ("city", address.city)] {
            if let value, value.count > 200 { throw BusError.invalid("\(field).\(name) is longer than 200 characters") }
        }
        if address.isEmpty { address = Address() }
        return address
    }

    /// `YYYY-MM-DD`, a real date.
    static func date(_ input: String?, field: String) throws -> String? {
        guard let text = input?.trimmed.nilIfEmpty else { return nil }
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            let date = Calendar(identifier: .gregorian).date(from: DateComponents(year: year, month: month, day: day)),
            Calendar(identifier: .gregorian).dateComponents([.day], from: date).day == day
        else {
            throw BusError.invalid("\(field) must be a date written YYYY-MM-DD, not '\(text)'")
        }
        return text
    }

    static func bankDetails(_ input: BankDetails?) throws -> BankDetails? {
        guard let input else { return nil }
        let details = BankDetails(
            accountNumber: input.accountNumber?.trimmed.nilIfEmpty,
            iban: input.iban?.replacingOccurrences(of: " ", with: "").uppercased().nilIfEmpty,
            bic: input.bic?.trimmed.uppercased().nilIfEmpty, bankName: input.bankName?.trimmed.nilIfEmpty)
        // The document states an IBAN's form; its check digits it cannot, so they are a 409 (ADR 008).
        if let iban = details.iban, !isValidIBAN(iban) {
            throw BusError.conflict("bank_details.iban '\(iban)' is not a valid IBAN (its check digits do not add up)")
        }
        if let bic = details.bic, !(bic.count == 8 || bic.count == 11) || !bic.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            throw BusError.invalid("bank_details.bic '\(bic)' is not a BIC (8 or 11 letters and digits)")
        }
        return details
    }

    /// ISO 13616: moves the first four characters to the end, letters to numbers, mod 97 == 1.
    static func isValidIBAN(_ iban: String) -> Bool {
        guard (15...34).contains(iban.count), iban.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return false }
        let rearranged = iban.dropFirst(4) + iban.prefix(4)
        var remainder = 0
        for character in rearranged {
            let value = character.isNumber ? Int(String(character))! : Int(character.asciiValue! - 55)
            for digit in String(value) { remainder = (remainder * 10 + Int(String(digit))!) % 97 }
        }
        return remainder == 1
    }

    static func website(_ input: String?) throws -> String? {
        guard var text = input?.trimmed.nilIfEmpty else { return nil }
        if !text.contains("://") { text = "https://" + text }
        guard let url = URL(string: text), let host = url.host, host.contains("."), ["http", "https"].contains(url.scheme ?? "") else {
            throw BusError.invalid("website '\(input!)' is not a web address")
        }
        return text
    }

    /// Merges `changes` into `current`: each value is checked against its field's definition;
    /// null removes a value. With `requireAll`, every active required field must end up set.
    static func customFields(
        _ db: Database, appliesTo: String, current: [String: JSONValue], changes: [String: JSONValue]?, requireAll: Bool
    ) throws -> [String: JSONValue] {
        var values = current
        let definitions = try Row.fetchAll(
            db, sql: "SELECT key, type, options, required, active FROM custom_field WHERE applies_to = ?", arguments: [appliesTo])
        let byKey = Dictionary(definitions.map { ($0["key"] as String, $0) }, uniquingKeysWith: { first, _ in first })
        for (key, value) in changes ?? [:] {
            guard let definition = byKey[key] else {
                throw BusError.conflict("custom_fields.\(key) is not an additional-information field of \(appliesTo)s")
            }
            if value == .null {
                values[key] = nil
                continue
            }
            let options = (try? JSONDecoder().decode([String].self, from: Data((definition["options"] as String).utf8))) ?? []
            values[key] = try check(value, type: definition["type"], options: options, field: "custom_fields.\(key)")
        }
        if requireAll {
            for (key, definition) in byKey where (definition["required"] as Bool) && (definition["active"] as Bool) && values[key] == nil {
                throw BusError.conflict("custom_fields.\(key) is required")
            }
        }
        return values
    }

    private static func check(_ value: JSONValue, type: String, options: [String], field: String) throws -> JSONValue {
        switch (type, value) {
        case ("text", .string(let text)):
            guard text.count <= 2000 else { throw BusError.conflict("\(field) is longer than 2000 characters") }
            return .string(text.trimmed)
        case ("number", .int), ("number", .double), ("yes_no", .bool):
            return value
        case ("date", .string(let text)):
            return .string(try date(text, field: field)!)
        case ("choice", .string(let choice)) where options.contains(choice):
            return value
        case ("multiple_choice", .array(let items)):
            let chosen = items.compactMap(\.stringValue)
            guard chosen.count == items.count, Set(chosen).isSubset(of: options) else {
                throw BusError.conflict("\(field) must be a list of: \(options.joined(separator: ", "))")
            }
            return value
        case ("choice", _):
            throw BusError.conflict("\(field) must be one of: \(options.joined(separator: ", "))")
        default:
            throw BusError.conflict("\(field) must be a value of type \(type)")
        }
    }
}
