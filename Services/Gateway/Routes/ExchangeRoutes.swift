import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Import and export of the customer database: CSV (contacts and companies) and vCard 4.0.
/// A whole file is one request with a long deadline (`longWork`): the service commits it in one
/// transaction, so the answer comes after everything (or nothing) is stored.
struct ExchangeRoutes: Sendable {
    typealias M = ContactsContract.Method

    let api: APIForwarder
    static let longWork: Duration = .seconds(300)
    /// The filters of a contact export, as the list takes them.
    static let filters = [
        "q", "sort", "city", "created_from", "created_to", "updated_from", "updated_to", "include_deleted", "deleted", "consumer",
        "category_id", "source_id", "role_id", "owner_id", "company_id", "id", "custom_field",
    ]

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.contactsRead), write = RoutePolicy.scope(Scope.contactsWrite)

        let options = ["dry_run", "date_format:" + Self.dateForms.joined(separator: ",")]
        routes.add(
            .post, "/api/v1/contacts/import", write, tag: "import and export",
            summary: """
                Import contacts from CSV ({csv, mapping, dry_run}) or vCards ({vcf, dry_run}), or the file as it is (text/csv, \
                text/vcard, or a form upload with the field file; dry_run and date_format in the query or the form; UTF-8, \
                UTF-16 or Windows-1252, told apart); duplicates are skipped
                """,
            query: options, body: "ImportRequest", files: ImportFile.documented, bodyLimit: api.maxImport, reply: "ImportReport",
            importContacts)
        routes.add(
            .post, "/api/v1/companies/import", write, tag: "import and export",
            summary: """
                Import companies from CSV ({csv, mapping, dry_run}), or the file as it is (text/csv, or a form upload with the \
                field file); duplicates are skipped
                """,
            query: options, body: "CompanyImportRequest", files: ImportFile.documented.filter { $0 != "text/vcard" },
            bodyLimit: api.maxImport, reply: "ImportReport", importCompanies)
        routes.add(
            .get, "/api/v1/contacts/export.csv", read, tag: "import and export", summary: "A contact search as CSV", query: Self.filters,
            reply: "media:text/csv", exportContactsCSV)
        routes.add(
            .get, "/api/v1/contacts/export.vcf", read, tag: "import and export", summary: "A contact search as vCards 4.0",
            query: Self.filters,
            reply: "media:text/vcard", exportContactsVCard)
        routes.add(
            .get, "/api/v1/contacts/:id/vcard", read, tag: "import and export", summary: "One contact as a vCard 4.0",
            reply: "media:text/vcard", exportVCard)
        routes.add(
            .get, "/api/v1/companies/export.csv", read, tag: "import and export", summary: "A company search as CSV",
            query: [
                "q", "sort", "kind:" + Company.kindValues.joined(separator: ","), "city", "category_id", "industry_id", "status_id",
                "source_id", "owner_id", "include_deleted",
                "deleted",
            ],
            reply: "media:text/csv", exportCompaniesCSV)
    }

    static func filterBody(_ request: Request, _ names: [String]) throws -> QueryBody {
        var query = QueryBody()
        for name in ["q", "sort", "city", "created_from", "created_to", "updated_from", "updated_to"] { query.text(name, from: request) }
        for name in ["include_deleted", "deleted", "consumer"] { try query.boolean(name, from: request) }
        for name in ["category_id", "source_id", "role_id", "owner_id", "company_id", "id"] { try query.integer(name, from: request) }
        try query.customFields(from: request)
        return query
    }

    /// Answers the file a service made, as itself (not JSON), for download.
    static func file<Q>(
        _ api: APIForwarder, _ request: Request, _ context: GatewayContext, method: BusMethod<Q, ExportFile>, query: QueryBody
    ) async throws -> Response {
        let reply = try await api.call(
            request, context: context, method: method, body: try query.data(), timeout: Self.longWork)
        let file = try Wire.decode(ExportFile.self, from: reply)
        return Response(
            status: .ok,
            headers: DownloadHeaders.make(contentType: file.contentType, filename: file.filename),
            body: .init(byteBuffer: ByteBuffer(string: file.text)))
    }

    /// The import body for the contacts service: the client's JSON object with the route's `kind`,
    /// and whether it holds vCards. The file inside goes on as it came, `kind` put in front of
    /// the object's first member: decoding megabytes of CSV into Foundation objects and encoding
    /// them again took 0.4 s of a 6 MB import (docs/performance.md). Checked against the
    /// contract first, so a body that is not an import is answered here.
    static func importBody(_ raw: Data, kind: String, expecting: String) throws -> (body: Data, vcard: Bool) {
        guard let request = try? Wire.decode(ImportRequest.self, from: raw), let open = raw.firstIndex(of: UInt8(ascii: "{")) else {
            throw BusError.badRequest(expecting)
        }
        let vcard = request.vcf != nil
        if request.kind != nil {
            // The client named a kind of its own; the path decides. Rare: rebuilt the slow way.
            guard var object = (try? JSONSerialization.jsonObject(with: raw)) as? [String: Any] else {
                throw BusError.badRequest(expecting)
            }
            object["kind"] = kind
            return (try JSONSerialization.data(withJSONObject: object), vcard)
        }
        let members = raw[raw.index(after: open)...]
        let empty = members.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "}")
        var body = Data(#"{"kind":"\#(kind)""#.utf8)
        if !empty { body.append(UInt8(ascii: ",")) }
        body.append(contentsOf: members)
        return (body, vcard)
    }

    static let dateForms = ["YYYY-MM-DD", "D.M.YYYY", "M/D/YYYY", "D/M/YYYY", "DD.MM.YY"]

    /// An import sent as the file itself: read in its encoding, sent on as the JSON request, and
    /// the report says which encoding that was.
    func importFile(_ file: ImportFile, kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        // What a file holds is the file's to say (ADR 008): an empty one is 409 like one with no known column.
        if file.text.allSatisfy({ $0.isWhitespace || $0 == "\u{FEFF}" }) { throw BusError.conflict("the file is empty") }
        if file.vcard, kind == "companies" { throw BusError.conflict("companies are imported from CSV; vCards are contacts") }
        var report: ImportReport = try await api.callDecoded(
            request, context: context, method: file.vcard ? M.importVCard : M.importCSV, body: file.request(kind: kind),
            timeout: Self.longWork)
        report.encoding = file.encoding
        return APIForwarder.json(status: .ok, body: try Wire.encode(report))
    }

    @Sendable func importContacts(_ request: Request, context: GatewayContext) async throws -> Response {
        let raw = try await api.body(of: request, limit: api.maxImport)
        if let file = try ImportFile.read(request, body: raw) { return try await importFile(file, kind: "contacts", request, context) }
        let (body, vcard) = try Self.importBody(
            raw, kind: "contacts",
            expecting: "the body must be {\"csv\": \"...\"} or {\"vcf\": \"...\"}, with mapping and dry_run")
        return try await api.forward(
            request, context: context, method: vcard ? M.importVCard : M.importCSV, body: body,
            timeout: Self.longWork)
    }

    @Sendable func importCompanies(_ request: Request, context: GatewayContext) async throws -> Response {
        let raw = try await api.body(of: request, limit: api.maxImport)
        if let file = try ImportFile.read(request, body: raw) { return try await importFile(file, kind: "companies", request, context) }
        let (body, _) = try Self.importBody(
            raw, kind: "companies",
            expecting: "the body must be {\"csv\": \"...\"}, with mapping and dry_run")
        return try await api.forward(
            request, context: context, method: M.importCSV, body: body, timeout: Self.longWork)
    }

    @Sendable func exportContactsCSV(_ request: Request, context: GatewayContext) async throws -> Response {
        try await Self.file(api, request, context, method: M.exportCSV, query: try Self.filterBody(request, Self.filters))
    }

    @Sendable func exportContactsVCard(_ request: Request, context: GatewayContext) async throws -> Response {
        try await Self.file(
            api, request, context, method: M.exportVCard, query: try Self.filterBody(request, Self.filters))
    }

    @Sendable func exportVCard(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        query.set("id", try pathID(context))
        return try await Self.file(api, request, context, method: M.exportVCard, query: query)
    }

    @Sendable func exportCompaniesCSV(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        for name in ["q", "sort", "kind", "city"] { query.text(name, from: request) }
        for name in ["include_deleted", "deleted"] { try query.boolean(name, from: request) }
        for name in ["category_id", "industry_id", "status_id", "source_id", "owner_id"] { try query.integer(name, from: request) }
        return try await Self.file(api, request, context, method: M.exportCompaniesCSV, query: query)
    }
}
