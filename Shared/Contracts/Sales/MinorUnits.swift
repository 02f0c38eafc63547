/// Amounts in a currency's minor units (øre, cents) as people read them: ISO 4217 says how many
/// decimals each currency has (2 unless listed here). One table for sales, the history and the UI.
public enum MinorUnits {
    /// The active codes whose minor unit is not 2 decimals.
    public static let exceptions: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0,
        "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    ]

    public static func decimals(_ currency: String) -> Int { exceptions[currency] ?? 2 }

    /// `1250000` NOK as `12500.00`, or with `grouped` as `12 500.00` (narrow no-break spaces).
    public static func text(_ minor: Int64, _ currency: String, grouped: Bool = false) -> String {
        let decimals = decimals(currency)
        var unit: Int64 = 1
        for _ in 0..<decimals { unit *= 10 }
        let sign = minor < 0 ? "-" : ""
        let magnitude = minor.magnitude
        let whole = String(magnitude / UInt64(unit))
        var shown = ""
        for (index, character) in whole.enumerated() {
            if grouped && index > 0 && (whole.count - index) % 3 == 0 { shown.append("\u{202F}") }
            shown.append(character)
        }
        guard decimals > 0 else { return sign + shown }
        let fraction = String(magnitude % UInt64(unit))
        return sign + shown + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// What someone typed (`12 500,50`, `12500.5`, `12'500`) in minor units of `currency`; nil
    /// when it is not an amount of at most the currency's decimals that fits.
    public static func parse(_ typed: String, currency: String) -> Int64? {
        guard typed.utf8.count <= 64 else { return nil }
        let cleaned = typed.filter { !$0.isWhitespace && $0 != "'" }.replacingOccurrences(of: ",", with: ".")
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard cleaned.utf8.contains(where: { (48...57).contains($0) }), parts.count <= 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { (48...57).contains($0) } })
        else { return nil }
        guard parts[0].utf8.count <= 18, let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0])) else { return nil }
        let decimals = decimals(currency)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.utf8.count <= decimals else { return nil }
        var unit: Int64 = 1
        for _ in 0..<decimals { unit *= 10 }
        let padded = fraction + String(repeating: "0", count: decimals - fraction.utf8.count)
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: unit)
        let (total, overflowAgain) = scaled.addingReportingOverflow(Int64(padded.isEmpty ? "0" : padded) ?? 0)
        return overflow || overflowAgain ? nil : total
    }
}
