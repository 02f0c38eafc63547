import Foundation

/// The contacts service's bus contract: methods, request and reply types, and events.
public enum ContactsContract {
    public static let service = "contacts"

    /// Method names.
    public enum Method {
        public static let create = "contacts.create"
        public static let get = "contacts.get"
        public static let list = "contacts.list"
        public static let update = "contacts.update"
        public static let delete = "contacts.delete"
        public static let history = "contacts.history"
        public static let restore = "contacts.restore"
        /// "Choose categories": replaces the contact's set.
        public static let setCategories = "contacts.set_categories"
        public static let link = "contacts.link"
        public static let unlink = "contacts.unlink"
        public static let links = "contacts.links"

        public static let createCompany = "companies.create"
        public static let getCompany = "companies.get"
        public static let listCompanies = "companies.list"
        public static let updateCompany = "companies.update"
        public static let deleteCompany = "companies.delete"
        public static let restoreCompany = "companies.restore"
        public static let setCompanyCategories = "companies.set_categories"
        public static let companyHistory = "companies.history"
        /// GDPR: anonymise a contact irreversibly.
        public static let anonymize = "contacts.anonymize"
        /// GDPR: contacts without activity for longer than settings' review period, oldest first.
        public static let gdprReview = "contacts.gdpr_review"
        /// GDPR: mark a contact as reviewed and still needed (resets its activity clock).
        public static let touch = "contacts.touch"
        /// GDPR: everything held about one person.
        public static let exportPerson = "contacts.export_person"
        /// CSV import of contacts or companies (`ImportRequest` with `csv`), answering `ImportReport`.
        public static let importCSV = "contacts.import_csv"
        /// vCard import of contacts (`ImportRequest` with `vcf`).
        public static let importVCard = "contacts.import_vcard"
        /// A search result as CSV or vCards (`ExportFile`).
        public static let exportCSV = "contacts.export_csv"
        public static let exportVCard = "contacts.export_vcard"
        public static let exportCompaniesCSV = "companies.export_csv"
        public static let duplicates = "contacts.duplicates"
        public static let merge = "contacts.merge"
        public static let companyDuplicates = "companies.duplicates"
        public static let mergeCompanies = "companies.merge"
        /// Removes for good what was deleted before the retention period (a separate, explicit action).
        public static let purge = "contacts.purge"
        public static let listFiles = "files.list"
        public static let getFile = "files.get"
        public static let createFolder = "files.create_folder"
        public static let updateFolder = "files.update_folder"
        public static let deleteFolder = "files.delete_folder"
        public static let uploadBegin = "files.upload_begin"
        public static let uploadChunk = "files.upload_chunk"
        public static let uploadCommit = "files.upload_commit"
        public static let updateFile = "files.update"
        public static let deleteFile = "files.delete"
        public static let readFile = "files.read"
        public static let createNote = "notes.create"
        public static let updateNote = "notes.update"
        public static let deleteNote = "notes.delete"
        public static let listNotes = "notes.list"
        /// How many contacts use a reference item (answers settings; see `ReferenceOwnerContract`).
        public static let referenceUsage = "contacts.reference.usage"
        /// Move or clear every use of a reference item, in one transaction.
        public static let referenceMove = "contacts.reference.move"
    }

    /// Event types the service publishes.
    public enum Event {
        public static let created = "contact.created"
        public static let updated = "contact.updated"
        public static let deleted = "contact.deleted"
        public static let restored = "contact.restored"
        public static let linked = "contact.linked"
        public static let unlinked = "contact.unlinked"
        public static let companyCreated = "company.created"
        public static let companyUpdated = "company.updated"
        public static let companyDeleted = "company.deleted"
        public static let companyRestored = "company.restored"
        /// A contact was anonymised: other services scrub their copies (`ContactDeleted` payload).
        public static let anonymized = "contact.anonymized"
        /// `other_id` was merged into `survivor_id` (`MergeRequest` payload); `contact.updated` and
        /// `contact.deleted` follow for the two records.
        public static let merged = "contact.merged"
        public static let companiesMerged = "company.merged"
        public static let purged = "customers.purged"
        public static let fileStored = "file.stored"
        public static let fileChanged = "file.changed"
        public static let fileDeleted = "file.deleted"
        public static let noteCreated = "note.created"
        public static let noteUpdated = "note.updated"
        public static let noteDeleted = "note.deleted"
        /// Contacts moved from one reference item to another (or cleared of it): `ReferenceMoved`.
        public static let referenceMoved = "contact.reference_moved"
    }

    /// The most items one page holds.
    public static let maxPageSize = 200
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

/// A page of results; `next_cursor` is nil on the last page.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var nextCursor: String?
    /// How many match, when asked; exact up to a cap, beyond it the cap with `count_exact` false.
    public var count: Int?
    public var countExact: Bool?
    public init(items: [Item], nextCursor: String?, count: Int? = nil, countExact: Bool? = nil) {
        self.items = items
        self.nextCursor = nextCursor
        self.count = count
        self.countExact = countExact
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

/// Payload of `contact.created` and `contact.updated`.
public struct ContactChanged: Codable, Sendable {
    public var contactId: Int64
    public var firstName: String
    public var lastName: String
    public var phones: [ContactPhone]
    public var emails: [ContactEmail]
    public var changes: [FieldChange]?
    /// The user who owns the contact: other services decide visibility with it.
    public var ownerId: Int64?

    public init(contact: Contact, changes: [FieldChange]? = nil) {
        contactId = contact.id
        ownerId = contact.ownerId
        firstName = contact.firstName
        lastName = contact.lastName
        phones = contact.phones
        emails = contact.emails
        self.changes = changes
    }
}

/// Payload of `contact.deleted`.
public struct ContactDeleted: Codable, Sendable {
    public var contactId: Int64
    public init(contactId: Int64) { self.contactId = contactId }
}

/// Payload of `contact.reference_moved`.
public struct ReferenceMoved: Codable, Sendable {
    public var kind: ReferenceKind
    public var from: Int64
    public var to: Int64?
    public var count: Int
    public init(kind: ReferenceKind, from: Int64, to: Int64?, count: Int) {
        self.kind = kind
        self.from = from
        self.to = to
        self.count = count
    }
}

extension Contact {
    /// First and last name as people read them; one rule for lists, history and vCards.
    public var displayName: String { Self.displayName(first: firstName, last: lastName) }

    public static func displayName(first: String, last: String) -> String { [first, last].filter { !$0.isEmpty }.joined(separator: " ") }
}
