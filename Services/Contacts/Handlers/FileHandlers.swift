import Bus
import Contracts
import Foundation
import ServiceKit

/// The file areas' bus methods.
struct FileHandlers: Sendable {
    let files: FileStore

    var methods: MethodTable {
        let files = files
        typealias M = ContactsContract.Method
        var table = MethodTable(service: ContactsContract.service)
        table.on(M.listFiles) { body, request in try await files.list(body, headers: request.headers) }
        table.on(M.getFile) { body, request in try await files.file(id: body.id, headers: request.headers) }
        table.write(M.createFolder) { try await files.createFolder($0, headers: $1, requestId: $2) }
        table.write(M.updateFolder) { try await files.updateFolder($0, headers: $1, requestId: $2) }
        table.write(M.deleteFolder) { try await files.deleteFolder(id: $0.id, headers: $1, requestId: $2) }
        table.on(M.uploadBegin) { body, request in try await files.beginUpload(body, headers: request.headers) }
        table.on(M.uploadChunk) { body, _ in try await files.appendChunk(body) }
        table.write(M.uploadCommit) { try await files.commitUpload($0, headers: $1, requestId: $2) }
        table.on(M.readFile) { body, request in try await files.read(body, headers: request.headers) }
        table.write(M.updateFile) { try await files.update($0, headers: $1, requestId: $2) }
        table.write(M.deleteFile) { try await files.delete(id: $0.id, headers: $1, requestId: $2) }
        return table
    }
}
