import Foundation

/// One line of a contact's timeline.
public struct HistoryEntry: Codable, Sendable {
    public var id: Int64
    /// The contact of a contact's entry; nil in a company's.
    public var contactId: Int64?
    /// The company of a company's entry.
    public var companyId: Int64?
    /// created, updated, deleted, call.
    public var kind: String
    public var at: Date
    public var actor: String?
    public var summary: String
    public var changes: [FieldChange]?
    /// For calls: the telephony service's call id.
    public var callId: Int64?

    public init(
        id: Int64, contactId: Int64?, kind: String, at: Date, actor: String?, summary: String,
        changes: [FieldChange]?, callId: Int64?
    ) {
        self.id = id
        self.contactId = contactId
        self.kind = kind
        self.at = at
        self.actor = actor
        self.summary = summary
        self.changes = changes
        self.callId = callId
    }
}

/// One field that changed.
public struct FieldChange: Codable, Sendable, Equatable {
    public var field: String
    public var before: String?
    public var after: String?
    public init(field: String, before: String?, after: String?) {
        self.field = field
        self.before = before
        self.after = after
    }
}

/// `contacts.history`.
public struct HistoryRequest: Codable, Sendable {
    public var contactId: Int64
    /// Only entries at or after / before these times.
    public var from: Date?
    public var to: Date?
    public var limit: Int?
    public var cursor: String?
    /// Only entries of this kind (created, updated, deleted, call).
    public var kind: String?

    public init(contactId: Int64, limit: Int? = nil, cursor: String? = nil, kind: String? = nil) {
        self.contactId = contactId
        self.limit = limit
        self.cursor = cursor
        self.kind = kind
    }
}

/// `companies.history`: newest first.
public struct CompanyHistoryRequest: Codable, Sendable {
    public var companyId: Int64
    public var kind: String?
    public var from: Date?
    public var to: Date?
    public var limit: Int?
    public var cursor: String?
    public init(companyId: Int64) { self.companyId = companyId }
}
