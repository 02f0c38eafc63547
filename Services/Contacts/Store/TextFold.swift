import Foundation

/// Text as search and header matching compare it: lower case, accents taken off, and the
/// letters Unicode gives no accent to spelt the way people type them without (`ø` o, `æ` ae,
/// `ł` l, `ß` ss): `Ødegård` is `odegard`, `Łódź` `lodz`, `Müller` `muller`, `Imię` `imie`.
/// Everything else (spaces, digits, punctuation, other scripts) is kept as it is.
enum TextFold {
    static func plain(_ text: String) -> String {
        let lower = text.lowercased()
        if lower.utf8.allSatisfy({ $0 < 0x80 }) { return lower }
        var folded = String.UnicodeScalarView()
        for scalar in lower.decomposedStringWithCanonicalMapping.unicodeScalars {
            if let spelt = spelling[scalar] {
                folded.append(contentsOf: spelt.unicodeScalars)
            } else if scalar.properties.generalCategory != .nonspacingMark {
                folded.append(scalar)
            }
        }
        return String(folded)
    }

    /// Whether folding changes anything but case (a name that folds to itself needs no plain form).
    static func differs(_ text: String) -> Bool { !text.utf8.allSatisfy({ $0 < 0x80 }) && plain(text) != text.lowercased() }

    /// Latin letters with no canonical decomposition, as written without them.
    private static let spelling: [Unicode.Scalar: String] = [
        "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ŀ": "l", "ħ": "h",
        "ŧ": "t", "ƒ": "f",
    ]
}
