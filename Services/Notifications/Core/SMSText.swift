import Foundation

/// How an SMS text travels: in the GSM 03.38 7-bit alphabet (160 characters in one message,
/// 153 in each part of a longer one; the extension characters `^{}\[~]|€` and form feed take
/// two), or, when any character is outside it, in UCS-2 (70, and 67 per part; a character
/// outside the Basic Multilingual Plane, such as most emoji, takes two UTF-16 units). Providers
/// bill per part, so the preview names the characters that forced UCS-2: replacing them is
/// often the cheapest edit.
public struct SMSText: Sendable, Equatable {
    public enum Encoding: String, Sendable, Codable {
        case gsm7 = "GSM-7"
        case ucs2 = "UCS-2"
    }

    public let encoding: Encoding
    /// Septets (GSM-7) or UTF-16 units (UCS-2) the text takes.
    public let units: Int
    /// Parts the provider sends (and bills).
    public let segments: Int
    /// Units that fit in one part at this length (160/153 or 70/67).
    public let perSegment: Int
    /// The characters outside GSM-7, in the order they first appear, each once.
    public let forcingUCS2: [Character]

    /// GSM 03.38's basic table (one septet each), as Unicode scalars.
    static let basic: Set<Unicode.Scalar> = {
        let characters =
            "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1B}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
        return Set(characters.unicodeScalars)
    }()

    /// The extension table, reached by an escape: two septets each.
    static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)

    /// Which ASCII bytes are in GSM-7's basic table, and which take an escape (two septets).
    static let asciiCost: [UInt8] = (0..<128).map { byte in
        let scalar = Unicode.Scalar(UInt8(byte))
        return basic.contains(scalar) ? 1 : extended.contains(scalar) ? 2 : 0
    }

    public init(_ text: String) {
        // Most texts are ASCII: counted byte by byte, without building Characters.
        if let ascii = Self.asciiOnly(text) {
            self = ascii
            return
        }
        self.init(general: text)
    }

    /// The count of an all-ASCII text in GSM-7 (nil when a byte is not ASCII, or not in GSM-7).
    static func asciiOnly(_ text: String) -> SMSText? {
        var septets = 0
        var costs: [Int] = []
        costs.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            guard byte < 128 else { return nil }
            let cost = Int(asciiCost[Int(byte)])
            guard cost > 0 else { return nil }
            // "\r\n" is one Character but two septets, as the general count has it.
            septets += cost
            costs.append(cost)
        }
        return SMSText(encoding: .gsm7, units: septets, costs: costs, forcing: [])
    }

    init(encoding: Encoding, units: Int, costs: [Int], forcing: [Character]) {
        self.encoding = encoding
        self.units = units
        forcingUCS2 = forcing
        let single = encoding == .gsm7 ? 160 : 70
        perSegment = units <= single ? single : (encoding == .gsm7 ? 153 : 67)
        if units <= single {
            segments = 1
        } else {
            var parts = 1
            var used = 0
            for cost in costs {
                if used + cost > perSegment {
                    parts += 1
                    used = 0
                }
                used += cost
            }
            segments = parts
        }
    }

    init(general text: String) {
        var septets = 0
        var forcing: [Character] = []
        var seen = Set<Character>()
        for character in text {
            var cost = 0
            var fits = true
            for scalar in character.unicodeScalars {
                if Self.basic.contains(scalar) {
                    cost += 1
                } else if Self.extended.contains(scalar) {
                    cost += 2
                } else {
                    fits = false
                }
            }
            if fits {
                septets += cost
            } else if seen.insert(character).inserted {
                forcing.append(character)
            }
        }
        // The cost of each character in the chosen encoding; a part never splits one (an
        // escape and its character, or a surrogate pair, travel in the same part).
        if forcing.isEmpty {
            let costs = text.flatMap { character in character.unicodeScalars.map { Self.extended.contains($0) ? 2 : 1 } }
            self.init(encoding: .gsm7, units: septets, costs: costs, forcing: [])
        } else {
            self.init(encoding: .ucs2, units: text.utf16.count, costs: text.unicodeScalars.map { $0.utf16.count }, forcing: forcing)
        }
    }
}
