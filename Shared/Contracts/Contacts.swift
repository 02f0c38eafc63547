import Foundation

/// The contacts service's bus contract: methods, request and reply types, and events.
public enum ContactsContract: ServiceContract {
    public static let service = "contacts"

    /// The methods, each with the types it takes and answers.
    public enum Method {
        public static let create = method("create", CreateContactRequest.self, Contact.self)
        public static let get = method("get", ContactIdRequest.self, Contact.self)
        public static let list = method("list", ListContactsRequest.self, Page<Contact>.self)
        public static let update = method("update", UpdateContactRequest.self, Contact.self)
        public static let delete = method("delete", ContactIdRequest.self, Contact.self)
        public static let history = method("history", HistoryRequest.self, Page<HistoryEntry>.self)
        public static let restore = method("restore", ContactIdRequest.self, Contact.self)
        /// "Choose categories": replaces the contact's set.
        public static let setCategories = method("set_categories", SetCategoriesRequest.self, Contact.self)
        public static let link = method("link", LinkRequest.self, ContactLink.self)
        public static let unlink = method("unlink", LinkRequest.self, Done.self)
        public static let links = method("links", LinksRequest.self, [ContactLink].self)
        /// Adds a number to a contact's phones (checked against its version) and links every
        /// unmatched call from it: "link to a contact" from the call log.
        public static let addPhone = method("add_phone", AddPhoneRequest.self, Contact.self)

        public static let createCompany = method("companies.create", CompanyInput.self, Company.self)
        public static let getCompany = method("companies.get", ContactIdRequest.self, Company.self)
        public static let listCompanies = method("companies.list", ListCompaniesRequest.self, Page<Company>.self)
        public static let updateCompany = method("companies.update", CompanyInput.self, Company.self)
        public static let deleteCompany = method("companies.delete", ContactIdRequest.self, Company.self)
        public static let restoreCompany = method("companies.restore", ContactIdRequest.self, Company.self)
        public static let setCompanyCategories = method("companies.set_categories", SetCategoriesRequest.self, Company.self)
        public static let companyHistory = method("companies.history", CompanyHistoryRequest.self, Page<HistoryEntry>.self)
        /// GDPR: anonymise a contact irreversibly.
        public static let anonymize = method("anonymize", ContactIdRequest.self, Contact.self)
        /// GDPR: contacts without activity for longer than settings' review period, oldest first.
        public static let gdprReview = method("gdpr_review", ReviewRequest.self, Page<Contact>.self)
        /// GDPR: mark a contact as reviewed and still needed (resets its activity clock).
        public static let touch = method("touch", ContactIdRequest.self, Contact.self)
        /// GDPR: everything held about one person, calls included (contacts pages through
        /// telephony's log for them).
        public static let exportPerson = method("export_person", ContactIdRequest.self, PersonExport.self)
        /// CSV import of contacts or companies (`ImportRequest` with `csv`).
        public static let importCSV = method("import_csv", ImportRequest.self, ImportReport.self)
        /// vCard import of contacts (`ImportRequest` with `vcf`).
        public static let importVCard = method("import_vcard", ImportRequest.self, ImportReport.self)
        /// A search result as CSV or vCards.
        public static let exportCSV = method("export_csv", ListContactsRequest.self, ExportFile.self)
        public static let exportVCard = method("export_vcard", ListContactsRequest.self, ExportFile.self)
        public static let exportCompaniesCSV = method("companies.export_csv", ListCompaniesRequest.self, ExportFile.self)
        public static let duplicates = method("duplicates", DuplicatesRequest.self, [DuplicateGroup].self)
        public static let merge = method("merge", MergeRequest.self, Contact.self)
        public static let companyDuplicates = method("companies.duplicates", DuplicatesRequest.self, [DuplicateGroup].self)
        public static let mergeCompanies = method("companies.merge", MergeRequest.self, Company.self)
        /// Removes for good what was deleted before the retention period (a separate, explicit action).
        public static let purge = method("purge", PurgeRequest.self, PurgeReport.self)
        public static let listFiles = method("files.list", FileAreaRequest.self, FileArea.self)
        public static let getFile = method("files.get", IdRequest.self, StoredFile.self)
        public static let createFolder = method("files.create_folder", FolderRequest.self, FileFolder.self)
        public static let updateFolder = method("files.update_folder", FolderRequest.self, FileFolder.self)
        public static let deleteFolder = method("files.delete_folder", IdRequest.self, Done.self)
        public static let uploadBegin = method("files.upload_begin", UploadBegin.self, UploadId.self)
        public static let uploadChunk = method("files.upload_chunk", UploadChunk.self, Done.self)
        public static let uploadCommit = method("files.upload_commit", UploadId.self, StoredFile.self)
        public static let updateFile = method("files.update", FileUpdate.self, StoredFile.self)
        public static let deleteFile = method("files.delete", IdRequest.self, Done.self)
        public static let readFile = method("files.read", FileRead.self, FileBytes.self)
        public static let createNote = method("notes.create", CreateNoteRequest.self, Note.self)
        public static let updateNote = method("notes.update", UpdateNoteRequest.self, Note.self)
        public static let deleteNote = method("notes.delete", ContactIdRequest.self, Done.self)
        public static let listNotes = method("notes.list", ListNotesRequest.self, Page<Note>.self)
        /// How many contacts use a reference item (answers settings; see `ReferenceOwnerContract`).
        public static let referenceUsage = ReferenceOwnerContract.usage(of: service)
        /// Move or clear every use of a reference item, in one transaction.
        public static let referenceMove = ReferenceOwnerContract.move(of: service)
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
