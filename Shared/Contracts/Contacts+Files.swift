import Foundation

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

/// What `files.list` answers.
public struct FileArea: Codable, Sendable {
    public var folders: [FileFolder]
    public var files: [StoredFile]
    public init(folders: [FileFolder], files: [StoredFile]) {
        self.folders = folders
        self.files = files
    }
}

/// `files.create_folder`, `files.update_folder` (rename, move: `parent_id` 0 for the top).
public struct FolderRequest: Codable, Sendable {
    public var id: Int64?
    public var contactId: Int64?
    public var companyId: Int64?
    public var parentId: Int64?
    public var name: String?
}

/// Uploads travel in chunks: `files.upload_begin` (answers an upload id), `files.upload_chunk`
/// (base64 bytes at an offset, in order), `files.upload_commit` (hashes, stores, answers the
/// file). An upload not committed within an hour is discarded.
public struct UploadBegin: Codable, Sendable {
    public var contactId: Int64?
    public var companyId: Int64?
    public var folderId: Int64?
    public var name: String
    public var contentType: String?
    public init(contactId: Int64?, companyId: Int64?, folderId: Int64?, name: String, contentType: String?) {
        self.contactId = contactId
        self.companyId = companyId
        self.folderId = folderId
        self.name = name
        self.contentType = contentType
    }
}

public struct UploadChunk: Codable, Sendable {
    public var uploadId: String
    public var offset: Int64
    public var data: Data
    public init(uploadId: String, offset: Int64, data: Data) {
        self.uploadId = uploadId
        self.offset = offset
        self.data = data
    }
}

public struct UploadId: Codable, Sendable {
    public var uploadId: String
    public init(uploadId: String) { self.uploadId = uploadId }
}

/// `files.update`: rename or move to another folder (`folder_id` 0 for the top).
public struct FileUpdate: Codable, Sendable {
    public var id: Int64
    public var name: String?
    public var folderId: Int64?
}

/// `files.read`: up to `length` bytes of a file from `offset` (downloads travel in chunks).
public struct FileRead: Codable, Sendable {
    public var id: Int64
    public var offset: Int64
    public var length: Int
    public init(id: Int64, offset: Int64, length: Int) {
        self.id = id
        self.offset = offset
        self.length = length
    }
}

public struct FileBytes: Codable, Sendable {
    public var data: Data
    public var eof: Bool
    public init(data: Data, eof: Bool) {
        self.data = data
        self.eof = eof
    }
}
