import Contracts
import Foundation

/// ISO 4217 currencies and their minor units; amounts are integers of minor units, never
/// added across currencies.
enum Money {
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

    static func isKnown(_ code: String) -> Bool { twoDecimals.contains(code) || MinorUnits.exceptions[code] != nil }

    /// A budget entered in main units (12500.50) in minor units, or nil when it does not fit.
    static func minorUnits(_ amount: Double, currency: String) -> Int64? {
        let scaled = (amount * pow(10, Double(MinorUnits.decimals(currency)))).rounded()
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
