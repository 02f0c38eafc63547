import Foundation

/// The telephony service's bus contract.
public enum TelephonyContract {
    public static let service = "telephony"

    public enum Method {
        /// Takes generic call events (docs/formats: one object or an array).
        public static let ingest = "telephony.ingest"
        public static let listCalls = "calls.list"
        public static let getCall = "calls.get"
    }

    public enum Event {
        /// A call ended and is in the log.
        public static let logged = "call.logged"
        /// A logged call changed (a late event arrived).
        public static let updated = "call.updated"
    }

    /// The most events one ingest request takes.
    public static let maxBatch = 1000
}

/// The generic call event of shared/design/formats.md.
public struct CallEventInput: Codable, Sendable {
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
    public var disposition: String?
    public var recordingUrl: String?

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
    public var `extension`: String?
    public var user: String?
    /// The employee (settings' user) whose extension is on the call.
    public var userId: Int64?
    /// The contact the other party's number belongs to.
    public var contactId: Int64?
    /// ringing, in_progress, answered, missed, busy, failed.
    public var status: String
    public var startedAt: Date?
    public var answeredAt: Date?
    public var endedAt: Date?
    /// Seconds from start to end.
    public var duration: Int?
    /// Seconds of conversation (from answer to end).
    public var billsec: Int?
    public var disposition: String?
    public var recordingUrl: String?
    public var eventCount: Int

    public init(id: Int64, producer: String, externalId: String, direction: String, status: String, eventCount: Int) {
        self.id = id
        self.producer = producer
        self.externalId = externalId
        self.direction = direction
        self.status = status
        self.eventCount = eventCount
    }
}

/// `calls.list`, newest first.
public struct ListCallsRequest: Codable, Sendable {
    public var contactId: Int64?
    public var direction: String?
    public var status: String?
    public var user: String?
    /// Calls of one employee (settings' user id), matched by extension.
    public var userId: Int64?
    /// Calls that started at or after this time.
    public var from: Date?
    /// Calls that started before this time.
    public var to: Date?
    public var limit: Int?
    public var cursor: String?
}

/// `calls.get`.
public struct CallIdRequest: Codable, Sendable {
    public var id: Int64
}
