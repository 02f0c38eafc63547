import Bus
import Contracts
import Foundation
import Hummingbird

/// One file on its way to the contacts service: begun, sent in chunks of `FileRoutes.chunk`
/// bytes as it arrives (413 as soon as it passes the limit), then committed. The API's upload
/// (the body is the file) and the web UI's form upload (a part of a form) both send through it.
struct FileUpload {
    typealias M = ContactsContract.Method

    private let api: APIForwarder
    private let request: Request
    private let context: GatewayContext
    private let maxBytes: Int64
    private let uploadId: String
    private var pending = Data()
    private var offset: Int64 = 0

    init(
        api: APIForwarder, request: Request, context: GatewayContext, maxBytes: Int64, begin: UploadBegin
    ) async throws {
        self.api = api
        self.request = request
        self.context = context
        self.maxBytes = maxBytes
        uploadId = try await api.callDecoded(request, context: context, method: M.uploadBegin, body: begin).uploadId
    }

    /// The next bytes of the file.
    mutating func write(_ bytes: some Collection<UInt8>) async throws {
        pending.append(contentsOf: bytes)
        if offset + Int64(pending.count) > maxBytes {
            throw BusError.tooLarge("a file can be at most \(maxBytes) bytes", limit: Int(maxBytes))
        }
        while pending.count >= FileRoutes.chunk {
            try await send(Data(pending.prefix(FileRoutes.chunk)))
            pending.removeFirst(FileRoutes.chunk)
        }
    }

    /// Sends what is left and stores the file.
    mutating func commit() async throws -> StoredFile {
        if !pending.isEmpty || offset == 0 { try await send(pending) }
        pending = Data()
        return try await api.callDecoded(
            request, context: context, method: M.uploadCommit, body: UploadId(uploadId: uploadId), timeout: .seconds(120))
    }

    private mutating func send(_ data: Data) async throws {
        _ = try await api.callDecoded(
            request, context: context, method: M.uploadChunk, body: UploadChunk(uploadId: uploadId, offset: offset, data: data))
        offset += Int64(data.count)
    }
}
