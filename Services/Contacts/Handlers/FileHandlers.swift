import Bus
import Contracts
import Foundation
import ServiceKit

/// The file areas' bus methods.
struct FileHandlers: Sendable {
    let files: FileStore

    var all: [String: BusMethodHandler] {
        let files = files
        typealias M = ContactsContract.Method
        return [
            M.listFiles: jsonHandler(FileAreaRequest.self) { body, request in try await files.list(body, headers: request.headers) },
            M.getFile: jsonHandler(IdRequest.self) { body, request in try await files.file(id: body.id, headers: request.headers) },
            M.createFolder: { request in
                try await files.createFolder(
                    try decodeBody(FolderRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.updateFolder: { request in
                try await files.updateFolder(
                    try decodeBody(FolderRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.deleteFolder: { request in
                try await files.deleteFolder(
                    id: try decodeBody(IdRequest.self, request).id, headers: request.headers, requestId: request.requestId)
            },
            M.uploadBegin: jsonHandler(UploadBegin.self) { body, request in try await files.beginUpload(body, headers: request.headers) },
            M.uploadChunk: jsonHandler(UploadChunk.self) { body, _ in try await files.appendChunk(body) },
            M.uploadCommit: { request in
                try await files.commitUpload(try decodeBody(UploadId.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.readFile: jsonHandler(FileRead.self) { body, request in try await files.read(body, headers: request.headers) },
            M.updateFile: { request in
                try await files.update(try decodeBody(FileUpdate.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.deleteFile: { request in
                try await files.delete(
                    id: try decodeBody(IdRequest.self, request).id, headers: request.headers, requestId: request.requestId)
            },
        ]
    }
}
