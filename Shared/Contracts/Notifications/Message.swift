import Foundation

/// An e-mail or SMS and what became of it. States only move forward: `queued` → `sending` →
/// `sent` (or `failed`, or `unknown` when the connection ended after the mail was handed
/// over); a temporary refusal puts it back to `queued` with a later `next_attempt_at`.
public struct Message: Codable, Sendable, Equatable {
    public var id: Int64
    /// `email` (SMS comes next).
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

    public static let states = ["queued", "sending", "sent", "failed", "unknown"]
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

/// `notifications.messages.list`: newest first.
public struct ListMessagesRequest: Codable, Sendable {
    public var contactId: Int64?
    public var companyId: Int64?
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
