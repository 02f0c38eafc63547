import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// A contact's file area: folders, files to download, rename, move and delete, and uploads.
/// An upload is the file itself as the request body (the API's streaming route), sent by the
/// script with a progress bar; the page says so when scripts are off.
struct FilePages: Sendable {
    typealias M = ContactsContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/contacts/:id/files", use: area)
        router.post("/contacts/:id/folders", use: makeFolder)
        router.post("/files/:file/rename", use: rename)
        router.post("/files/:file/delete", use: delete)
    }

    @Sendable func area(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            let folder = request.uri.queryParameters.get("folder").flatMap { Int64($0) }
            do {
                async let contact = ui.call(M.get, ContactIdRequest(id: id), request, context)
                async let area = ui.call(M.listFiles, FileAreaRequest(contactId: id, folderId: folder), request, context)
                let (owner, found) = try await (contact, area)
                let folders = found.folders.filter { $0.parentId == folder }
                let files = found.files.filter { $0.folderId == folder }
                var values: [String: Any] = [
                    "id": id, "name": owner.displayName,
                    "folders": folders.map { ["folder_id": $0.id, "folder_name": $0.name] },
                    "files": files.map { file -> [String: Any] in
                        [
                            "file_id": file.id, "file_name": file.name, "type": file.contentType,
                            "size": ByteCountFormatter.string(fromByteCount: file.size, countStyle: .file),
                            "at": Timestamp.string(from: file.createdAt),
                        ]
                    },
                    "empty": folders.isEmpty && files.isEmpty,
                    "upload": "/api/v1/contacts/\(id)/files" + (folder.map { "?folder_id=\($0)&name=" } ?? "?name="),
                ]
                if let folder {
                    values["folder"] = folder
                    values["folder_title"] = found.folders.first { $0.id == folder }?.name ?? ""
                }
                return ui.renderer.page("files", title: "Files of \(owner.displayName)", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func makeFolder(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            let parent = fields["parent_id"].flatMap { Int64($0) }
            do {
                _ = try await ui.call(
                    M.createFolder, FolderRequest(contactId: id, parentId: parent, name: fields["folder_name"] ?? ""), request, context)
                return PageRenderer.redirect("/contacts/\(id)/files" + (parent.map { "?folder=\($0)" } ?? ""))
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func rename(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let file = context.parameters.get("file").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such file"), session: session)
            }
            do {
                let stored = try await ui.call(
                    M.updateFile, FileUpdate(id: file, name: fields["file_name"], folderId: fields["folder_id"].flatMap { Int64($0) }),
                    request,
                    context)
                return PageRenderer.redirect(Self.back(stored))
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func delete(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let file = context.parameters.get("file").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such file"), session: session)
            }
            do {
                let stored = try await ui.call(M.getFile, IdRequest(id: file), request, context)
                _ = try await ui.call(M.deleteFile, IdRequest(id: file), request, context)
                return PageRenderer.redirect(Self.back(stored))
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// The file area page a file belongs to.
    static func back(_ file: StoredFile) -> String {
        guard let contact = file.contactId else { return "/contacts" }
        return "/contacts/\(contact)/files" + (file.folderId.map { "?folder=\($0)" } ?? "")
    }
}
