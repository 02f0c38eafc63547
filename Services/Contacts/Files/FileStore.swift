import Bus
import Contracts
import Crypto
import Foundation
import GRDB
import ServiceKit
import Storage

/// The file areas of companies and contacts: folders and files. Contents live on disk under
/// `directory`, one file per SHA-256 (`ab/cd/abcd...`), written once and shared by every upload of
/// the same bytes; metadata lives in SQLite. Uploads and downloads travel in chunks, so no
/// process ever holds a whole 50 MB file in one message.
struct FileStore: Sendable {
    let database: ServiceDatabase
    let directory: String
    let maxBytes: Int64
    static let chunkLimit = 1 << 20

    init(database: ServiceDatabase, directory: String, maxBytes: Int64) throws {
        self.database = database
        self.directory = directory
        self.maxBytes = maxBytes
        try FileManager.default.createDirectory(atPath: directory + "/uploads", withIntermediateDirectories: true)
    }

    // MARK: - Listing and folders

    func list(_ request: FileAreaRequest, headers: BusHeaders) async throws -> FileArea {
        try await database.read { db in
            let owner = try ContactStore.recordSubject(
                db, headers: headers, contactId: request.contactId, companyId: request.companyId, allowDeleted: true)
            let column = owner.column
            var folderFilter = ""
            var arguments: [any DatabaseValueConvertible] = [owner.id]
            if let folder = request.folderId {
                folderFilter = " AND folder_id = ?"
                arguments.append(folder)
            }
            let folders = try Row.fetchAll(db, sql: "SELECT * FROM file_folder WHERE \(column) = ? ORDER BY name", arguments: [owner.id])
                .map(Self.folder)
            let files = try Row.fetchAll(
                db, sql: "SELECT * FROM stored_file WHERE \(column) = ?\(folderFilter) ORDER BY name",
                arguments: StatementArguments(arguments)
            ).map(Self.file)
            return FileArea(folders: folders, files: files)
        }
    }

    func file(id: Int64, headers: BusHeaders) async throws -> StoredFile {
        try await database.read { db in try Self.visibleFile(db, id: id, headers: headers) }
    }

    func createFolder(_ request: FolderRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let name = try Self.checkName(request.name ?? "")
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.createFolder) { db, outbox in
            let owner = try ContactStore.recordSubject(db, headers: headers, contactId: request.contactId, companyId: request.companyId)
            if let parent = request.parentId, parent != 0 { try Self.checkFolder(db, id: parent, owner: owner) }
            try db.execute(
                sql: "INSERT INTO file_folder (contact_id, company_id, parent_id, name, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    request.contactId, request.companyId, request.parentId == 0 ? nil : request.parentId, name, DatabaseDate.string(Date()),
                ])
            let folder = Self.folder(
                try Row.fetchOne(db, sql: "SELECT * FROM file_folder WHERE id = ?", arguments: [db.lastInsertedRowID])!)
            return folder
        }
    }

    /// Renames a folder or moves it under another of the same area (never under itself).
    func updateFolder(_ request: FolderRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        guard let id = request.id else { throw BusError.badRequest("name the folder by id") }
        let name = try request.name.map(Self.checkName)
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.updateFolder) { db, _ in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM file_folder WHERE id = ?", arguments: [id]) else {
                throw BusError.notFound("folder \(id) does not exist")
            }
            let folder = Self.folder(row)
            let owner = try ContactStore.recordSubject(db, headers: headers, contactId: folder.contactId, companyId: folder.companyId)
            if let name { try db.execute(sql: "UPDATE file_folder SET name = ? WHERE id = ?", arguments: [name, id]) }
            if let parent = request.parentId {
                if parent == 0 {
                    try db.execute(sql: "UPDATE file_folder SET parent_id = NULL WHERE id = ?", arguments: [id])
                } else {
                    try Self.checkFolder(db, id: parent, owner: owner)
                    let below = try Int64.fetchAll(
                        db,
                        sql: """
                            WITH RECURSIVE below(id) AS (SELECT ? UNION ALL SELECT f.id FROM file_folder f JOIN below ON f.parent_id = below.id)
                            SELECT id FROM below
                            """, arguments: [id])
                    if below.contains(parent) { throw BusError.conflict("a folder cannot move under itself or one of its folders") }
                    try db.execute(sql: "UPDATE file_folder SET parent_id = ? WHERE id = ?", arguments: [parent, id])
                }
            }
            return Self.folder(try Row.fetchOne(db, sql: "SELECT * FROM file_folder WHERE id = ?", arguments: [id])!)
        }
    }

    /// Deletes a folder with its subfolders and files.
    func deleteFolder(id: Int64, headers: BusHeaders, requestId: String) async throws -> Data {
        let hashes = try await database.read { db in
            try String.fetchAll(
                db,
                sql: """
                    WITH RECURSIVE below(id) AS (SELECT ? UNION ALL SELECT f.id FROM file_folder f JOIN below ON f.parent_id = below.id)
                    SELECT DISTINCT sha256 FROM stored_file WHERE folder_id IN (SELECT id FROM below)
                    """, arguments: [id])
        }
        let reply = try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.deleteFolder) { db, outbox in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM file_folder WHERE id = ?", arguments: [id]) else {
                throw BusError.notFound("folder \(id) does not exist")
            }
            let folder = Self.folder(row)
            let owner = try ContactStore.recordSubject(db, headers: headers, contactId: folder.contactId, companyId: folder.companyId)
            try db.execute(sql: "DELETE FROM file_folder WHERE id = ?", arguments: [id])
            try History.add(db, owner, kind: "file", actor: headers.actor, summary: "Folder \(folder.name) deleted", changes: nil)
            return Done()
        }
        try await removeUnused(hashes)
        return reply
    }

    // MARK: - Uploads

    func beginUpload(_ request: UploadBegin, headers: BusHeaders) async throws -> UploadId {
        let name = try Self.checkName(request.name)
        let contentType = request.contentType?.trimmed.nilIfEmpty ?? "application/octet-stream"
        let id = UUID().uuidString.lowercased()
        try await database.write { db, _ in
            let owner = try ContactStore.recordSubject(db, headers: headers, contactId: request.contactId, companyId: request.companyId)
            if let folder = request.folderId, folder != 0 { try Self.checkFolder(db, id: folder, owner: owner) }
            try db.execute(
                sql: """
                    INSERT INTO upload (id, contact_id, company_id, folder_id, name, content_type, received, started_at, author)
                    VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)
                    """,
                arguments: [
                    id, request.contactId, request.companyId, request.folderId == 0 ? nil : request.folderId, name, contentType,
                    DatabaseDate.string(Date()),
                    headers.actor,
                ])
        }
        guard FileManager.default.createFile(atPath: partPath(id), contents: nil) else {
            throw BusError.internal("cannot write the upload")
        }
        return UploadId(uploadId: id)
    }

    /// Appends a chunk; chunks come in order. A chunk sent again (a retry) is accepted once.
    func appendChunk(_ chunk: UploadChunk) async throws -> Done {
        let received = try await database.read { db in
            try Int64.fetchOne(db, sql: "SELECT received FROM upload WHERE id = ?", arguments: [chunk.uploadId])
        }
        guard let received else { throw BusError.notFound("upload \(chunk.uploadId) does not exist (or was discarded)") }
        if chunk.offset + Int64(chunk.data.count) <= received { return Done() }
        guard chunk.offset == received else { throw BusError.invalid("chunk at \(chunk.offset), expected \(received)") }
        guard received + Int64(chunk.data.count) <= maxBytes else {
            try? await discard(chunk.uploadId)
            throw BusError.tooLarge("a file can be at most \(maxBytes) bytes", limit: Int(maxBytes))
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partPath(chunk.uploadId)))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(chunk.offset))
        try handle.write(contentsOf: chunk.data)
        try await database.write { db, _ in
            try db.execute(
                sql: "UPDATE upload SET received = ? WHERE id = ?", arguments: [received + Int64(chunk.data.count), chunk.uploadId])
        }
        return Done()
    }

    /// Hashes the upload, puts its bytes in place (durably) and records the file.
    func commitUpload(_ request: UploadId, headers: BusHeaders, requestId: String) async throws -> Data {
        if let stored = try await database.storedReply(requestId: requestId) { return stored }
        struct Pending: Sendable {
            let contactId: Int64?, companyId: Int64?, folderId: Int64?, name: String, contentType: String, author: String?
        }
        let upload = try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM upload WHERE id = ?", arguments: [request.uploadId]).map {
                Pending(
                    contactId: $0["contact_id"], companyId: $0["company_id"], folderId: $0["folder_id"], name: $0["name"],
                    contentType: $0["content_type"], author: $0["author"])
            }
        }
        guard let upload else { throw BusError.notFound("upload \(request.uploadId) does not exist (or was discarded)") }
        let part = partPath(request.uploadId)
        let (hash, size) = try Self.hash(path: part)
        let target = blobPath(hash)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: target) {
            try? FileManager.default.removeItem(atPath: part)
        } else {
            try Self.sync(path: part)
            try FileManager.default.moveItem(atPath: part, toPath: target)
            try Self.sync(path: (target as NSString).deletingLastPathComponent)
        }
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.uploadCommit) { db, outbox in
            let now = Date()
            try db.execute(
                sql: """
                    INSERT INTO stored_file (contact_id, company_id, folder_id, name, content_type, size, sha256, author, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    upload.contactId, upload.companyId, upload.folderId, upload.name, upload.contentType, size, hash, upload.author,
                    DatabaseDate.string(now), DatabaseDate.string(now),
                ])
            let file = Self.file(try Row.fetchOne(db, sql: "SELECT * FROM stored_file WHERE id = ?", arguments: [db.lastInsertedRowID])!)
            try db.execute(sql: "DELETE FROM upload WHERE id = ?", arguments: [request.uploadId])
            let subject: History.Subject = file.contactId.map { .contact($0) } ?? .company(file.companyId!)
            try History.add(
                db, subject, kind: "file", actor: headers.actor, summary: "File \(file.name) added (\(size) bytes)", changes: nil)
            try outbox.append(db, type: ContactsContract.Event.fileStored, payload: file)
            return file
        }
    }

    // MARK: - Files

    func read(_ request: FileRead, headers: BusHeaders) async throws -> FileBytes {
        let file = try await self.file(id: request.id, headers: headers)
        let length = min(max(request.length, 1), Self.chunkLimit)
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: blobPath(file.sha256)))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(max(0, request.offset)))
        let data = try handle.read(upToCount: length) ?? Data()
        return FileBytes(data: data, eof: request.offset + Int64(data.count) >= file.size)
    }

    func update(_ request: FileUpdate, headers: BusHeaders, requestId: String) async throws -> Data {
        let name = try request.name.map(Self.checkName)
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.updateFile) { db, outbox in
            var file = try Self.visibleFile(db, id: request.id, headers: headers)
            let owner = try ContactStore.recordSubject(db, headers: headers, contactId: file.contactId, companyId: file.companyId)
            if let name { file.name = name }
            if let folder = request.folderId {
                if folder != 0 { try Self.checkFolder(db, id: folder, owner: owner) }
                file.folderId = folder == 0 ? nil : folder
            }
            file.updatedAt = Date()
            try db.execute(
                sql: "UPDATE stored_file SET name = ?, folder_id = ?, updated_at = ? WHERE id = ?",
                arguments: [file.name, file.folderId, DatabaseDate.string(file.updatedAt), file.id])
            try outbox.append(db, type: ContactsContract.Event.fileChanged, payload: file)
            return file
        }
    }

    func delete(id: Int64, headers: BusHeaders, requestId: String) async throws -> Data {
        let hash = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT sha256 FROM stored_file WHERE id = ?", arguments: [id])
        }
        let reply = try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.deleteFile) { db, outbox in
            let file = try Self.visibleFile(db, id: id, headers: headers)
            let owner = try ContactStore.recordSubject(db, headers: headers, contactId: file.contactId, companyId: file.companyId)
            try db.execute(sql: "DELETE FROM stored_file WHERE id = ?", arguments: [id])
            try db.execute(sql: "UPDATE contact SET picture_file_id = NULL WHERE picture_file_id = ?", arguments: [id])
            try History.add(db, owner, kind: "file", actor: headers.actor, summary: "File \(file.name) deleted", changes: nil)
            try outbox.append(db, type: ContactsContract.Event.fileDeleted, payload: file)
            return Done()
        }
        try await removeUnused(hash.map { [$0] } ?? [])
        return reply
    }

    /// Removes the contents of these hashes that no file refers to any more (deletes check only
    /// what they touched; the whole folder is swept at start-up by `collectGarbage`).
    private func removeUnused(_ hashes: [String]) async throws {
        for hash in hashes {
            // Checked right before removing: an upload may have just stored the same bytes.
            let unused = try await database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stored_file WHERE sha256 = ?", arguments: [hash]) == 0
            }
            if unused { try? FileManager.default.removeItem(atPath: blobPath(hash)) }
        }
    }

    /// Removes contents no file refers to any more (left by a crash between storing the bytes and
    /// the row, or by a purge), and uploads left unfinished for an hour. Run at start-up.
    func collectGarbage() async throws {
        let (hashes, stale) = try await database.read { db in
            (
                Set(try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM stored_file")),
                try String.fetchAll(
                    db, sql: "SELECT id FROM upload WHERE started_at < ?",
                    arguments: [DatabaseDate.string(Date().addingTimeInterval(-3600))])
            )
        }
        for id in stale { try? await discard(id) }
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return }
        var orphans: [String] = []
        while let path = enumerator.nextObject() as? String {
            let name = (path as NSString).lastPathComponent
            if name.count == 64, !path.hasPrefix("uploads"), !hashes.contains(name) { orphans.append(name) }
        }
        try await removeUnused(orphans)
    }

    // MARK: - Helpers

    func blobPath(_ hash: String) -> String { Self.blobPath(hash, directory: directory) }

    static func blobPath(_ hash: String, directory: String) -> String {
        "\(directory)/\(hash.prefix(2))/\(hash.dropFirst(2).prefix(2))/\(hash)"
    }

    /// Puts bytes in place durably, as an upload's commit does, before the row that refers to
    /// them is written (a crash in between leaves bytes that `collectGarbage` removes).
    static func storeBlob(_ data: Data, directory: String) throws -> (hash: String, size: Int64) {
        let hash = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let target = blobPath(hash, directory: directory)
        if FileManager.default.fileExists(atPath: target) { return (hash, Int64(data.count)) }
        try FileManager.default.createDirectory(atPath: directory + "/uploads", withIntermediateDirectories: true)
        let part = "\(directory)/uploads/\(UUID().uuidString).part"
        try data.write(to: URL(fileURLWithPath: part))
        try sync(path: part)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            try FileManager.default.moveItem(atPath: part, toPath: target)
        } catch  where FileManager.default.fileExists(atPath: target) {
            try? FileManager.default.removeItem(atPath: part)  // the same bytes, stored meanwhile
        }
        try sync(path: (target as NSString).deletingLastPathComponent)
        return (hash, Int64(data.count))
    }

    private func partPath(_ id: String) -> String { "\(directory)/uploads/\(id).part" }

    private func discard(_ id: String) async throws {
        try await database.write { db, _ in try db.execute(sql: "DELETE FROM upload WHERE id = ?", arguments: [id]) }
        try? FileManager.default.removeItem(atPath: partPath(id))
    }

    static func hash(path: String) throws -> (String, Int64) {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            hasher.update(data: data)
            size += Int64(data.count)
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), size)
    }

    /// fsync, so a stored file survives a power cut as the database row pointing to it does.
    static func sync(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        fsync(fd)
    }

    static func checkName(_ raw: String) throws -> String {
        let name = raw.trimmed
        guard !name.isEmpty, name.count <= 255, !name.contains("/"), name != ".", name != "..",
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw BusError.invalid("a name is 1 to 255 characters without '/' or control characters")
        }
        return name
    }

    static func checkFolder(_ db: Database, id: Int64, owner: History.Subject) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT contact_id, company_id FROM file_folder WHERE id = ?", arguments: [id]),
            (row[owner.column] as Int64?) == owner.id
        else { throw BusError.conflict("folder \(id) is not in this file area") }
    }

    static func visibleFile(_ db: Database, id: Int64, headers: BusHeaders) throws -> StoredFile {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM stored_file WHERE id = ?", arguments: [id]) else {
            throw BusError.notFound("file \(id) does not exist")
        }
        let file = Self.file(row)
        _ = try ContactStore.recordSubject(db, headers: headers, contactId: file.contactId, companyId: file.companyId, allowDeleted: true)
        return file
    }

    static func folder(_ row: Row) -> FileFolder {
        FileFolder(
            id: row["id"], contactId: row["contact_id"], companyId: row["company_id"], parentId: row["parent_id"], name: row["name"],
            createdAt: row["created_at"])
    }

    static func file(_ row: Row) -> StoredFile {
        StoredFile(
            id: row["id"], contactId: row["contact_id"], companyId: row["company_id"], folderId: row["folder_id"], name: row["name"],
            contentType: row["content_type"], size: row["size"], sha256: row["sha256"], author: row["author"], createdAt: row["created_at"],
            updatedAt: row["updated_at"])
    }
}
