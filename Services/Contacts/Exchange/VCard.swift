import Contracts
import Foundation
import ServiceKit

/// vCard 4.0 (RFC 6350) for contacts: written with escaped values and folded lines; read as
/// phones write them too: 3.0, and 2.1 with bare types (`TEL;CELL`), QUOTED-PRINTABLE values
/// with soft line breaks and their CHARSET, and Apple's item groups (`item1.TEL` labelled by
/// `item1.X-ABLabel:_$!<Mobile>!$_`).
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
        var note: String?
        var url: String?
        /// The picture, when the card carries one inline (a link to elsewhere is not fetched).
        var photo: Photo?
    }

    struct Photo: Equatable {
        var data: Data
        var contentType: String
    }

    /// The largest picture taken from a card (phones write a few hundred KB at most).
    static let maxPhotoBytes = 5 << 20

    /// Reads every card in the text; a card without a name is an error naming its line.
    static func read(_ text: String) throws -> [(line: Int, card: Card)] {
        var cards: [(Int, Card)] = []
        var current: Card?
        var start = 0
        // A group's phone (`item1.TEL`), for the label that may follow it.
        var groupPhones: [String: Int] = [:]
        var addressPreferred = false
        for raw in unfold(text) {
            let line = raw.line
            guard let colon = firstUnquotedColon(in: raw.text) else { continue }
            let head = raw.text[..<colon]
            var value = String(raw.text[raw.text.index(after: colon)...])
            let parts = head.split(separator: ";").map(String.init)
            let qualified = (parts.first ?? "").uppercased().split(separator: ".").map(String.init)
            let name = qualified.last ?? ""
            let group = qualified.count > 1 ? qualified[0] : nil
            var types: [String] = []
            var quotedPrintable = false
            var base64 = false
            var charset = "utf-8"
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                if pair.count == 1 {
                    // 2.1: a bare type (`TEL;CELL;VOICE`), or the encoding by itself.
                    switch pair[0].uppercased() {
                    case "QUOTED-PRINTABLE": quotedPrintable = true
                    case "BASE64", "B": base64 = true
                    default: types.append(pair[0].lowercased())
                    }
                    continue
                }
                switch pair[0].uppercased() {
                case "TYPE": types += pair[1].lowercased().replacingOccurrences(of: "\"", with: "").split(separator: ",").map(String.init)
                case "ENCODING":
                    quotedPrintable = pair[1].uppercased() == "QUOTED-PRINTABLE"
                    base64 = ["B", "BASE64"].contains(pair[1].uppercased())
                case "CHARSET": charset = pair[1].lowercased().replacingOccurrences(of: "\"", with: "")
                default: break
                }
            }
            if quotedPrintable { value = decodeQuotedPrintable(value, charset: charset) }
            switch name {
            case "BEGIN" where value.uppercased() == "VCARD":
                groupPhones = [:]
                addressPreferred = false
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
            case "NOTE":
                let note = unescape(value).trimmed
                let earlier = current?.note
                if !note.isEmpty { current?.note = [earlier, note].compactMap { $0 }.joined(separator: "\n\n") }
            case "URL":
                let url = unescape(value).trimmed
                if !url.isEmpty, current?.url == nil { current?.url = url }
            case "PHOTO":
                if current?.photo == nil { current?.photo = photo(value, base64: base64, types: types) }
            case "EMAIL":
                // Without a kind, an address is taken as a work one: this is a customer database.
                let kind = types.contains("home") ? "home" : types.contains("other") ? "other" : "work"
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
                if let group, let count = current?.request.phones?.count { groupPhones[group] = count - 1 }
            case "X-ABLABEL":
                // Apple's label of a grouped property: `_$!<Mobile>!$_`, `iPhone`, or the user's own.
                guard let group, let index = groupPhones[group], let count = current?.request.phones?.count, index < count else { continue }
                let label = unescape(value).lowercased()
                let kind =
                    label.contains("mobile") || label.contains("iphone") || label.contains("cell")
                    ? "mobile" : label.contains("home") ? "home" : label.contains("work") ? "work" : label.contains("fax") ? "fax" : nil
                if let kind { current?.request.phones?[index].kind = kind }
            case "ADR":
                let fields = splitEscaped(value, ";") + Array(repeating: "", count: 7)
                let address = Address(
                    street: fields[2].trimmed.nilIfEmpty, postalCode: fields[5].trimmed.nilIfEmpty, city: fields[3].trimmed.nilIfEmpty,
                    country: ImportCountries.code(fields[6]))
                // One address per contact: the first, or a later one marked as work or preferred.
                let preferred = types.contains("work") || types.contains("pref")
                if !address.isEmpty, current?.request.address == nil || (preferred && !addressPreferred) {
                    current?.request.address = address
                    addressPreferred = preferred
                }
            case "BDAY":
                // `1970-03-14`, `19700314`, `1970-03-14T00:00:00Z`; a day without a year (`--0314`) is left out.
                let digits = value.prefix(10).filter(\.isNumber)
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

    /// An inline picture: base64 (`ENCODING=b` in 3.0, `ENCODING=BASE64` in 2.1) or a `data:`
    /// URI (4.0), of a type told by its bytes (JPEG, PNG, GIF, WebP); nil for anything else.
    static func photo(_ value: String, base64: Bool, types: [String]) -> Photo? {
        var encoded = Substring(value)
        if value.lowercased().hasPrefix("data:") {
            guard let comma = value.firstIndex(of: ","), value[..<comma].lowercased().hasSuffix(";base64") else { return nil }
            encoded = value[value.index(after: comma)...]
        } else if !base64 {
            return nil
        }
        // Four base64 characters make three bytes: a value too long is left before decoding.
        guard encoded.utf8.count / 4 * 3 <= maxPhotoBytes + 3,
            let data = Data(base64Encoded: String(encoded), options: .ignoreUnknownCharacters), !data.isEmpty,
            data.count <= maxPhotoBytes, let type = imageType(data)
        else { return nil }
        return Photo(data: data, contentType: type)
    }

    /// The image type its first bytes say, or nil.
    static func imageType(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(12))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if head.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if head.count == 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
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

    /// Whether a property line carries a base64 value (its parameters say so).
    private static func isBase64(_ line: String) -> Bool {
        guard let colon = firstUnquotedColon(in: line) else { return false }
        let head = line[..<colon].uppercased()
        return head.contains("ENCODING=B") || head.contains(";BASE64")
    }

    private static func unfold(_ text: String) -> [(line: Int, text: String)] {
        var lines: [(Int, String)] = []
        var softBreak = false
        for (index, raw) in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            if softBreak, !lines.isEmpty {
                // A QUOTED-PRINTABLE value's soft line break (`=` at the end): the next line goes on.
                lines[lines.count - 1].1.removeLast()
                lines[lines.count - 1].1 += raw
            } else if (raw.hasPrefix(" ") || raw.hasPrefix("\t")), !lines.isEmpty {
                lines[lines.count - 1].1 += raw.dropFirst()
            } else if !raw.isEmpty, !raw.contains(":"), let last = lines.last, isBase64(last.1) {
                // 2.1 writers go on with a base64 value on lines of their own, up to a blank line.
                lines[lines.count - 1].1 += raw
            } else if !raw.isEmpty {
                lines.append((index + 1, String(raw)))
            } else {
                softBreak = false
                continue
            }
            let current = lines[lines.count - 1].1
            softBreak =
                current.hasSuffix("=") && current.uppercased().contains("QUOTED-PRINTABLE")
                && firstUnquotedColon(in: current).map { current.uppercased()[..<$0].contains("QUOTED-PRINTABLE") } == true
        }
        return lines
    }

    /// A QUOTED-PRINTABLE value (`=C3=98deg=C3=A5rd`) in its charset (UTF-8 unless it says
    /// ISO-8859-1 or Windows-1252); a broken escape is kept as it is.
    static func decodeQuotedPrintable(_ text: String, charset: String) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        while index < utf8.count {
            if utf8[index] == 61, index + 2 < utf8.count, let high = hex(utf8[index + 1]), let low = hex(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        if ["iso-8859-1", "latin1", "windows-1252", "cp1252"].contains(charset) {
            return String(bytes.map { Character(Unicode.Scalar($0)) })
        }
        return String(decoding: bytes, as: UTF8.self)
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
