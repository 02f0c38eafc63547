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

    public init(_ text: String) {
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
        forcingUCS2 = forcing
        // The cost of each character in the chosen encoding; a part never splits one (an
        // escape and its character, or a surrogate pair, travel in the same part).
        let costs: [Int]
        if forcing.isEmpty {
            encoding = .gsm7
            units = septets
            perSegment = septets <= 160 ? 160 : 153
            costs = text.flatMap { character in character.unicodeScalars.map { Self.extended.contains($0) ? 2 : 1 } }
        } else {
            encoding = .ucs2
            units = text.utf16.count
            perSegment = units <= 70 ? 70 : 67
            costs = text.unicodeScalars.map { $0.utf16.count }
        }
        if units <= (encoding == .gsm7 ? 160 : 70) {
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
}
