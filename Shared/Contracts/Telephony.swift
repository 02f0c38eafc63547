import Foundation

/// The telephony service's bus contract.
public enum TelephonyContract: ServiceContract {
    public static let service = "telephony"

    /// The methods, each with the types it takes and answers.
    public enum Method {
        /// Takes generic call events (docs/formats: one object or an array); telephony reads the
        /// body by hand.
        public static let ingest = method("ingest", IngestRequest.self, IngestReply.self)
        /// Takes generic call events into the durable ingest log and answers before they are in
        /// the call log.
        public static let ingestQueued = method("ingest_queued", IngestRequest.self, QueuedReply.self)
        /// Takes a provider's webhook or a CDR file.
        public static let ingestFormat = method("ingest_format", FormatIngestRequest.self, IngestReport.self)
        public static let listCalls = method("calls.list", ListCallsRequest.self, Page<Call>.self)
        public static let getCall = method("calls.get", CallIdRequest.self, Call.self)
        /// Remote numbers of calls that matched nobody, with counts.
        public static let unmatched = method("calls.unmatched", UnmatchedRequest.self, Page<UnmatchedNumber>.self)
        /// Per employee: who spoke with a contact or company, how often, and when last.
        public static let speakers = method("calls.speakers", SpeakersRequest.self, [Speaker].self)
        /// Every call with one contact, page by page, whoever took them: for the contacts
        /// service's GDPR export (open to services; a user asks through `contacts.export_person`).
        public static let callsOfPerson = method("calls.of_person", ListCallsRequest.self, Page<Call>.self)
    }

    public enum Event {
        /// A call ended and is in the log.
        public static let logged = "call.logged"
        /// A logged call changed (a late event arrived, or its number now matches someone).
        public static let updated = "call.updated"
        /// An inbound call nobody answered (missed or voicemail): a call-back is due.
        public static let missed = "call.missed"
    }

    /// The most events one ingest request takes.
    public static let maxBatch = 1000

    /// The outcomes of a call that is over, and the states of one that is not.
    public static let outcomes: Set<String> = ["answered", "missed", "busy", "failed", "no_answer", "voicemail"]
    public static let states: Set<String> = outcomes.union(["ringing", "in_progress"])
}

/// The generic call event of shared/design/formats.md; every other format becomes these.
public struct CallEventInput: Codable, Sendable, Equatable {
    public var eventId: String?
    public var callId: String?
    /// ringing, answered, hangup, or completed (everything at once).
    public var type: String?
    /// inbound, outbound, internal.
    public var direction: String?
    public var from: String?
    public var to: String?
    public var `extension`: String?
    public var user: String?
    public var at: Date?
    public var duration: Int?
    public var billsec: Int?
    /// ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION, CHANUNAVAIL, CANCEL, VOICEMAIL.
    public var disposition: String?
    public var recordingUrl: String?
    /// The leg (channel) of the call this event is about; a call is over when all its legs are.
    public var leg: String?
    /// Who picked up: an extension or number.
    public var answeredBy: String?
    /// The caller's name as the PBX gave it.
    public var callerName: String?
    /// Times a CDR row carries all at once.
    public var startedAt: Date?
    public var answeredAt: Date?
    public var endedAt: Date?
    /// The producer's order of events with the same time (Twilio's SequenceNumber).
    public var sequence: Int?

    public init(
        eventId: String?, callId: String?, type: String?, direction: String? = nil, from: String? = nil,
        to: String? = nil, at: Date? = nil
    ) {
        self.eventId = eventId
        self.callId = callId
        self.type = type
        self.direction = direction
        self.from = from
        self.to = to
        self.at = at
    }
}

/// `telephony.ingest`.
public struct IngestRequest: Codable, Sendable {
    /// Who sent the events (a PBX name); event and call ids are unique per producer.
    public var producer: String?
    public var events: [CallEventInput]
    public init(producer: String?, events: [CallEventInput]) {
        self.producer = producer
        self.events = events
    }
}

/// The answer to an ingest: what was new, what was a duplicate, which calls it touched.
public struct IngestReply: Codable, Sendable {
    public var accepted: Int
    public var duplicates: Int
    public var callIds: [Int64]
    public init(accepted: Int, duplicates: Int, callIds: [Int64]) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.callIds = callIds
    }
}

/// The answer to `telephony.ingest_queued`: events stored durably for the call log, and events
/// already waiting there (sent before and not yet folded; events folded earlier are dropped when
/// folded).
public struct QueuedReply: Codable, Sendable {
    public var queued: Int
    public var duplicates: Int
    public init(queued: Int, duplicates: Int) {
        self.queued = queued
        self.duplicates = duplicates
    }
}

/// `telephony.ingest_format`: a provider's webhook body or a CDR file, as received.
public struct FormatIngestRequest: Codable, Sendable {
    /// twilio, vonage, asterisk, asterisk-custom, freeswitch, 3cx.
    public var format: String
    public var producer: String?
    /// The body or file, byte for byte (CDR files may hold mis-encoded names).
    public var content: Data
    /// Column names in order, for `asterisk-custom` (cdr_custom's mapping) and header-less 3CX files.
    public var columns: [String]?
    /// The time zone of the PBX's local times in CDR files (IANA name); UTC when not given.
    public var timeZone: String?
    public init(format: String, producer: String?, content: Data, columns: [String]? = nil, timeZone: String? = nil) {
        self.format = format
        self.producer = producer
        self.content = content
        self.columns = columns
        self.timeZone = timeZone
    }
}

/// A row (or document) of an upload that could not be read.
public struct RejectedRow: Codable, Sendable, Equatable {
    public var line: Int
    public var reason: String
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// The answer to `telephony.ingest_format`.
public struct IngestReport: Codable, Sendable {
    public var format: String
    /// Rows or documents read (CDR files), or 1 for a webhook.
    public var rows: Int
    public var accepted: Int
    public var duplicates: Int
    public var calls: Int
    public var rejected: [RejectedRow]
    public init(format: String, rows: Int, accepted: Int, duplicates: Int, calls: Int, rejected: [RejectedRow]) {
        self.format = format
        self.rows = rows
        self.accepted = accepted
        self.duplicates = duplicates
        self.calls = calls
        self.rejected = rejected
    }
}

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
