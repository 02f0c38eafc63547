import Foundation

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
