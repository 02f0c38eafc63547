import Contracts
import Foundation

/// ISO 4217 currencies and their minor units; amounts are integers of minor units, never
/// added across currencies.
enum Money {
    /// The active codes whose minor unit is not 2 (0 or 3 decimals); every other listed code has 2.
    static let exponents: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0,
        "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    ]
    /// Active ISO 4217 codes with two decimals (the common ones a CRM meets).
    static let twoDecimals: Set<String> = [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD", "BND", "BOB", "BRL",
        "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP",
        "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
        "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD",
        "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN",
        "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD",
        "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VES",
        "WST", "XCD", "YER", "ZAR", "ZMW", "ZWL",
    ]
    /// The largest value a deal may have, in minor units: a million deals of it still sum in an Int64.
    static let maxValue: Int64 = 1_000_000_000_000

    static func isKnown(_ code: String) -> Bool { twoDecimals.contains(code) || exponents[code] != nil }

    /// A budget entered in main units (12500.50) in minor units, or nil when it does not fit.
    static func minorUnits(_ amount: Double, currency: String) -> Int64? {
        let scaled = (amount * pow(10, Double(exponents[currency] ?? 2))).rounded()
        guard scaled.isFinite, abs(scaled) < 9e15 else { return nil }
        return Int64(scaled)
    }

    /// `value * probability / 100`, rounded down (value and probability are bounded, so it fits).
    static func weighted(_ value: Int64, _ probability: Int) -> Int64 { value * Int64(probability) / 100 }

    /// Per-currency sums as the wire's list, sorted by currency.
    static func totals(_ sums: [String: Int64]) -> [MoneyTotal] {
        sums.sorted { $0.key < $1.key }.map { MoneyTotal(currency: $0.key, amount: $0.value) }
    }
}
