import Foundation
import MultipartKit
import NIOCore

/// Reads a `multipart/form-data` body as it arrives (a browser's upload form, sent without the
/// script): small text fields are kept whole, the file's bytes are handed on as they come so a
/// large file never sits in memory. The parsing is MultipartKit's; this bounds what it may
/// gather and says, in words, what was wrong with a body. Fuzzed (`Fuzz/`, target `form-data`).
final class FormDataReader {
    enum Event: Equatable {
        /// A text field, whole.
        case field(name: String, value: String)
        /// The start of a file field: its name, the file's name and its declared type.
        case fileStart(name: String, filename: String, contentType: String?)
        case fileBytes(Data)
        case fileEnd
    }

    struct Failure: Error, Equatable {
        let message: String
    }

    /// At most this many parts, headers in a part, and bytes in a header or a text field.
    static let maxParts = 32
    static let maxHeaders = 16
    static let maxHeaderBytes = 4096
    static let maxFieldBytes = 64 * 1024

    private let parser: MultipartParser
    private var events: [Event] = []
    private var failure: Failure?
    private var headers: [(name: String, value: String)] = []
    private var part: Part = .none
    private var parts = 0
    private var finishedFile = false

    private enum Part {
        case none
        case field(name: String, value: Data)
        case file
    }

    /// A reader for a body of this `Content-Type`; fails unless it is `multipart/form-data`
    /// with a boundary of 1 to 70 characters (RFC 2046).
    init(contentType: String?) throws {
        guard let boundary = Self.boundary(contentType) else {
            throw Failure(message: "the upload must be sent as multipart/form-data with a boundary")
        }
        parser = MultipartParser(boundary: boundary)
        parser.onHeader = { [unowned self] name, value in header(name, value) }
        parser.onBody = { [unowned self] buffer in body(&buffer) }
        parser.onPartComplete = { [unowned self] in partComplete() }
    }

    /// The boundary a `Content-Type` names, or nil when it names none a parser could use.
    static func boundary(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "="), piece[..<equals].lowercased() == "boundary" else { continue }
            var value = String(piece[piece.index(after: equals)...])
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
            return value
        }
        return nil
    }

    /// Feeds the next piece of the body; answers what it completed.
    func feed(_ buffer: ByteBuffer) throws -> [Event] {
        if let failure { throw failure }
        do {
            try parser.execute(buffer)
        } catch {
            failure = Failure(message: "the upload's form data is malformed")
        }
        if let failure { throw failure }
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Whether a file field was read to its end.
    var sawCompleteFile: Bool { finishedFile }

    private func fail(_ message: String) {
        if failure == nil { failure = Failure(message: message) }
    }

    private func header(_ name: String, _ value: String) {
        guard failure == nil else { return }
        guard headers.count < Self.maxHeaders, name.utf8.count + value.utf8.count <= Self.maxHeaderBytes else {
            return fail("a part of the upload has too many or too long headers")
        }
        headers.append((name, value))
    }

    private func body(_ buffer: inout ByteBuffer) {
        guard failure == nil else { return }
        if case .none = part { startPart() }
        switch part {
        case .none:
            break
        case .field(let name, var value):
            guard value.count + buffer.readableBytes <= Self.maxFieldBytes else {
                return fail("the form field \u{201C}\(name)\u{201D} is too long")
            }
            value.append(contentsOf: buffer.readableBytesView)
            part = .field(name: name, value: value)
        case .file:
            events.append(.fileBytes(Data(buffer.readableBytesView)))
        }
    }

    private func partComplete() {
        guard failure == nil else { return }
        // A part with no body at all (an empty field) is still a part.
        if case .none = part { startPart() }
        switch part {
        case .none:
            break
        case .field(let name, let value):
            events.append(.field(name: name, value: String(decoding: value, as: UTF8.self)))
        case .file:
            events.append(.fileEnd)
            finishedFile = true
        }
        part = .none
        headers = []
    }

    /// Reads the headers of the part that starts: a field, or a file when it names a filename.
    private func startPart() {
        parts += 1
        guard parts <= Self.maxParts else { return fail("the upload has too many parts") }
        guard let disposition = headers.first(where: { $0.name.lowercased() == "content-disposition" })?.value else {
            return fail("a part of the upload has no Content-Disposition")
        }
        let parameters = Self.parameters(disposition)
        guard parameters.kind == "form-data", let name = parameters.values["name"] else {
            return fail("a part of the upload is not a named form field")
        }
        if let filename = parameters.values["filename"] {
            guard !finishedFile, !isInFile else { return fail("the upload holds more than one file") }
            let type = headers.first(where: { $0.name.lowercased() == "content-type" })?.value
            part = .file
            events.append(.fileStart(name: name, filename: filename, contentType: type))
        } else {
            part = .field(name: name, value: Data())
        }
    }

    private var isInFile: Bool {
        if case .file = part { return true }
        return false
    }

    /// `form-data; name="file"; filename="a.pdf"` as its kind and parameters (quotes removed,
    /// `\"` and `\\` unescaped as browsers write them).
    static func parameters(_ header: String) -> (kind: String, values: [String: String]) {
        var values: [String: String] = [:]
        var characters = Substring(header)
        func skipSpaces() { while characters.first == " " || characters.first == "\t" { characters.removeFirst() } }
        let kind = characters.prefix { $0 != ";" }
        characters = characters.dropFirst(kind.count)
        while characters.first == ";" {
            characters.removeFirst()
            skipSpaces()
            let key = characters.prefix { $0 != "=" && $0 != ";" }
            characters = characters.dropFirst(key.count)
            guard characters.first == "=" else { continue }
            characters.removeFirst()
            var value = ""
            if characters.first == "\"" {
                characters.removeFirst()
                while let character = characters.first, character != "\"" {
                    characters.removeFirst()
                    if character == "\\", let escaped = characters.first {
                        characters.removeFirst()
                        value.append(escaped)
                    } else {
                        value.append(character)
                    }
                }
                if !characters.isEmpty { characters.removeFirst() }
                characters = characters.drop { $0 != ";" }
            } else {
                value = String(characters.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces)
                characters = characters.dropFirst(characters.prefix { $0 != ";" }.count)
            }
            let name = key.trimmingCharacters(in: .whitespaces).lowercased()
            if !name.isEmpty, values[name] == nil { values[name] = value }
        }
        return (kind.trimmingCharacters(in: .whitespaces).lowercased(), values)
    }
}
