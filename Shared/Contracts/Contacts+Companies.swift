import Foundation

/// A postal or visiting address.
public struct Address: Codable, Sendable, Equatable {
    public var street: String?
    public var postalCode: String?
    public var city: String?
    /// ISO 3166-1 alpha-2 (`NO`).
    public var country: String?
    public init(street: String? = nil, postalCode: String? = nil, city: String? = nil, country: String? = nil) {
        self.street = street
        self.postalCode = postalCode
        self.city = city
        self.country = country
    }
    public var isEmpty: Bool { [street, postalCode, city, country].allSatisfy { $0 == nil } }
}

/// Bank details of a company or a consumer.
public struct BankDetails: Codable, Sendable, Equatable {
    public var accountNumber: String?
    public var iban: String?
    public var bic: String?
    public var bankName: String?
    public init(accountNumber: String? = nil, iban: String? = nil, bic: String? = nil, bankName: String? = nil) {
        self.accountNumber = accountNumber
        self.iban = iban
        self.bic = bic
        self.bankName = bankName
    }
    public var isEmpty: Bool { [accountNumber, iban, bic, bankName].allSatisfy { $0 == nil } }
}

/// How a customer is invoiced.
public struct CustomerSettings: Codable, Sendable, Equatable {
    /// ISO 4217.
    public var currency: String?
    /// Days until an invoice is due.
    public var paymentTermsDays: Int?
    /// ISO 639-1 (`nb`, `en`).
    public var language: String?
    public init(currency: String? = nil, paymentTermsDays: Int? = nil, language: String? = nil) {
        self.currency = currency
        self.paymentTermsDays = paymentTermsDays
        self.language = language
    }
    public var isEmpty: Bool { currency == nil && paymentTermsDays == nil && language == nil }
}

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

/// `contacts.set_categories` / `companies.set_categories`: "choose categories" replaces the set.
public struct SetCategoriesRequest: Codable, Sendable {
    public var id: Int64
    public var categoryIds: [Int64]
    public init(id: Int64, categoryIds: [Int64]) {
        self.id = id
        self.categoryIds = categoryIds
    }
}

/// Payload of `company.created`, `company.updated`, `company.deleted`, `company.restored`.
public struct CompanyChanged: Codable, Sendable {
    public var company: Company
    public var changes: [FieldChange]?
    public init(company: Company, changes: [FieldChange]? = nil) {
        self.company = company
        self.changes = changes
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
