import Foundation
import NotificationsCore
import ServiceKit

/// The SMS settings (the operator's contract, in docs/configuration and the README):
/// `CRM_SMS_PROVIDER` (`twilio` or `vonage`; unset: SMS are queued and wait), `CRM_SMS_FROM`,
/// `CRM_SMS_FROM_MARKETING` (the sender profile of marketing, e.g. an alphanumeric name; default
/// `CRM_SMS_FROM`), `CRM_SMS_RATE` (segments a second per sender), Twilio's `CRM_TWILIO_API_URL`,
/// `CRM_TWILIO_ACCOUNT_SID`, `CRM_TWILIO_AUTH_TOKEN`; Vonage's `CRM_VONAGE_API_URL`,
/// `CRM_VONAGE_REPORTS_URL`, `CRM_VONAGE_API_KEY`, `CRM_VONAGE_API_SECRET`; `CRM_PUBLIC_URL`
/// (the callback URLs given to providers), `CRM_SMS_STOP_WORDS` (opt-out words besides STOP;
/// default `STOPP,AVMELD`), `CRM_SMS_QUIET_HOURS` (`08:00-21:00`), `CRM_SMS_TIME_ZONE`,
/// `CRM_SMS_PRICE` (minor units per segment) with `CRM_SMS_CURRENCY`, `CRM_SMS_FAILURE_THRESHOLD`
/// (the share of failures that pauses a batch, default 0.2), `CRM_SMS_RECONCILE_AFTER` (seconds
/// before an ambiguous send is looked up at the provider, default 30).
struct SMSOptions: Sendable {
    enum Provider: Sendable, Equatable {
        case twilio(apiURL: String, accountSid: String, authToken: String)
        case vonage(apiURL: String, reportsURL: String, key: String, secret: String)

        var name: String {
            switch self {
            case .twilio: "twilio"
            case .vonage: "vonage"
            }
        }
    }

    var provider: Provider?
    /// The sender of service messages, and of marketing unless `marketingFrom` says otherwise.
    var from: String
    var marketingFrom: String?
    var rate: Double
    var publicURL: String?
    var stopWords: OptOutKeywords
    var quietHours: QuietHours
    var priceMinor: Int?
    var currency: String?
    var failureThreshold: Double
    var reconcileAfter: TimeInterval

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SMSOptions {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        func required(_ name: String, for provider: String) throws -> String {
            guard let text = value(name) else { throw ConfigError("CRM_SMS_PROVIDER=\(provider) needs \(name)") }
            return text
        }
        func url(_ name: String, default fallback: String) throws -> String {
            let text = value(name) ?? fallback
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigError("\(name) '\(text)' is not an http(s) URL")
            }
            return text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        var provider: Provider?
        switch value("CRM_SMS_PROVIDER")?.lowercased() {
        case nil: provider = nil
        case "twilio":
            provider = .twilio(
                apiURL: try url("CRM_TWILIO_API_URL", default: "https://api.twilio.com"),
                accountSid: try required("CRM_TWILIO_ACCOUNT_SID", for: "twilio"),
                authToken: try required("CRM_TWILIO_AUTH_TOKEN", for: "twilio"))
        case "vonage":
            provider = .vonage(
                apiURL: try url("CRM_VONAGE_API_URL", default: "https://rest.nexmo.com"),
                reportsURL: try url("CRM_VONAGE_REPORTS_URL", default: "https://api.nexmo.com"),
                key: try required("CRM_VONAGE_API_KEY", for: "vonage"), secret: try required("CRM_VONAGE_API_SECRET", for: "vonage"))
        case let other?: throw ConfigError("CRM_SMS_PROVIDER is twilio or vonage, not '\(other)'")
        }
        let rate =
            try value("CRM_SMS_RATE").map { text -> Double in
                guard let rate = Double(text), rate > 0, rate <= 100_000 else {
                    throw ConfigError("CRM_SMS_RATE is segments a second, above 0 and at most 100000, not '\(text)'")
                }
                return rate
            } ?? 10
        let zoneName = value("CRM_SMS_TIME_ZONE") ?? "Europe/Oslo"
        guard let zone = TimeZone(identifier: zoneName) else { throw ConfigError("CRM_SMS_TIME_ZONE '\(zoneName)' is not an IANA zone") }
        var quiet = QuietHours(defaultZone: zone)
        if let text = value("CRM_SMS_QUIET_HOURS") {
            guard let parsed = QuietHours.parse(text, defaultZone: zone) else {
                throw ConfigError("CRM_SMS_QUIET_HOURS is the sending window as HH:MM-HH:MM, not '\(text)'")
            }
            quiet = parsed
        }
        let price = try value("CRM_SMS_PRICE").map { text -> Int in
            guard let price = Int(text), price >= 0, price <= 1_000_000 else {
                throw ConfigError("CRM_SMS_PRICE is the price of one segment in minor units, not '\(text)'")
            }
            return price
        }
        let threshold =
            try value("CRM_SMS_FAILURE_THRESHOLD").map { text -> Double in
                guard let share = Double(text), share > 0, share <= 1 else {
                    throw ConfigError("CRM_SMS_FAILURE_THRESHOLD is a share above 0 and at most 1, not '\(text)'")
                }
                return share
            } ?? 0.2
        let reconcile =
            try value("CRM_SMS_RECONCILE_AFTER").map { text -> TimeInterval in
                guard let seconds = Double(text), seconds >= 0, seconds <= 86_400 else {
                    throw ConfigError("CRM_SMS_RECONCILE_AFTER is seconds, 0 to 86400, not '\(text)'")
                }
                return seconds
            } ?? 30
        let stop = (value("CRM_SMS_STOP_WORDS") ?? "STOPP,AVMELD").split(separator: ",").map(String.init)
        return SMSOptions(
            provider: provider, from: value("CRM_SMS_FROM") ?? "CRM", marketingFrom: value("CRM_SMS_FROM_MARKETING"), rate: rate,
            publicURL: value("CRM_PUBLIC_URL").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 },
            stopWords: OptOutKeywords(extra: stop), quietHours: quiet, priceMinor: price,
            currency: value("CRM_SMS_CURRENCY")?.uppercased() ?? (price == nil ? nil : "NOK"), failureThreshold: threshold,
            reconcileAfter: reconcile)
    }

    /// The sender profile of a purpose: the number or name its messages come from (each sender
    /// paced on its own).
    func sender(for purpose: String) -> String { purpose == "marketing" ? (marketingFrom ?? from) : from }

    /// The status-callback URL for one message (Twilio signs it, our id rides in it).
    func callbackURL(for id: Int64) -> String? {
        guard let publicURL, let provider else { return nil }
        switch provider {
        case .twilio: return "\(publicURL)/api/v1/notifications/twilio/status?message=\(id)"
        case .vonage: return "\(publicURL)/api/v1/notifications/vonage/receipt"
        }
    }
}
