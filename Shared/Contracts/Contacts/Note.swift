import Foundation

/// A note on a company or a contact. A private note is seen by its author only, everywhere
/// (lists, history, search); a shared one by everybody who sees the record.
public struct Note: Codable, Sendable, Equatable {
    public var id: Int64
    public var contactId: Int64?
    public var companyId: Int64?
    /// The author (settings' user), nil when written by a service or the command line.
    public var authorId: Int64?
    public var author: String?
    public var text: String
    public var `private`: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, contactId: Int64?, companyId: Int64?, authorId: Int64?, author: String?, text: String, private: Bool,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.contactId = contactId
        self.companyId = companyId
        self.authorId = authorId
        self.author = author
        self.text = text
        self.private = `private`
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// `notes.create`: on a contact or a company.
public struct CreateNoteRequest: Codable, Sendable {
    public var contactId: Int64?
    public var companyId: Int64?
    public var text: String
    public var `private`: Bool?
    public init(contactId: Int64? = nil, companyId: Int64? = nil, text: String, private: Bool? = nil) {
        self.contactId = contactId
        self.companyId = companyId
        self.text = text
        self.private = `private`
    }
}

/// `notes.update`: the author or a boss changes the text or the private flag.
public struct UpdateNoteRequest: Codable, Sendable {
    public var id: Int64
    public var text: String?
    public var `private`: Bool?
    public init(id: Int64, text: String? = nil, private: Bool? = nil) {
        self.id = id
        self.text = text
        self.private = `private`
    }
}

/// `notes.list`: the notes of a contact or a company, or (with `q`) every note the caller may
/// see whose text holds `q`. Newest first.
public struct ListNotesRequest: Codable, Sendable {
    public var contactId: Int64?
    public var companyId: Int64?
    public var q: String?
    public var limit: Int?
    public var cursor: String?
    public init(contactId: Int64? = nil, companyId: Int64? = nil, q: String? = nil) {
        self.contactId = contactId
        self.companyId = companyId
        self.q = q
    }
}
