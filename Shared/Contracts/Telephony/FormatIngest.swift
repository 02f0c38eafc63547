import Foundation

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

/// A row (or document) of an upload that could not be read.
public struct RejectedRow: Codable, Sendable, Equatable {
    public var line: Int
    public var reason: String
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}
