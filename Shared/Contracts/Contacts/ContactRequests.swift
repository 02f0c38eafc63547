import Foundation

/// `contacts.create`.
public struct CreateContactRequest: Codable, Sendable {
    public var firstName: String?
    public var lastName: String?
    public var title: String?
    public var phones: [PhoneInput]?
    public var emails: [EmailInput]?
    public var sourceId: Int64?
    public var roleId: Int64?
    public var categoryIds: [Int64]?
    public var address: Address?
    public var birthday: String?
    public var ownerId: Int64?
    public var customFields: [String: JSONValue]?
    public var bankDetails: BankDetails?
    public var consumer: Bool?

    public init(
        firstName: String? = nil, lastName: String? = nil, title: String? = nil, phones: [PhoneInput]? = nil,
        emails: [EmailInput]? = nil
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.title = title
        self.phones = phones
        self.emails = emails
    }
}

/// `contacts.update`: fields left out stay as they are; `phones`, `emails` and `category_ids`
/// replace the whole list; `source_id`/`role_id` 0 clears them.
public struct UpdateContactRequest: Codable, Sendable {
    public var id: Int64
    public var firstName: String?
    public var lastName: String?
    public var title: String?
    public var phones: [PhoneInput]?
    public var emails: [EmailInput]?
    public var sourceId: Int64?
    public var roleId: Int64?
    public var categoryIds: [Int64]?
    /// An empty object clears it.
    public var address: Address?
    /// An empty string clears it.
    public var birthday: String?
    /// 0 clears it.
    public var ownerId: Int64?
    /// Merged into the stored values; a key set to null removes that value.
    public var customFields: [String: JSONValue]?
    /// An empty object clears it.
    public var bankDetails: BankDetails?
    /// true gives the contact a customer number (once); false keeps the number.
    public var consumer: Bool?
    /// A file of the contact's file area as picture; 0 clears it.
    public var pictureFileId: Int64?

    public init(id: Int64) { self.id = id }
}

/// A phone number in a create or update request.
public struct PhoneInput: Codable, Sendable {
    public var number: String
    public var kind: String?
    public init(number: String, kind: String? = nil) {
        self.number = number
        self.kind = kind
    }
}

/// An e-mail address in a create or update request.
public struct EmailInput: Codable, Sendable {
    public var address: String
    public var kind: String?
    public init(address: String, kind: String? = nil) {
        self.address = address
        self.kind = kind
    }
}

/// `contacts.add_phone`: "link to a contact" for a number from the call log. The number joins
/// the contact's phones (once) in one transaction; `if_updated_at`, the `updated_at` the caller
/// saw, makes it a 409 when the contact changed since (optimistic locking).
public struct AddPhoneRequest: Codable, Sendable {
    public var contactId: Int64
    public var number: String
    /// mobile, work (the default), home, fax, other.
    public var kind: String?
    public var ifUpdatedAt: Date?
    public init(contactId: Int64, number: String, kind: String? = nil, ifUpdatedAt: Date? = nil) {
        self.contactId = contactId
        self.number = number
        self.kind = kind
        self.ifUpdatedAt = ifUpdatedAt
    }
}

/// `contacts.get` and `contacts.delete`.
public struct ContactIdRequest: Codable, Sendable {
    public var id: Int64
    public init(id: Int64) { self.id = id }
}

/// `contacts.list`: newest first, cursor pagination.
public struct ListContactsRequest: Codable, Sendable {
    /// Part of a name, an e-mail address, or a phone number in any format.
    public var q: String?
    public var limit: Int?
    /// The `next_cursor` of the previous page.
    public var cursor: String?
    public var includeDeleted: Bool?
    /// Only deleted ones ("restore customers").
    public var deleted: Bool?
    /// One contact (a single card to export).
    public var id: Int64?
    public var categoryId: Int64?
    public var sourceId: Int64?
    public var roleId: Int64?
    public var ownerId: Int64?
    public var companyId: Int64?
    public var city: String?
    public var consumer: Bool?
    /// Custom fields' values, by key: a choice's option (one of a multiple choice's), a number,
    /// `true`/`false` for yes or no, or a text matched whole, case ignored. At most 5.
    public var customFields: [String: String]?
    public var createdFrom: Date?
    public var createdTo: Date?
    public var updatedFrom: Date?
    public var updatedTo: Date?
    /// `created` (newest first, the default), `name`, `updated` (latest first).
    public var sort: String?
    /// Also count the matches (capped: `count_exact` false past the cap).
    public var count: Bool?

    public init(q: String? = nil, limit: Int? = nil, cursor: String? = nil, includeDeleted: Bool? = nil) {
        self.q = q
        self.limit = limit
        self.cursor = cursor
        self.includeDeleted = includeDeleted
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

/// `contacts.cities`: the cities customers are in, for a search filter's drop-down (in order,
/// case folded, at most `limit`; of companies when `companies` is true).
public struct CitiesRequest: Codable, Sendable {
    public var companies: Bool?
    public var limit: Int?
    public init(companies: Bool? = nil, limit: Int? = nil) {
        self.companies = companies
        self.limit = limit
    }
}
