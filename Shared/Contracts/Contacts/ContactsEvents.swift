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
    /// A private person who is a customer in their own right (sales makes deals for them).
    public var consumer: Bool?

    public init(contact: Contact, changes: [FieldChange]? = nil) {
        contactId = contact.id
        ownerId = contact.ownerId
        consumer = contact.consumer
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

/// Payload of `company.created`, `company.updated`, `company.deleted`, `company.restored`.
public struct CompanyChanged: Codable, Sendable {
    public var company: Company
    public var changes: [FieldChange]?
    public init(company: Company, changes: [FieldChange]? = nil) {
        self.company = company
        self.changes = changes
    }
}

/// Payload of `note.created`, `note.updated`, `note.deleted`: the text only when the note is shared.
public struct NoteChanged: Codable, Sendable {
    public var id: Int64
    public var contactId: Int64?
    public var companyId: Int64?
    public var authorId: Int64?
    public var `private`: Bool
    public var text: String?
    public init(_ note: Note) {
        id = note.id
        contactId = note.contactId
        companyId = note.companyId
        authorId = note.authorId
        self.private = note.private
        text = note.private ? nil : note.text
    }
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
