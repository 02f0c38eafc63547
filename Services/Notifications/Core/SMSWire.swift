import Foundation
import ServiceKit

/// One SMS as a provider is asked to send it. `reference` is our message id: it travels in the
/// status-callback URL (Twilio) and as `client-ref` (Vonage), so a receipt finds the message
/// even when the create response was lost.
public struct SMSSubmission: Sendable, Equatable {
    public var reference: Int64
    public var to: String
    public var from: String
    public var text: String
    public var callbackURL: String?

    public init(reference: Int64, to: String, from: String, text: String, callbackURL: String?) {
        self.reference = reference
        self.to = to
        self.from = from
        self.text = text
        self.callbackURL = callbackURL
    }
}

/// What a provider answered to one send.
public enum SMSSendOutcome: Sendable, Equatable {
    /// Taken: the provider's id and status (`queued`, `accepted`, `sent`, ...).
    case accepted(providerId: String, status: String)
    /// Slow down (HTTP 429, Twilio 20429, Vonage status 1); nothing was sent.
    case throttled(retryAfter: TimeInterval?, code: String)
    /// Not sent this time, may work later (5xx, Vonage 5): retried.
    case temporary(code: String, text: String)
    /// Never: bad number, unknown sender, refused content. Not retried.
    case permanent(code: String, text: String)
    /// The recipient opted out at the provider (Twilio 21610): opted out here too.
    case optedOut(code: String, text: String)
    /// We cannot tell whether it was taken (the connection broke after the request went out):
    /// reconciled with the provider before anything is sent again.
    case ambiguous(reason: String)
}

/// A delivery receipt or status callback, whichever provider sent it.
public struct SMSReceipt: Sendable, Equatable {
    /// Our message id when the callback carried it.
    public var reference: Int64?
    public var providerId: String?
    /// Our state: `sent`, `delivered`, `undelivered` or `failed`.
    public var state: String
    public var errorCode: String?
    public var to: String?

    public init(reference: Int64?, providerId: String?, state: String, errorCode: String?, to: String?) {
        self.reference = reference
        self.providerId = providerId
        self.state = state
        self.errorCode = errorCode
        self.to = to
    }
}

/// An SMS someone sent to one of our numbers.
public struct SMSInbound: Sendable, Equatable {
    public var from: String
    public var to: String
    public var text: String
    public var providerId: String?

    public init(from: String, to: String, text: String, providerId: String?) {
        self.from = from
        self.to = to
        self.text = text
        self.providerId = providerId
    }
}

public struct SMSWireError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Twilio's Messages API and webhooks.
public enum TwilioWire {
    /// Error codes that mean the message can never go: invalid or unreachable numbers, blocked content.
    static let permanentCodes: Set<String> = ["21211", "21212", "21408", "21612", "21614", "21617", "30004", "30005", "30006", "30007"]
    static let optOutCodes: Set<String> = ["21610"]

    public static func messagesPath(account: String) -> String { "/2010-04-01/Accounts/\(account)/Messages.json" }

    public static func form(_ sms: SMSSubmission) -> String {
        var fields = [("To", sms.to), ("From", sms.from), ("Body", sms.text)]
        if let callback = sms.callbackURL { fields.append(("StatusCallback", callback)) }
        return fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    public static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The answer to a create: 201 with `sid`, or an error object with `code` and `message`.
    public static func outcome(status: Int, body: Data, retryAfter: TimeInterval?) -> SMSSendOutcome {
        let json = (try? JSONSerialization.jsonObject(with: body.prefix(1 << 16))) as? [String: Any] ?? [:]
        let code = (json["code"] as? NSNumber)?.stringValue ?? (json["code"] as? String) ?? String(status)
        let text = String(((json["message"] as? String) ?? "HTTP \(status)").prefix(300))
        if (200..<300).contains(status), let sid = json["sid"] as? String, !sid.isEmpty {
            return .accepted(providerId: String(sid.prefix(64)), status: (json["status"] as? String) ?? "queued")
        }
        if (200..<300).contains(status) { return .ambiguous(reason: "Twilio answered \(status) without a message sid") }
        if status == 429 || code == "20429" { return .throttled(retryAfter: retryAfter, code: code) }
        if optOutCodes.contains(code) { return .optedOut(code: code, text: text) }
        if status >= 500 { return .temporary(code: code, text: text) }
        if permanentCodes.contains(code) || (400..<500).contains(status) { return .permanent(code: code, text: text) }
        return .temporary(code: code, text: text)
    }

    /// Messages the account sent (a list answer), for reconciliation: sid, to, from, body, status.
    public static func listed(_ body: Data) -> [(sid: String, to: String, from: String, body: String, status: String)] {
        guard let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], let messages = json["messages"] as? [Any]
        else { return [] }
        return messages.compactMap { item in
            guard let message = item as? [String: Any], let sid = message["sid"] as? String else { return nil }
            return (
                sid, message["to"] as? String ?? "", message["from"] as? String ?? "", message["body"] as? String ?? "",
                message["status"] as? String ?? ""
            )
        }
    }

    /// Twilio's MessageStatus in our states (nil: a step we do not record, such as `sending`).
    public static func state(_ status: String) -> String? {
        switch status.lowercased() {
        case "queued", "accepted", "scheduled", "sending", "sent": return "sent"
        case "delivered", "read": return "delivered"
        case "undelivered": return "undelivered"
        case "failed", "canceled": return "failed"
        default: return nil
        }
    }

    /// A status callback (form fields) with our reference from its URL's `message` parameter.
    public static func receipt(form: String, reference: Int64?) throws -> SMSReceipt {
        let fields = FormEncoding.fields(form)
        guard let status = fields["MessageStatus"] ?? fields["SmsStatus"], let state = state(status) else {
            throw SMSWireError("a Twilio status callback needs a known MessageStatus")
        }
        let sid = fields["MessageSid"] ?? fields["SmsSid"]
        guard sid != nil || reference != nil else { throw SMSWireError("a Twilio status callback needs MessageSid") }
        let code = fields["ErrorCode"].flatMap { $0.isEmpty || $0 == "0" ? nil : String($0.prefix(16)) }
        return SMSReceipt(
            reference: reference, providerId: sid.map { String($0.prefix(64)) }, state: state, errorCode: code, to: fields["To"])
    }

    public static func inbound(form: String) throws -> SMSInbound {
        let fields = FormEncoding.fields(form)
        guard let from = fields["From"], !from.isEmpty, let body = fields["Body"] else {
            throw SMSWireError("an inbound Twilio message needs From and Body")
        }
        return SMSInbound(
            from: String(from.prefix(64)), to: String((fields["To"] ?? "").prefix(64)), text: String(body.prefix(1600)),
            providerId: fields["MessageSid"].map { String($0.prefix(64)) })
    }
}

/// Vonage's SMS API (`/sms/json`) and its webhooks.
public enum VonageWire {
    public static func form(_ sms: SMSSubmission, key: String, secret: String, unicode: Bool) -> String {
        var fields = [
            ("api_key", key), ("api_secret", secret), ("from", sms.from), ("to", digits(sms.to)), ("text", sms.text),
            ("client-ref", String(sms.reference)),
        ]
        if unicode { fields.append(("type", "unicode")) }
        if let callback = sms.callbackURL { fields.append(("callback", callback)) }
        return fields.map { "\(TwilioWire.escape($0.0))=\(TwilioWire.escape($0.1))" }.joined(separator: "&")
    }

    /// Vonage writes numbers without the plus.
    public static func digits(_ number: String) -> String { number.hasPrefix("+") ? String(number.dropFirst()) : number }

    /// The answer: `messages[]` with `status` "0" (taken) for each part; "1" throttled.
    public static func outcome(status: Int, body: Data, retryAfter: TimeInterval?) -> SMSSendOutcome {
        if status == 429 { return .throttled(retryAfter: retryAfter, code: "429") }
        if status >= 500 { return .temporary(code: String(status), text: "HTTP \(status)") }
        guard let json = (try? JSONSerialization.jsonObject(with: body.prefix(1 << 16))) as? [String: Any],
            let messages = json["messages"] as? [[String: Any]], !messages.isEmpty
        else {
            if (200..<300).contains(status) { return .ambiguous(reason: "Vonage answered \(status) without messages") }
            return .permanent(code: String(status), text: "HTTP \(status)")
        }
        // A long text is several parts; the message is taken when every part is.
        for part in messages {
            let code = (part["status"] as? String) ?? (part["status"] as? NSNumber)?.stringValue ?? "?"
            let text = String(((part["error-text"] as? String) ?? "status \(code)").prefix(300))
            switch code {
            case "0": continue
            case "1": return .throttled(retryAfter: retryAfter, code: "1")
            case "5": return .temporary(code: code, text: text)
            default: return .permanent(code: code, text: text)
            }
        }
        let id = messages.first?["message-id"] as? String ?? ""
        return id.isEmpty
            ? .ambiguous(reason: "Vonage took the message without an id") : .accepted(providerId: String(id.prefix(64)), status: "accepted")
    }

    public static func state(_ status: String) -> String? {
        switch status.lowercased() {
        case "accepted", "buffered": return "sent"
        case "delivered": return "delivered"
        case "expired", "failed": return "undelivered"
        case "rejected": return "failed"
        default: return nil
        }
    }

    /// A delivery receipt: JSON, a form or a query string (Vonage sends any of them).
    public static func receipt(_ fields: [String: String]) throws -> SMSReceipt {
        guard let status = fields["status"], let state = state(status) else {
            throw SMSWireError("a Vonage delivery receipt needs a known status")
        }
        let reference = fields["client-ref"].flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
        let id = fields["messageId"] ?? fields["message-id"]
        guard id != nil || reference != nil else { throw SMSWireError("a Vonage delivery receipt needs messageId") }
        let code = fields["err-code"].flatMap { $0.isEmpty || $0 == "0" ? nil : String($0.prefix(16)) }
        let to = fields["msisdn"].map { "+" + digits($0) }
        return SMSReceipt(reference: reference, providerId: id.map { String($0.prefix(64)) }, state: state, errorCode: code, to: to)
    }

    public static func inbound(_ fields: [String: String]) throws -> SMSInbound {
        guard let from = fields["msisdn"], !from.isEmpty, let text = fields["text"] else {
            throw SMSWireError("an inbound Vonage message needs msisdn and text")
        }
        return SMSInbound(
            from: "+" + digits(String(from.prefix(32))), to: "+" + digits(String((fields["to"] ?? "").prefix(32))),
            text: String(text.prefix(1600)), providerId: fields["messageId"].map { String($0.prefix(64)) })
    }

    /// The fields of a webhook body, JSON (strings and numbers) or form-encoded.
    public static func fields(_ body: Data) -> [String: String] { FormEncoding.webhookFields(body) }
}

/// Words that opt a number out when they are the whole inbound text (any case, spaces and
/// punctuation around them ignored): the carriers' English ones and configured local ones.
public struct OptOutKeywords: Sendable, Equatable {
    public var words: Set<String>
    public static let standard: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"]

    public init(extra: [String] = []) {
        words = Self.standard.union(extra.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty })
    }

    public func matches(_ text: String) -> Bool {
        let word = text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).uppercased()
        return words.contains(word) || words.contains(word.replacingOccurrences(of: " ", with: ""))
    }
}
