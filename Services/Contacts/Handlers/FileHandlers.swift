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
            M.createFolder: writeHandler(FolderRequest.self) { try await files.createFolder($0, headers: $1, requestId: $2) },
            M.updateFolder: writeHandler(FolderRequest.self) { try await files.updateFolder($0, headers: $1, requestId: $2) },
            M.deleteFolder: writeHandler(IdRequest.self) { try await files.deleteFolder(id: $0.id, headers: $1, requestId: $2) },
            M.uploadBegin: jsonHandler(UploadBegin.self) { body, request in try await files.beginUpload(body, headers: request.headers) },
            M.uploadChunk: jsonHandler(UploadChunk.self) { body, _ in try await files.appendChunk(body) },
            M.uploadCommit: writeHandler(UploadId.self) { try await files.commitUpload($0, headers: $1, requestId: $2) },
            M.readFile: jsonHandler(FileRead.self) { body, request in try await files.read(body, headers: request.headers) },
            M.updateFile: writeHandler(FileUpdate.self) { try await files.update($0, headers: $1, requestId: $2) },
            M.deleteFile: writeHandler(IdRequest.self) { try await files.delete(id: $0.id, headers: $1, requestId: $2) },
        ]
    }
}
