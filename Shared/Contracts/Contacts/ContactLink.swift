import Foundation

/// A contact's place at a company: many to many, each with its own title, role and dates.
public struct ContactLink: Codable, Sendable, Equatable {
    public var contactId: Int64
    public var companyId: Int64
    public var title: String?
    public var roleId: Int64?
    /// `YYYY-MM-DD`.
    public var startDate: String?
    public var endDate: String?
    /// The names, for lists.
    public var contactName: String?
    public var companyName: String?

    public init(contactId: Int64, companyId: Int64) {
        self.contactId = contactId
        self.companyId = companyId
    }
}

/// `contacts.link` (creates or changes a link) and `contacts.unlink`.
public struct LinkRequest: Codable, Sendable {
    public var contactId: Int64
    public var companyId: Int64
    public var title: String?
    public var roleId: Int64?
    public var startDate: String?
    public var endDate: String?
    public init(contactId: Int64, companyId: Int64) {
        self.contactId = contactId
        self.companyId = companyId
    }
}

/// `contacts.links`: the companies of a contact or the contacts of a company.
public struct LinksRequest: Codable, Sendable {
    public var contactId: Int64?
    public var companyId: Int64?
    public init(contactId: Int64? = nil, companyId: Int64? = nil) {
        self.contactId = contactId
        self.companyId = companyId
    }
}
