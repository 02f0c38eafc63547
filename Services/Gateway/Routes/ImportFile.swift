import Bus
import Contracts
import Foundation
import Hummingbird
import NIOCore
import ServiceKit

/// An import sent as the file itself rather than wrapped in JSON: the body is the file
/// (`text/csv`, `text/vcard`, ... as `curl --data-binary @contacts.csv` sends it), or a
/// `multipart/form-data` upload with the file in the field `file`. Its bytes are read in the
/// encoding they were saved in (`TextDecoding`); whether it holds vCards is told by its type,
/// its name or its first line. Options come from the query (`dry_run`, `date_format`) or, in a
/// form, from fields of those names and `mapping` (a JSON object, header to field).
struct ImportFile {
    var text: String
    var encoding: String
    var vcard: Bool
    var dryRun: Bool?
    var dateFormat: String?
    var mapping: [String: String]?

    /// The media types an import route takes as a raw file besides JSON (documented), and those
    /// it also reads as one because clients send them unasked: curl's default for
    /// `--data-binary`, and the type Windows browsers give a .csv file.
    static let documented = ["text/csv", "text/tab-separated-values", "text/plain", "text/vcard", "multipart/form-data"]
    static let alsoRead = [
        "application/x-www-form-urlencoded", "application/octet-stream", "application/csv", "application/vnd.ms-excel", "text/x-vcard",
        "text/directory", "text/x-csv", "text/comma-separated-values",
    ]
    static let formFields: Set<String> = ["file", "dry_run", "date_format", "mapping"]
    static let vcardTypes: Set<String> = ["text/vcard", "text/x-vcard", "text/directory"]

    /// The media type of a request's body, lower case and without parameters (nil without one).
    static func mediaType(_ request: Request) -> String? {
        request.headers[.contentType].map {
            $0.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
        }
    }

    /// Whether the request's body is a file rather than JSON.
    static func isFile(_ request: Request) -> Bool {
        guard let type = mediaType(request) else { return false }
        return documented.contains(type) || alsoRead.contains(type)
    }

    /// The file a request carries, or nil when its body is JSON (the route reads that as before).
    static func read(_ request: Request, body: Data) throws -> ImportFile? {
        guard isFile(request), let type = mediaType(request) else { return nil }
        var file: ImportFile
        if type == "multipart/form-data" {
            file = try form(request, body: body)
        } else {
            let (text, encoding) = TextDecoding.decode(body)
            file = ImportFile(text: text, encoding: encoding, vcard: vcardTypes.contains(type) || looksLikeVCard(text))
        }
        file.dryRun = try file.dryRun ?? flag(request.uri.queryParameters["dry_run"].map(String.init))
        file.dateFormat = file.dateFormat ?? request.uri.queryParameters["date_format"].map(String.init)
        return file
    }

    /// The `file` field of a form and its options.
    static func form(_ request: Request, body: Data) throws -> ImportFile {
        let reader: FormDataReader
        do { reader = try FormDataReader(contentType: request.headers[.contentType]) } catch let failure as FormDataReader.Failure {
            throw BusError.badRequest(failure.message)
        }
        var fields: [String: String] = [:]
        var bytes = Data(), filename = "", partType: String?, inFile = false, fileSeen = false, fileDone = false
        do {
            var buffer = ByteBuffer()
            buffer.writeBytes(body)
            for event in try reader.feed(buffer) {
                switch event {
                case .field(let name, let value): if fields[name] == nil { fields[name] = value }
                case .fileStart(let name, let name2, let type):
                    inFile = name == "file" && !fileSeen
                    if inFile { (filename, partType, fileSeen) = (name2, type, true) }
                case .fileBytes(let piece): if inFile { bytes.append(piece) }
                case .fileEnd:
                    if inFile { fileDone = true }
                    inFile = false
                }
            }
        } catch let failure as FormDataReader.Failure {
            throw BusError.badRequest(failure.message)
        }
        // A form's text field named `file` (a client that sent the text without a file name).
        if !fileSeen, let text = fields["file"] {
            bytes = Data(text.utf8)
            fileSeen = true
            fileDone = true
        }
        // A form says "no value" as JSON does (`null`), as the document's nullable fields allow.
        fields = fields.filter { $0.value.trimmingCharacters(in: .whitespaces) != "null" }
        if let unknown = fields.keys.sorted().first(where: { !formFields.contains($0) }) {
            throw BusError.invalid("\(unknown): the form takes only \(formFields.sorted().joined(separator: ", "))")
        }
        guard fileSeen else { throw BusError.invalid("file: the form needs a field 'file' with the file") }
        guard fileDone else { throw BusError.badRequest("the form ended inside the file") }
        let (text, encoding) = TextDecoding.decode(bytes)
        let type = partType.map { $0.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased() }
        var file = ImportFile(
            text: text, encoding: encoding,
            vcard: type.map(vcardTypes.contains) == true || filename.lowercased().hasSuffix(".vcf") || looksLikeVCard(text))
        file.dryRun = try flag(fields["dry_run"])
        file.dateFormat = fields["date_format"]?.trimmed.nilIfEmpty
        if let raw = fields["mapping"]?.trimmed.nilIfEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any],
                let mapping = object as? [String: String]
            else { throw BusError.invalid("mapping: must be a JSON object from a column's header to a field") }
            file.mapping = mapping
        }
        return file
    }

    static func flag(_ value: String?) throws -> Bool? {
        guard let value = value?.trimmingCharacters(in: .whitespaces).lowercased(), !value.isEmpty else { return nil }
        switch value {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw BusError.invalid("dry_run: must be true or false, not '\(value)'")
        }
    }

    static func looksLikeVCard(_ text: String) -> Bool {
        text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }.prefix(11).uppercased() == "BEGIN:VCARD"
    }

    /// The request for the contacts service.
    func request(kind: String) -> ImportRequest {
        var request = vcard ? ImportRequest(kind: kind, vcf: text, dryRun: dryRun) : ImportRequest(kind: kind, csv: text, dryRun: dryRun)
        request.mapping = vcard ? nil : mapping
        request.dateFormat = vcard ? nil : dateFormat
        return request
    }
}
