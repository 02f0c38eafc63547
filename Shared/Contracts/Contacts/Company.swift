import Foundation

/// A company of the customer database.
public struct Company: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var organisationNumber: String?
    /// From the sequence companies and consumers share, assigned on request.
    public var customerNumber: Int64?
    /// customer, supplier, prospect, partner.
    public var kinds: [String]
    /// Settings' company statuses, industries, sources; categories that apply to companies.
    public var statusId: Int64?
    public var industryId: Int64?
    public var sourceId: Int64?
    public var categoryIds: [Int64]
    public var ownerId: Int64?
    public var postalAddress: Address?
    public var visitingAddress: Address?
    public var phones: [ContactPhone]
    public var emails: [ContactEmail]
    public var website: String?
    public var customFields: [String: JSONValue]
    public var bankDetails: BankDetails?
    public var customerSettings: CustomerSettings?
    /// Set when this company was merged into another (and so deleted).
    public var mergedInto: Int64?
    public var createdAt: Date
    public var updatedAt: Date
    public var deletedAt: Date?

    public init(id: Int64, name: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.kinds = []
        self.categoryIds = []
        self.phones = []
        self.emails = []
        self.customFields = [:]
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static let kindValues = ["customer", "supplier", "prospect", "partner"]
}

/// `companies.create` (and, with `id`, `companies.update`: only the fields present change;
/// lists replace; "" / 0 / {} clear; custom fields merge, null removes one).
public struct CompanyInput: Codable, Sendable {
    public var id: Int64?
    public var name: String?
    public var organisationNumber: String?
    /// true assigns the next customer number (once).
    public var assignCustomerNumber: Bool?
    public var kinds: [String]?
    public var statusId: Int64?
    public var industryId: Int64?
    public var sourceId: Int64?
    public var categoryIds: [Int64]?
    public var ownerId: Int64?
    public var postalAddress: Address?
    public var visitingAddress: Address?
    public var phones: [PhoneInput]?
    public var emails: [EmailInput]?
    public var website: String?
    public var customFields: [String: JSONValue]?
    public var bankDetails: BankDetails?
    public var customerSettings: CustomerSettings?

    public init(name: String? = nil) { self.name = name }
}

/// `companies.list`.
public struct ListCompaniesRequest: Codable, Sendable {
    /// Part of the name, organisation or customer number, an e-mail or a phone number.
    public var q: String?
    public var kind: String?
    public var categoryId: Int64?
    public var industryId: Int64?
    public var statusId: Int64?
    public var sourceId: Int64?
    public var ownerId: Int64?
    public var city: String?
    /// Custom fields' values, by key, as `ListContactsRequest.customFields`.
    public var customFields: [String: String]?
    public var createdFrom: Date?
    public var createdTo: Date?
    public var updatedFrom: Date?
    public var updatedTo: Date?
    public var includeDeleted: Bool?
    public var deleted: Bool?
    /// `created` (default), `name`, `updated`.
    public var sort: String?
    public var count: Bool?
    public var limit: Int?
    public var cursor: String?

    public init(q: String? = nil, limit: Int? = nil, cursor: String? = nil) {
        self.q = q
        self.limit = limit
        self.cursor = cursor
    }
}
