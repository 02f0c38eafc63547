import Foundation

/// A person in the customer database.
public struct Contact: Codable, Sendable, Equatable {
    public var id: Int64
    public var firstName: String
    public var lastName: String
    public var title: String?
    public var phones: [ContactPhone]
    public var emails: [ContactEmail]
    /// The acquisition source (settings' `sources`).
    public var sourceId: Int64?
    /// The role description (settings' `roles`).
    public var roleId: Int64?
    /// Categories that apply to contacts (settings' `categories`).
    public var categoryIds: [Int64]
    public var address: Address?
    /// `YYYY-MM-DD`.
    public var birthday: String?
    /// The user (settings' users) who owns the contact; with unshared customer cards, only they
    /// and bosses see it.
    public var ownerId: Int64?
    /// Values of settings' additional-information fields, by field key.
    public var customFields: [String: JSONValue]
    public var bankDetails: BankDetails?
    /// An end customer, invoiced like a company: has a customer number from the shared sequence.
    public var consumer: Bool
    public var customerNumber: Int64?
    /// The picture, a file of the contact's file area.
    public var pictureFileId: Int64?
    /// The last change, note, call or review: the GDPR review clock.
    public var lastActivityAt: Date?
    /// Set when the contact was anonymised (irreversibly).
    public var anonymizedAt: Date?
    /// Set when this contact was merged into another (and so deleted).
    public var mergedInto: Int64?
    public var createdAt: Date
    public var updatedAt: Date
    /// Set when the contact is (soft) deleted.
    public var deletedAt: Date?

    public init(
        id: Int64, firstName: String, lastName: String, title: String?, phones: [ContactPhone],
        emails: [ContactEmail], sourceId: Int64? = nil, roleId: Int64? = nil, categoryIds: [Int64] = [],
        createdAt: Date, updatedAt: Date, deletedAt: Date?
    ) {
        self.sourceId = sourceId
        self.roleId = roleId
        self.categoryIds = categoryIds
        self.customFields = [:]
        self.consumer = false
        self.id = id
        self.firstName = firstName
        self.lastName = lastName
        self.title = title
        self.phones = phones
        self.emails = emails
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
    }
}

/// A phone number as given, with its E.164 form when it could be read.
public struct ContactPhone: Codable, Sendable, Equatable {
    /// What the user typed or the import held.
    public var number: String
    /// `+4791234567`, or nil for extensions and numbers that cannot be normalised.
    public var e164: String?
    /// mobile, work, home, fax, other.
    public var kind: String

    public init(number: String, e164: String?, kind: String) {
        self.number = number
        self.e164 = e164
        self.kind = kind
    }
}

/// An e-mail address of a contact.
public struct ContactEmail: Codable, Sendable, Equatable {
    public var address: String
    /// work, home, other.
    public var kind: String

    public init(address: String, kind: String) {
        self.address = address
        self.kind = kind
    }
}

extension Contact {
    /// First and last name as people read them; one rule for lists, history and vCards.
    public var displayName: String { Self.displayName(first: firstName, last: lastName) }

    public static func displayName(first: String, last: String) -> String { [first, last].filter { !$0.isEmpty }.joined(separator: " ") }
}
