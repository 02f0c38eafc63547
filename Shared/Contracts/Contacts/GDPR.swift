import Foundation

/// Everything the contacts service holds about one person (GDPR access request).
public struct PersonExport: Codable, Sendable {
    public var exportedAt: Date
    public var contact: Contact
    public var companies: [ContactLink]
    public var notes: [Note]
    public var history: [HistoryEntry]
    /// Every call with the person, newest first, however many (from telephony's log).
    public var calls: [Call]
    public init(
        exportedAt: Date, contact: Contact, companies: [ContactLink], notes: [Note], history: [HistoryEntry], calls: [Call] = []
    ) {
        self.exportedAt = exportedAt
        self.contact = contact
        self.companies = companies
        self.notes = notes
        self.history = history
        self.calls = calls
    }
}

/// `contacts.gdpr_review`.
public struct ReviewRequest: Codable, Sendable {
    public var limit: Int?
    public var cursor: String?
    public init(limit: Int? = nil, cursor: String? = nil) {
        self.limit = limit
        self.cursor = cursor
    }
}
