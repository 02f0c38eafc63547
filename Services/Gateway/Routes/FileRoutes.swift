import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The file areas of companies and contacts. Uploads stream: the body is read as it arrives and
/// sent on in chunks of `chunk` bytes (413 as soon as it passes the limit); downloads stream
/// the same way back.
struct FileRoutes: Sendable {
    typealias M = ContactsContract.Method

    let api: APIForwarder
    let maxBytes: Int64
    static let chunk = 512 * 1024

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.contactsRead), write = RoutePolicy.scope(Scope.contactsWrite)
        for (owner, key) in [("contacts", "contact_id"), ("companies", "company_id")] {
            CustomerFileRoutes(api: api, maxBytes: maxBytes, owner: owner, key: key).register(on: &routes)
        }
        routes.add(.get, "/api/v1/files/:id", read, tag: "files", summary: "A file's metadata", reply: "StoredFile", metadata)
        routes.add(
            .get, "/api/v1/files/:id/content", read, tag: "files", summary: "Download a file (streamed; its own Content-Type)",
            reply: "media:*/*", download)
        routes.add(
            .patch, "/api/v1/files/:id", write, tag: "files", summary: "Rename or move a file ({name, folder_id})", body: "FileInput",
            update)
        routes.add(.delete, "/api/v1/files/:id", write, tag: "files", summary: "Delete a file", delete)
        routes.add(
            .patch, "/api/v1/folders/:id", write, tag: "files", summary: "Rename or move a folder ({name, parent_id})", body: "FolderInput",
            updateFolder)
        routes.add(.delete, "/api/v1/folders/:id", write, tag: "files", summary: "Delete a folder with what it holds", deleteFolder)
    }

    @Sendable func metadata(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.getFile, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func download(_ request: Request, context: GatewayContext) async throws -> Response {
        let id = try pathID(context)
        let file = try Wire.decode(
            StoredFile.self,
            from: try await api.call(
                request, context: context, method: M.getFile, body: try Wire.encode(IdRequest(id: id))))
        let body = ResponseBody(contentLength: Int(file.size)) { writer in
            var offset: Int64 = 0
            while offset < file.size {
                let reply = try await api.call(
                    request, context: context, method: M.readFile,
                    body: try Wire.encode(FileRead(id: id, offset: offset, length: Self.chunk)))
                let bytes = try Wire.decode(FileBytes.self, from: reply)
                guard !bytes.data.isEmpty else { break }
                try await writer.write(ByteBuffer(bytes: bytes.data))
                offset += Int64(bytes.data.count)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: DownloadHeaders.make(contentType: file.contentType, filename: file.name), body: body)
    }

    @Sendable func update(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.updateFile, fields: ["id": try pathID(context)])
    }

    @Sendable func delete(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.deleteFile, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func updateFolder(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.updateFolder, fields: ["id": try pathID(context)])
    }

    @Sendable func deleteFolder(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.deleteFolder, query: try QueryBody(id: "id", from: context))
    }
}

/// The file area of one kind of customer: list, make a folder, upload.
struct CustomerFileRoutes: Sendable {
    typealias M = ContactsContract.Method

    let api: APIForwarder
    let maxBytes: Int64
    let owner: String
    let key: String

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.contactsRead), write = RoutePolicy.scope(Scope.contactsWrite)
        routes.add(
            .get, "/api/v1/\(owner)/:id/files", read, tag: "files", summary: "The file area: folders and files", query: ["folder_id"], list)
        routes.add(
            .post, "/api/v1/\(owner)/:id/folders", write, tag: "files", summary: "Make a folder ({name, parent_id})",
            body: "NewFolder",
            status: .created, createFolder)
        routes.add(
            .post, "/api/v1/\(owner)/:id/files", write, tag: "files",
            summary: "Upload a file: the body is the file; ?name= and optional folder_id; Content-Type is kept (413 past the limit)",
            query: ["name!", "folder_id"], status: .created, upload)
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: key, from: context)
        try query.integer("folder_id", from: request)
        return try await api.forward(request, context: context, method: M.listFiles, query: query)
    }

    @Sendable func createFolder(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.createFolder, fields: [key: try pathID(context)],
            status: .created)
    }

    @Sendable func upload(_ request: Request, context: GatewayContext) async throws -> Response {
        let ownerId = try pathID(context)
        // `name` is required and a file's name, `folder_id` a whole number: `RequestValidation` saw to it.
        let name = String(request.uri.queryParameters.get("name") ?? "")
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > maxBytes {
            throw BusError.tooLarge("a file can be at most \(maxBytes) bytes", limit: Int(maxBytes))
        }
        let folder = request.uri.queryParameters.get("folder_id").flatMap { Int64($0) }
        let begin = UploadBegin(
            contactId: key == "contact_id" ? ownerId : nil, companyId: key == "company_id" ? ownerId : nil, folderId: folder,
            name: name, contentType: request.headers[.contentType])
        var upload = try await FileUpload(api: api, request: request, context: context, maxBytes: maxBytes, begin: begin)
        for try await buffer in request.body { try await upload.write(buffer.readableBytesView) }
        let stored = try await upload.commit()
        return APIForwarder.json(status: .created, body: try Wire.encode(stored))
    }
}
