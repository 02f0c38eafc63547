import Foundation

/// One call in the call log.
public struct Call: Codable, Sendable, Equatable {
    public var id: Int64
    public var producer: String
    /// The producer's call id.
    public var externalId: String
    public var direction: String
    public var from: String?
    public var fromE164: String?
    public var to: String?
    public var toE164: String?
    public var callerName: String?
    public var `extension`: String?
    public var user: String?
    /// The employee (settings' user) whose extension is on the call.
    public var userId: Int64?
    /// The contact the other party's number belongs to (the first, when several match).
    public var contactId: Int64?
    /// Every contact and company the other party's number belongs to.
    public var contactIds: [Int64]
    public var companyIds: [Int64]
    /// More than one contact or company has the number.
    public var ambiguous: Bool
    /// The other party's number matched nobody (a user can resolve it).
    public var unmatched: Bool
    /// ringing, in_progress while it lasts; then answered, missed, busy, failed, no_answer, voicemail.
    public var status: String
    /// The same as `status` once the call is over.
    public var outcome: String?
    /// The extension or number that picked up, and the employee behind it.
    public var answeredBy: String?
    public var answeredByUserId: Int64?
    public var startedAt: Date?
    public var answeredAt: Date?
    public var endedAt: Date?
    /// Seconds from start to end.
    public var duration: Int?
    /// Seconds of conversation (from answer to end).
    public var billsec: Int?
    /// Seconds it rang before it was answered or given up.
    public var ringSeconds: Int?
    public var disposition: String?
    public var recordingUrl: String?
    /// Legs (channels) seen: forks and transfers of one call.
    public var legs: Int
    public var eventCount: Int
    /// The call never got its end and was closed after the configured timeout.
    public var timedOut: Bool

    public init(id: Int64, producer: String, externalId: String, direction: String, status: String, eventCount: Int) {
        self.id = id
        self.producer = producer
        self.externalId = externalId
        self.direction = direction
        self.status = status
        self.eventCount = eventCount
        contactIds = []
        companyIds = []
        ambiguous = false
        unmatched = false
        legs = 1
        timedOut = false
    }
}

/// `calls.list`, newest first.
public struct ListCallsRequest: Codable, Sendable {
    public var contactId: Int64?
    public var companyId: Int64?
    public var direction: String?
    /// Status or outcome (the same values).
    public var status: String?
    public var user: String?
    /// Calls of one employee (settings' user id), matched by extension.
    public var userId: Int64?
    /// Only calls whose number matched nobody (true) or somebody (false).
    public var unmatched: Bool?
    /// Calls whose other party has this number (any format).
    public var number: String?
    /// Calls that started at or after this time.
    public var from: Date?
    /// Calls that started before this time.
    public var to: Date?
    public var limit: Int?
    public var cursor: String?
    public init() {}
}

/// `calls.get`.
public struct CallIdRequest: Codable, Sendable {
    public var id: Int64
}
