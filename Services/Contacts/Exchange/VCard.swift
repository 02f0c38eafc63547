import Contracts
import Foundation
import ServiceKit

/// vCard 4.0 (RFC 6350) for contacts: written with escaped values and folded lines, read
/// tolerant of 3.0 cards (the TYPE parameters and property names are the same for what we use).
enum VCard {
    /// One card for a contact (`companies`: the names of the companies it is linked to).
    static func write(_ contact: Contact, companies: [String]) -> String {
        var lines = ["BEGIN:VCARD", "VERSION:4.0"]
        lines.append("UID:urn:crm:contact:\(contact.id)")
        lines.append("FN:" + escape(contact.displayName.isEmpty ? "(no name)" : contact.displayName))
        lines.append("N:" + [contact.lastName, contact.firstName, "", "", ""].map(escape).joined(separator: ";"))
        if let title = contact.title { lines.append("TITLE:" + escape(title)) }
        if let company = companies.first { lines.append("ORG:" + escape(company)) }
        for email in contact.emails { lines.append("EMAIL;TYPE=\(email.kind):" + escape(email.address)) }
        for phone in contact.phones {
            let type = ["mobile": "cell", "work": "work", "home": "home", "fax": "fax"][phone.kind] ?? "voice"
            lines.append("TEL;TYPE=\(type):" + escape(phone.e164 ?? phone.number))
        }
        if let address = contact.address {
            let parts = ["", "", address.street ?? "", address.city ?? "", "", address.postalCode ?? "", address.country ?? ""]
            lines.append("ADR:" + parts.map(escape).joined(separator: ";"))
        }
        if let birthday = contact.birthday { lines.append("BDAY:" + birthday.replacingOccurrences(of: "-", with: "")) }
        lines.append("REV:" + revision(contact.updatedAt))
        lines.append("END:VCARD")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// A contact read from a card: what a create request needs, plus the organisation's name.
    struct Card {
        var request = CreateContactRequest()
        var organisation: String?
    }

    /// Reads every card in the text; a card without a name is an error naming its line.
    static func read(_ text: String) throws -> [(line: Int, card: Card)] {
        var cards: [(Int, Card)] = []
        var current: Card?
        var start = 0
        for raw in unfold(text) {
            let line = raw.line
            guard let colon = firstUnquotedColon(in: raw.text) else { continue }
            let head = raw.text[..<colon]
            let value = String(raw.text[raw.text.index(after: colon)...])
            let parts = head.split(separator: ";").map(String.init)
            let name = (parts.first ?? "").uppercased().split(separator: ".").last.map(String.init) ?? ""
            let types = parts.dropFirst().flatMap { parameter -> [String] in
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].uppercased() == "TYPE" else { return [] }
                return pair[1].lowercased().replacingOccurrences(of: "\"", with: "").split(separator: ",").map(String.init)
            }
            switch name {
            case "BEGIN" where value.uppercased() == "VCARD":
                current = Card()
                current?.request.phones = []
                current?.request.emails = []
                start = line
            case "END" where value.uppercased() == "VCARD":
                guard let card = current else { continue }
                if (card.request.firstName ?? "").isEmpty && (card.request.lastName ?? "").isEmpty {
                    throw CSVError(line: start, reason: "the card has no name (N or FN)")
                }
                cards.append((start, card))
                current = nil
            case "N":
                let fields = splitEscaped(value, ";")
                if fields.count > 0 { current?.request.lastName = fields[0] }
                if fields.count > 1 { current?.request.firstName = fields[1] }
            case "FN":
                if (current?.request.lastName ?? "").isEmpty && (current?.request.firstName ?? "").isEmpty {
                    let words = unescape(value).split(separator: " ")
                    current?.request.firstName = words.dropLast().joined(separator: " ")
                    current?.request.lastName = words.last.map(String.init) ?? ""
                }
            case "TITLE": current?.request.title = unescape(value)
            case "ORG": current?.organisation = splitEscaped(value, ";").first
            case "EMAIL":
                let kind = types.contains("home") ? "home" : types.contains("work") ? "work" : "other"
                current?.request.emails?.append(EmailInput(address: unescape(value), kind: kind))
            case "TEL":
                let kind =
                    types.contains("cell")
                    ? "mobile"
                    : types.contains("fax")
                        ? "fax"
                        : types.contains("home")
                            ? "home"
                            : types.contains("work") ? "work" : "other"
                var number = unescape(value)
                if number.lowercased().hasPrefix("tel:") { number = String(number.dropFirst(4)) }
                current?.request.phones?.append(PhoneInput(number: number, kind: kind))
            case "ADR":
                let fields = splitEscaped(value, ";") + Array(repeating: "", count: 7)
                let address = Address(
                    street: fields[2].trimmed.nilIfEmpty, postalCode: fields[5].trimmed.nilIfEmpty, city: fields[3].trimmed.nilIfEmpty,
                    country: fields[6].count == 2 ? fields[6].uppercased() : nil)
                if !address.isEmpty { current?.request.address = address }
            case "BDAY":
                let digits = value.filter(\.isNumber)
                if digits.count == 8 {
                    let d = Array(digits)
                    current?.request.birthday = String(d[0..<4]) + "-" + String(d[4..<6]) + "-" + String(d[6..<8])
                }
            default:
                continue
            }
        }
        return cards
    }

    // MARK: - Text rules of RFC 6350

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ",", with: "\\,")
            .replacingOccurrences(of: ";", with: "\\;").replacingOccurrences(of: "\r\n", with: "\\n")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func unescape(_ text: String) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                result.append(character == "n" || character == "N" ? "\n" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Splits a structured value at unescaped separators and unescapes each part.
    static func splitEscaped(_ text: String, _ separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaping = false
        for character in text {
            if escaping {
                current.append("\\")
                current.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == separator {
                parts.append(unescape(current))
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(unescape(current))
        return parts
    }

    /// Lines longer than 75 octets are folded: CRLF and a space, never inside a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        var out = ""
        var count = 0
        for character in line {
            let size = String(character).utf8.count
            if count + size > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(character)
            count += size
        }
        return out
    }

    private static func unfold(_ text: String) -> [(line: Int, text: String)] {
        var lines: [(Int, String)] = []
        for (index, raw) in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            if (raw.hasPrefix(" ") || raw.hasPrefix("\t")), !lines.isEmpty {
                lines[lines.count - 1].1 += raw.dropFirst()
            } else if !raw.isEmpty {
                lines.append((index + 1, String(raw)))
            }
        }
        return lines
    }

    private static func firstUnquotedColon(in text: String) -> String.Index? {
        var quoted = false
        for index in text.indices {
            if text[index] == "\"" { quoted.toggle() }
            if text[index] == ":" && !quoted { return index }
        }
        return nil
    }

    private static func revision(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
