import Foundation

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
