import Foundation

/// What `files.list` answers.
public struct FileArea: Codable, Sendable {
    public var folders: [FileFolder]
    public var files: [StoredFile]
    public init(folders: [FileFolder], files: [StoredFile]) {
        self.folders = folders
        self.files = files
    }
}

/// A folder of a company's or contact's file area (folders nest).
public struct FileFolder: Codable, Sendable, Equatable {
    public var id: Int64
    public var contactId: Int64?
    public var companyId: Int64?
    public var parentId: Int64?
    public var name: String
    public var createdAt: Date
    public init(id: Int64, contactId: Int64?, companyId: Int64?, parentId: Int64?, name: String, createdAt: Date) {
        self.id = id
        self.contactId = contactId
        self.companyId = companyId
        self.parentId = parentId
        self.name = name
        self.createdAt = createdAt
    }
}

/// A file's metadata; the content lives on disk under the contacts service's data folder,
/// addressed by its SHA-256.
public struct StoredFile: Codable, Sendable, Equatable {
    public var id: Int64
    public var contactId: Int64?
    public var companyId: Int64?
    public var folderId: Int64?
    public var name: String
    public var contentType: String
    public var size: Int64
    public var sha256: String
    public var author: String?
    public var createdAt: Date
    public var updatedAt: Date
    public init(
        id: Int64, contactId: Int64?, companyId: Int64?, folderId: Int64?, name: String, contentType: String, size: Int64,
        sha256: String, author: String?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.contactId = contactId
        self.companyId = companyId
        self.folderId = folderId
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.author = author
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// `files.list`: the folders and files of one company or contact (optionally one folder's).
public struct FileAreaRequest: Codable, Sendable {
    public var contactId: Int64?
    public var companyId: Int64?
    public var folderId: Int64?
    public init(contactId: Int64? = nil, companyId: Int64? = nil, folderId: Int64? = nil) {
        self.contactId = contactId
        self.companyId = companyId
        self.folderId = folderId
    }
}

/// `files.create_folder`, `files.update_folder` (rename, move: `parent_id` 0 for the top).
public struct FolderRequest: Codable, Sendable {
    public var id: Int64?
    public var contactId: Int64?
    public var companyId: Int64?
    public var parentId: Int64?
    public var name: String?
    public init(id: Int64? = nil, contactId: Int64? = nil, companyId: Int64? = nil, parentId: Int64? = nil, name: String? = nil) {
        self.id = id
        self.contactId = contactId
        self.companyId = companyId
        self.parentId = parentId
        self.name = name
    }
}

/// `files.update`: rename or move to another folder (`folder_id` 0 for the top).
public struct FileUpdate: Codable, Sendable {
    public var id: Int64
    public var name: String?
    public var folderId: Int64?
    public init(id: Int64, name: String? = nil, folderId: Int64? = nil) {
        self.id = id
        self.name = name
        self.folderId = folderId
    }
}
