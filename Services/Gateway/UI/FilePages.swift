import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// The file area of a contact or a company: folders, files to download, rename, move and
/// delete, uploads, and the contact's picture. An upload is a plain form
/// (`multipart/form-data`, read as it arrives by `FormDataReader`), so it works without the
/// script; with it, the script sends the file to the API's streaming route with a progress bar.
struct FilePages: Sendable {
    typealias M = ContactsContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        for kind in ["contacts", "companies"] {
            router.get("/\(kind)/:id/files") { request, context in try await area(kind, request, context) }
            router.post("/\(kind)/:id/folders") { request, context in try await makeFolder(kind, request, context) }
            router.post("/\(kind)/:id/files") { request, context in try await upload(kind, request, context) }
            router.post("/\(kind)/:id/folders/:folder/rename") { request, context in try await renameFolder(kind, request, context) }
            router.post("/\(kind)/:id/folders/:folder/delete") { request, context in try await deleteFolder(kind, request, context) }
        }
        router.post("/files/:file/rename", use: rename)
        router.post("/files/:file/delete", use: delete)
        router.post("/files/:file/picture", use: makePicture)
    }

    func area(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard let owner = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            let folder = request.uri.queryParameters.get("folder").flatMap { Int64($0) }
            do {
                var ask = owner.isContact ? FileAreaRequest(contactId: owner.id) : FileAreaRequest(companyId: owner.id)
                ask.folderId = folder
                async let name = ownerName(owner, request, context)
                async let area = ui.call(M.listFiles, ask, request, context)
                let (title, found) = try await (name, area)
                var values = Self.values(found, folder: folder, owner: owner)
                values["name"] = title
                if owner.isContact {
                    let contact = try await ui.call(M.get, ContactIdRequest(id: owner.id), request, context)
                    values["picture_id"] = contact.pictureFileId ?? 0
                }
                return ui.renderer.page("files", title: "Files of \(title)", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    private func ownerName(_ owner: CustomerRef, _ request: Request, _ context: GatewayContext) async throws -> String {
        owner.isContact
            ? try await ui.call(M.get, ContactIdRequest(id: owner.id), request, context).displayName
            : try await ui.call(M.getCompany, ContactIdRequest(id: owner.id), request, context).name
    }

    static func values(_ found: FileArea, folder: Int64?, owner: CustomerRef) -> [String: Any] {
        let folders = found.folders.filter { $0.parentId == folder }
        let files = found.files.filter { $0.folderId == folder }
        // Where a file can be moved: the top of the area and every folder but the one it is in.
        let places: [[String: Any]] =
            (folder == nil ? [] : [["place_id": 0, "place_name": "(top of the file area)"]])
            + found.folders.filter { $0.id != folder }.map { ["place_id": $0.id, "place_name": $0.name] }
        var values: [String: Any] = [
            "path": owner.path, "is_contact": owner.isContact,
            "folders": folders.map { ["folder_id": $0.id, "folder_name": $0.name] },
            "files": files.map { file -> [String: Any] in
                [
                    "file_id": file.id, "file_name": file.name, "type": file.contentType,
                    "size": ByteCountFormatter.string(fromByteCount: file.size, countStyle: .file),
                    "at": Timestamp.string(from: file.createdAt), "places": places, "can_move": !places.isEmpty,
                    "image": owner.isContact && ["image/jpeg", "image/png", "image/gif", "image/webp"].contains(file.contentType),
                ]
            },
            "empty": folders.isEmpty && files.isEmpty,
            "upload": "/api/v1\(owner.path)/files" + (folder.map { "?folder_id=\($0)&name=" } ?? "?name="),
        ]
        if let folder {
            values["folder"] = folder
            let current = found.folders.first { $0.id == folder }
            values["folder_title"] = current?.name ?? ""
            if let parent = current?.parentId { values["parent_of_folder"] = parent }
        }
        return values
    }

    func makeFolder(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let owner = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            let parent = fields["parent_id"].flatMap { Int64($0) }
            var ask = FolderRequest(parentId: parent, name: fields["folder_name"] ?? "")
            if owner.isContact { ask.contactId = owner.id } else { ask.companyId = owner.id }
            do {
                _ = try await ui.call(M.createFolder, ask, request, context)
                return PageRenderer.redirect("\(owner.path)/files" + (parent.map { "?folder=\($0)" } ?? ""))
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// A file sent by the page's form. The CSRF token and the folder come before the file in
    /// the form, so the token is checked before a byte of the file is stored.
    func upload(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard let owner = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            var folder: Int64?
            do {
                let reader = try FormDataReader(contentType: request.headers[.contentType])
                var fields: [String: String] = [:]
                var upload: FileUpload?
                var stored: StoredFile?
                var received: Int64 = 0
                let limit = ui.filesMaxBytes + 64 * 1024
                for try await buffer in request.body {
                    received += Int64(buffer.readableBytes)
                    if received > limit { throw BusError.tooLarge("a file can be at most \(ui.filesMaxBytes) bytes", limit: Int(limit)) }
                    for event in try reader.feed(buffer) {
                        switch event {
                        case .field(let name, let value):
                            if fields[name] == nil { fields[name] = value }
                        case .fileStart(_, let filename, let type):
                            try ui.checkCSRF(fields["csrf"], request)
                            folder = fields["folder_id"].flatMap { Int64($0) }
                            let name = (filename as NSString).lastPathComponent
                            guard !name.isEmpty else { throw BusError.invalid("choose a file to upload") }
                            upload = try await FileUpload(
                                api: ui.api, request: request, context: context, maxBytes: ui.filesMaxBytes,
                                begin: UploadBegin(
                                    contactId: owner.isContact ? owner.id : nil, companyId: owner.isContact ? nil : owner.id,
                                    folderId: folder, name: name, contentType: type))
                        case .fileBytes(let bytes):
                            try await upload?.write(bytes)
                        case .fileEnd:
                            stored = try await upload?.commit()
                        }
                    }
                }
                guard stored != nil, reader.sawCompleteFile else { throw BusError.invalid("the upload held no complete file") }
                return PageRenderer.redirect("\(owner.path)/files" + (folder.map { "?folder=\($0)" } ?? ""))
            } catch let failure as FormDataReader.Failure {
                return ui.errorPage(.badRequest(failure.message), session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    func renameFolder(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let owner = CustomerRef(kind, context), let folder = context.parameters.get("folder").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such folder"), session: session)
            }
            do {
                _ = try await ui.call(M.updateFolder, FolderRequest(id: folder, name: fields["folder_name"] ?? ""), request, context)
                return PageRenderer.redirect("\(owner.path)/files?folder=\(folder)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// Deletes a folder with what it holds, and goes up to where it was.
    func deleteFolder(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let owner = CustomerRef(kind, context), let folder = context.parameters.get("folder").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such folder"), session: session)
            }
            guard fields["confirm"] == "yes" else {
                return ui.errorPage(.invalid("tick the confirmation: the folder's files are deleted with it"), session: session)
            }
            do {
                _ = try await ui.call(M.deleteFolder, IdRequest(id: folder), request, context)
                let parent = fields["parent_id"].flatMap { Int64($0) }
                return PageRenderer.redirect("\(owner.path)/files" + (parent.map { "?folder=\($0)" } ?? ""))
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
            let name = fields["file_name"].flatMap { $0.isEmpty ? nil : $0 }
            do {
                // A move stays in the folder the file left (as a file manager does).
                let before = fields["stay"] == "yes" ? try await ui.call(M.getFile, IdRequest(id: file), request, context) : nil
                let stored = try await ui.call(
                    M.updateFile, FileUpdate(id: file, name: name, folderId: fields["folder_id"].flatMap { Int64($0) }), request, context)
                return PageRenderer.redirect(Self.back(before ?? stored))
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

    /// Makes an image of a contact's file area the contact's picture.
    @Sendable func makePicture(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let file = context.parameters.get("file").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such file"), session: session)
            }
            do {
                let stored = try await ui.call(M.getFile, IdRequest(id: file), request, context)
                guard let contact = stored.contactId else {
                    return ui.errorPage(.invalid("only a contact's own image can be its picture"), session: session)
                }
                var ask = UpdateContactRequest(id: contact)
                ask.pictureFileId = file
                _ = try await ui.call(M.update, ask, request, context)
                return PageRenderer.redirect("/contacts/\(contact)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// The file area page a file belongs to.
    static func back(_ file: StoredFile) -> String {
        guard let owner = CustomerRef(of: file) else { return "/contacts" }
        return "\(owner.path)/files" + (file.folderId.map { "?folder=\($0)" } ?? "")
    }
}
