import Foundation

/// `calls.unmatched`: numbers that called or were called and belong to nobody, most recent first.
public struct UnmatchedRequest: Codable, Sendable {
    public var limit: Int?
    public var cursor: String?
    public init(limit: Int? = nil, cursor: String? = nil) {
        self.limit = limit
        self.cursor = cursor
    }
}

public struct UnmatchedNumber: Codable, Sendable, Equatable {
    /// E.164 when it could be read, else as received.
    public var number: String
    public var calls: Int
    public var missed: Int
    public var lastCallAt: Date?
    public var lastCallId: Int64
    public init(number: String, calls: Int, missed: Int, lastCallAt: Date?, lastCallId: Int64) {
        self.number = number
        self.calls = calls
        self.missed = missed
        self.lastCallAt = lastCallAt
        self.lastCallId = lastCallId
    }
}

/// `calls.speakers`: per employee, calls with one contact or company.
public struct SpeakersRequest: Codable, Sendable {
    public var contactId: Int64?
    public var companyId: Int64?
    public init(contactId: Int64?, companyId: Int64?) {
        self.contactId = contactId
        self.companyId = companyId
    }
}

public struct Speaker: Codable, Sendable, Equatable {
    public var userId: Int64?
    public var user: String?
    public var calls: Int
    public var answered: Int
    public var talkSeconds: Int
    public var firstCallAt: Date?
    public var lastCallAt: Date?
    public init(userId: Int64?, user: String?, calls: Int, answered: Int, talkSeconds: Int, firstCallAt: Date?, lastCallAt: Date?) {
        self.userId = userId
        self.user = user
        self.calls = calls
        self.answered = answered
        self.talkSeconds = talkSeconds
        self.firstCallAt = firstCallAt
        self.lastCallAt = lastCallAt
    }
}
