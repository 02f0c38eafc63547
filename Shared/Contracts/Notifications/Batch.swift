import Foundation

/// `notifications.batches.create`: an SMS to each of these customers. With `dry_run` nothing is
/// stored: the answer says who would get it, in how many parts, at what cost, how long it would
/// take, and who would not and why.
public struct CreateBatchRequest: Codable, Sendable {
    public var name: String
    public var text: String
    public var contactIds: [Int64]
    /// `marketing` (the default: consent needed, quiet hours kept) or `service`.
    public var purpose: String?
    public var dryRun: Bool?
    public init(name: String, text: String, contactIds: [Int64], purpose: String? = nil, dryRun: Bool? = nil) {
        self.name = name
        self.text = text
        self.contactIds = contactIds
        self.purpose = purpose
        self.dryRun = dryRun
    }
}

/// Messages of a batch per state.
public struct BatchCounts: Codable, Sendable, Equatable {
    public var queued = 0
    public var sending = 0
    public var sent = 0
    public var delivered = 0
    public var undelivered = 0
    public var failed = 0
    public var unknown = 0
    public init() {}

    /// Accepted by the provider (whatever the receipts said after).
    public var accepted: Int { sent + delivered + undelivered }
    public var settled: Int { accepted + failed + unknown }
    public var total: Int { queued + sending + settled }
}

public struct ErrorCount: Codable, Sendable, Equatable {
    public var error: String
    public var count: Int
    public init(error: String, count: Int) {
        self.error = error
        self.count = count
    }
}

/// A batch and how far it got. `excluded` counts the customers left out by reason:
/// `opted_out`, `no_consent`, `no_mobile`, `invalid_number`, `duplicate_number`, `unknown_customer`;
/// `deferred` those who get theirs later because of quiet hours.
public struct Batch: Codable, Sendable, Equatable {
    public var id: Int64?
    public var name: String
    public var text: String
    public var purpose: String
    /// `draft`, `running`, `paused`, `done`, `cancelled` (nil for a dry run).
    public var state: String?
    public var recipients: Int
    public var segments: Int
    public var encoding: String
    public var costMinor: Int?
    public var currency: String?
    /// Seconds to send what is left at the configured rate.
    public var etaSeconds: Int
    public var excluded: [String: Int]
    public var deferred: Int
    public var counts: BatchCounts
    /// Segments per second over the last minute.
    public var rate: Double?
    public var topErrors: [ErrorCount]
    public var pausedReason: String?
    public var author: String?
    public var createdAt: Date?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var updatedAt: Date?

    public init(name: String, text: String, purpose: String, recipients: Int, segments: Int, encoding: String, etaSeconds: Int) {
        self.name = name
        self.text = text
        self.purpose = purpose
        self.recipients = recipients
        self.segments = segments
        self.encoding = encoding
        self.etaSeconds = etaSeconds
        self.excluded = [:]
        self.deferred = 0
        self.counts = BatchCounts()
        self.topErrors = []
    }

    public static let states = ["draft", "running", "paused", "done", "cancelled"]
}

public struct BatchIdRequest: Codable, Sendable {
    public var id: Int64
    public init(id: Int64) { self.id = id }
}

/// `notifications.batches.list`: newest first; with `contact_id`, the batches that customer was in.
public struct ListBatchesRequest: Codable, Sendable {
    public var contactId: Int64?
    public var limit: Int?
    public var cursor: String?
    public init(contactId: Int64? = nil) { self.contactId = contactId }
}

/// A batch as one customer saw it (the card's Campaigns tab).
public struct CustomerBatch: Codable, Sendable, Equatable {
    public var batch: Batch
    /// Their message's state, or the reason they were left out.
    public var outcome: String
    public var messageId: Int64?
    public init(batch: Batch, outcome: String, messageId: Int64?) {
        self.batch = batch
        self.outcome = outcome
        self.messageId = messageId
    }
}
