/// `contacts.duplicates` / `companies.duplicates`: groups of records that are likely the same.
public struct DuplicateGroup: Codable, Sendable, Equatable {
    /// `email`, `phone`, `name_at_company` (contacts); `organisation_number`, `email`, `name` (companies).
    public var reason: String
    /// What they share (the e-mail, the number, the name).
    public var value: String
    public var ids: [Int64]
    public init(reason: String, value: String, ids: [Int64]) {
        self.reason = reason
        self.value = value
        self.ids = ids
    }
}

/// `contacts.duplicates` / `companies.duplicates`.
public struct DuplicatesRequest: Codable, Sendable {
    public var limit: Int?
    public init(limit: Int? = nil) { self.limit = limit }
}

/// `contacts.merge` / `companies.merge`: `other` goes into `survivor` (links, notes, history,
/// phones, e-mails, categories and empty fields), then is soft-deleted and points to it.
public struct MergeRequest: Codable, Sendable {
    public var survivorId: Int64
    public var otherId: Int64
    public init(survivorId: Int64, otherId: Int64) {
        self.survivorId = survivorId
        self.otherId = otherId
    }
}

/// `contacts.purge`: removes for good what was deleted longer ago than the retention period.
public struct PurgeRequest: Codable, Sendable {
    /// Days a deleted record is kept for "restore customers" (default 90, at least 1).
    public var retentionDays: Int?
    public var dryRun: Bool?
    public init(retentionDays: Int? = nil, dryRun: Bool? = nil) {
        self.retentionDays = retentionDays
        self.dryRun = dryRun
    }
}

/// How many contacts and companies a purge removed (or would remove).
public struct PurgeReport: Codable, Sendable {
    public var contacts: Int
    public var companies: Int
    public var dryRun: Bool
    public init(contacts: Int, companies: Int, dryRun: Bool) {
        self.contacts = contacts
        self.companies = companies
        self.dryRun = dryRun
    }
}
