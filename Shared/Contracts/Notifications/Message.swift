import Foundation

/// An e-mail or SMS and what became of it. States only move forward (`rank`): `held` (an SMS
/// of a batch not running) or `queued` → `sending` → `sent` → `delivered` / `undelivered`, or
/// `failed`, or `unknown` when nobody can tell whether it went; a temporary refusal puts it back
/// to `queued` with a later `next_attempt_at`. `received`: an SMS a customer sent us.
public struct Message: Codable, Sendable, Equatable {
    public var id: Int64
    /// `email` or `sms`.
    public var channel: String
    /// `service` (a reply, a confirmation) or `marketing`.
    public var purpose: String
    public var state: String
    public var to: [String]
    public var from: String
    public var subject: String
    public var text: String
    public var html: String?
    public var contactId: Int64?
    public var companyId: Int64?
    /// The RFC 5322 Message-ID, made when it was queued and kept on every attempt.
    public var messageId: String
    public var attempts: Int
    public var error: String?
    public var serverReply: String?
    public var author: String?
    public var nextAttemptAt: Date?
    public var sentAt: Date?
    /// SMS: the batch it belongs to, the provider's id, parts billed, the provider's error code.
    public var batchId: Int64?
    public var providerId: String?
    public var segments: Int?
    public var errorCode: String?
    public var deliveredAt: Date?
    /// E-mail: an iMIP invitation's method (`REQUEST`, `CANCEL`), its calendar part as one of
    /// the body's alternatives (and attached as `invite.ics`).
    public var calendar: EmailCalendar?
    /// E-mail: the display name on the sender's address.
    public var fromName: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, channel: String, purpose: String, state: String, to: [String], from: String, subject: String, text: String,
        messageId: String, attempts: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.channel = channel
        self.purpose = purpose
        self.state = state
        self.to = to
        self.from = from
        self.subject = subject
        self.text = text
        self.messageId = messageId
        self.attempts = attempts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// `held`: an SMS of a batch that is not running (a draft or paused); `received`: an SMS a
    /// customer sent us.
    public static let states = ["held", "queued", "sending", "sent", "delivered", "undelivered", "failed", "unknown", "received"]

    /// How far along a state is: a receipt never moves a message back (`delivered` after
    /// `sent`, never `sent` after `delivered`); the end states are equal and final.
    public static func rank(_ state: String) -> Int {
        switch state {
        case "held", "queued": 0
        case "sending": 1
        case "unknown": 2
        case "sent": 3
        default: 4
        }
    }
}

/// `notifications.messages.send_email`.
public struct SendEmailRequest: Codable, Sendable {
    public var to: [String]
    public var subject: String
    public var text: String
    public var html: String?
    public var contactId: Int64?
    public var companyId: Int64?
    /// `service` (the default) or `marketing`.
    public var purpose: String?
    /// An invitation (RFC 6047): the calendar object and its method.
    public var calendar: EmailCalendar?
    /// The display name on the sender's address (the address is the service's own).
    public var fromName: String?

    public init(to: [String], subject: String, text: String, html: String? = nil, contactId: Int64? = nil, companyId: Int64? = nil) {
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.contactId = contactId
        self.companyId = companyId
    }
}

public struct MessageIdRequest: Codable, Sendable {
    public var id: Int64
    public init(id: Int64) { self.id = id }
}

/// `notifications.sms.send`: to a number, or to a contact's mobile number (from the contacts
/// read model) when only `contact_id` is given.
public struct SendSMSRequest: Codable, Sendable {
    public var to: String?
    public var contactId: Int64?
    public var companyId: Int64?
    /// The text; may name the contact's fields (`{{first_name}}` ...).
    public var text: String
    /// `service` (the default) or `marketing` (needs the contact's consent).
    public var purpose: String?
    public init(to: String?, contactId: Int64? = nil, text: String, purpose: String? = nil) {
        self.to = to
        self.contactId = contactId
        self.text = text
        self.purpose = purpose
    }
}

/// A provider's webhook as the gateway received it (signature already checked): the service
/// reads it. `kind` is `status` or `inbound`; `reference` our message id from the callback URL.
public struct SMSWebhookRequest: Codable, Sendable {
    public var provider: String
    public var kind: String
    public var reference: Int64?
    public var content: Data
    public init(provider: String, kind: String, reference: Int64?, content: Data) {
        self.provider = provider
        self.kind = kind
        self.reference = reference
        self.content = content
    }
}

/// What a webhook changed.
public struct SMSWebhookResult: Codable, Sendable, Equatable {
    /// `applied`, `ignored` (older than what we know, or repeated), `unmatched`, `opted_out`,
    /// `received`, `unreadable` (a status we do not track, or fields missing: `detail` says).
    public var outcome: String
    public var messageId: Int64?
    public var state: String?
    public var detail: String?
    public init(outcome: String, messageId: Int64? = nil, state: String? = nil, detail: String? = nil) {
        self.outcome = outcome
        self.messageId = messageId
        self.state = state
        self.detail = detail
    }
}

/// Consent of one customer to be reached on a channel for a purpose, with its evidence.
public struct Consent: Codable, Sendable, Equatable {
    public var contactId: Int64
    /// `sms` or `email`.
    public var channel: String
    /// `marketing` or `service`.
    public var purpose: String
    public var granted: Bool
    /// Where it came from: `web_form`, `paper`, `phone`, `import`, `inbound_sms` ...
    public var source: String
    /// What proves it: a form's reference, a note of the call.
    public var evidence: String?
    public var recordedBy: String?
    public var recordedAt: Date
    public init(contactId: Int64, channel: String, purpose: String, granted: Bool, source: String, recordedAt: Date) {
        self.contactId = contactId
        self.channel = channel
        self.purpose = purpose
        self.granted = granted
        self.source = source
        self.recordedAt = recordedAt
    }
}

/// `notifications.consents.set`.
public struct SetConsentRequest: Codable, Sendable {
    public var contactId: Int64
    public var channel: String
    public var purpose: String
    public var granted: Bool
    public var source: String
    public var evidence: String?
    public init(contactId: Int64, channel: String, purpose: String, granted: Bool, source: String, evidence: String? = nil) {
        self.contactId = contactId
        self.channel = channel
        self.purpose = purpose
        self.granted = granted
        self.source = source
        self.evidence = evidence
    }
}

/// A customer's consents, and the numbers and addresses of theirs that opted out.
public struct ConsentState: Codable, Sendable, Equatable {
    public var contactId: Int64
    public var consents: [Consent]
    public var optedOut: [OptOut]
    public init(contactId: Int64, consents: [Consent], optedOut: [OptOut]) {
        self.contactId = contactId
        self.consents = consents
        self.optedOut = optedOut
    }
}

public struct ConsentsRequest: Codable, Sendable {
    public var contactId: Int64
    public init(contactId: Int64) { self.contactId = contactId }
}

/// A number (or address) that asked not to be messaged again, on every sender.
public struct OptOut: Codable, Sendable, Equatable {
    public var channel: String
    public var address: String
    /// `inbound_keyword` (with the word), `provider` (Twilio 21610), `user`.
    public var source: String
    public var detail: String?
    public var at: Date
    public init(channel: String, address: String, source: String, detail: String?, at: Date) {
        self.channel = channel
        self.address = address
        self.source = source
        self.detail = detail
        self.at = at
    }
}

/// `notifications.messages.list`: newest first.
public struct ListMessagesRequest: Codable, Sendable {
    public var contactId: Int64?
    public var companyId: Int64?
    public var batchId: Int64?
    public var channel: String?
    public var state: String?
    public var limit: Int?
    public var cursor: String?
    public init(contactId: Int64? = nil, companyId: Int64? = nil) {
        self.contactId = contactId
        self.companyId = companyId
    }
}

/// `notifications.sms.preview`.
public struct SMSPreviewRequest: Codable, Sendable {
    public var text: String
    public init(text: String) { self.text = text }
}

public struct SMSPreview: Codable, Sendable, Equatable {
    /// `GSM-7` or `UCS-2`.
    public var encoding: String
    public var units: Int
    public var segments: Int
    public var perSegment: Int
    /// The characters that forced UCS-2, each once.
    public var forcingUcs2: [String]
    public init(encoding: String, units: Int, segments: Int, perSegment: Int, forcingUcs2: [String]) {
        self.encoding = encoding
        self.units = units
        self.segments = segments
        self.perSegment = perSegment
        self.forcingUcs2 = forcingUcs2
    }
}

/// The calendar part of an iMIP mail: `method` matches the object's METHOD.
public struct EmailCalendar: Codable, Sendable, Equatable {
    public var method: String
    public var ics: String
    public init(method: String, ics: String) {
        self.method = method
        self.ics = ics
    }
}
