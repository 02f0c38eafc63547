import Foundation

/// Turns phone numbers as PBXs, people and CSV files write them into E.164 (`+4791234567`).
/// It reads `+` and international prefixes (`00`, `011`, `810`, ...), national numbers with or
/// without a trunk prefix in the configured default country, `sip:`/`tel:`/`whatsapp:` URIs,
/// `"Name" <number>` caller ids and punctuation. Extensions (`105`, `Ext.315`), `anonymous` and
/// anything else it cannot read give nil: the caller keeps the raw text and matches it exactly.
public struct PhoneNormalizer: Sendable {
    /// Dialling rules of one country.
    struct Country: Sendable {
        let callingCode: String
        let trunkPrefix: String?
        let internationalPrefixes: [String]
        /// Length of a national number without trunk prefix, when the plan is closed (NO: 8).
        let nationalLengths: ClosedRange<Int>
    }

    static let countries: [String: Country] = [
        "NO": Country(callingCode: "47", trunkPrefix: nil, internationalPrefixes: ["00"], nationalLengths: 8...8),
        "DK": Country(callingCode: "45", trunkPrefix: nil, internationalPrefixes: ["00"], nationalLengths: 8...8),
        "SE": Country(callingCode: "46", trunkPrefix: "0", internationalPrefixes: ["00"], nationalLengths: 7...9),
        "FI": Country(callingCode: "358", trunkPrefix: "0", internationalPrefixes: ["00", "990", "994", "999"], nationalLengths: 5...10),
        "DE": Country(callingCode: "49", trunkPrefix: "0", internationalPrefixes: ["00"], nationalLengths: 5...13),
        "NL": Country(callingCode: "31", trunkPrefix: "0", internationalPrefixes: ["00"], nationalLengths: 9...9),
        "FR": Country(callingCode: "33", trunkPrefix: "0", internationalPrefixes: ["00"], nationalLengths: 9...9),
        "GB": Country(callingCode: "44", trunkPrefix: "0", internationalPrefixes: ["00"], nationalLengths: 9...10),
        "IE": Country(callingCode: "353", trunkPrefix: "0", internationalPrefixes: ["00"], nationalLengths: 7...9),
        "ES": Country(callingCode: "34", trunkPrefix: nil, internationalPrefixes: ["00"], nationalLengths: 9...9),
        "PL": Country(callingCode: "48", trunkPrefix: nil, internationalPrefixes: ["00"], nationalLengths: 9...9),
        "US": Country(callingCode: "1", trunkPrefix: "1", internationalPrefixes: ["011"], nationalLengths: 10...10),
        "CA": Country(callingCode: "1", trunkPrefix: "1", internationalPrefixes: ["011"], nationalLengths: 10...10),
        "RU": Country(callingCode: "7", trunkPrefix: "8", internationalPrefixes: ["810"], nationalLengths: 10...10),
        "AU": Country(callingCode: "61", trunkPrefix: "0", internationalPrefixes: ["0011"], nationalLengths: 9...9),
        "IN": Country(callingCode: "91", trunkPrefix: "0", internationalPrefixes: ["00"], nationalLengths: 10...10),
    ]

    /// Whether `code` (ISO 3166 alpha-2) has dialling rules here.
    public static func isKnownCountry(_ code: String) -> Bool { countries[code] != nil }

    private let country: Country
    /// The country's international prefixes, longest first (`0011` before `00`).
    private let internationalPrefixes: [String]

    /// - Parameter defaultCountry: ISO 3166 alpha-2 code used for national numbers; an unknown
    ///   code falls back to Norway (configuration validates it first).
    public init(defaultCountry: String) {
        country = Self.countries[defaultCountry.uppercased()] ?? Self.countries["NO"]!
        internationalPrefixes = country.internationalPrefixes.sorted { $0.count > $1.count }
    }

    /// The E.164 form of `raw`, or nil when it is not a public phone number.
    public func e164(_ raw: String) -> String? {
        var digits: String
        let hasPlus: Bool
        if let plain = Self.plainDigits(raw) {
            (digits, hasPlus) = plain
        } else {
            guard let text = Self.unwrap(raw) else { return nil }
            digits = text.filter { !" -.()/\u{00A0}\t".contains($0) }
            hasPlus = digits.hasPrefix("+")
            if hasPlus { digits.removeFirst() }
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if hasPlus { return Self.plausible(digits) }
        for prefix in internationalPrefixes where digits.hasPrefix(prefix) {
            return Self.plausible(String(digits.dropFirst(prefix.count)))
        }
        if let trunk = country.trunkPrefix, digits.hasPrefix(trunk) {
            let national = String(digits.dropFirst(trunk.count))
            guard country.nationalLengths.contains(national.count) else { return nil }
            return Self.plausible(country.callingCode + national)
        }
        if country.nationalLengths.contains(digits.count) { return Self.plausible(country.callingCode + digits) }
        // The country's own calling code without `+` or `00`, as trunks often present callers.
        if digits.hasPrefix(country.callingCode), country.nationalLengths.contains(digits.count - country.callingCode.count) {
            return Self.plausible(digits)
        }
        return nil
    }

    /// A number written with digits and ASCII punctuation only (the usual case: `912 34 567`,
    /// `+47 (22) 33-44-55`), read on its bytes: its digits and whether a `+` led them. nil sends
    /// anything else (URIs, caller ids, letters, other spaces) the general way, which answers the
    /// same for these; an import normalises every phone of every row.
    static func plainDigits(_ raw: String) -> (digits: String, plus: Bool)? {
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var plus = false
        for byte in raw.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: "+") where digits.isEmpty && !plus: plus = true
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "/"),
                UInt8(ascii: "\t"):
                continue
            default: return nil
            }
        }
        return (String(decoding: digits, as: UTF8.self), plus)
    }

    /// The extension in `105`, `Ext.315`, `"Reception" <105>`, `sip:105@pbx` or a channel name
    /// (`SIP/105-0000001a`, `PJSIP/105-00000002`, `Local/105@from-internal-00000001;2`): 2 to 6
    /// digits. nil for anything else, public numbers included.
    public static func extensionNumber(_ raw: String) -> String? {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if let slash = text.firstIndex(of: "/"), text[..<slash].allSatisfy({ $0.isLetter }) {
            // A channel: technology/resource-suffix.
            text = String(text[text.index(after: slash)...])
            if let end = text.firstIndex(where: { $0 == "-" || $0 == "@" || $0 == ";" }) { text = String(text[..<end]) }
        }
        guard var inner = unwrap(text) else { return nil }
        for prefix in ["ext.", "ext", "x"] where inner.lowercased().hasPrefix(prefix) {
            inner = String(inner.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            break
        }
        guard (2...6).contains(inner.count), inner.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return inner
    }

    /// The number inside URIs and caller-id decorations, or nil for withheld numbers.
    public static func unwrap(_ raw: String) -> String? {
        var text = raw.trimmed
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            text = String(text[text.index(after: open)..<close])
        }
        let lower = text.lowercased()
        for scheme in ["sips:", "sip:", "tel:", "whatsapp:"] where lower.hasPrefix(scheme) {
            text = String(text.dropFirst(scheme.count))
            break
        }
        if let at = text.firstIndex(of: "@") { text = String(text[..<at]) }
        if let semicolon = text.firstIndex(of: ";") { text = String(text[..<semicolon]) }
        text = text.trimmed
        let withheld: Set<String> = ["", "unknown", "anonymous", "private", "restricted", "unavailable", "withheld"]
        return withheld.contains(text.lowercased()) ? nil : text
    }

    /// E.164 allows up to 15 digits; fewer than 7 is no public number anywhere.
    static func plausible(_ digits: String) -> String? {
        guard (7...15).contains(digits.count), !digits.hasPrefix("0") else { return nil }
        return "+" + digits
    }
}
