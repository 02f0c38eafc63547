import Foundation
import NIOCore

/// Reads a `multipart/form-data` body (RFC 7578, the framing of RFC 2046) as it arrives: a
/// browser's upload form, sent without the script. Small text fields are kept whole; the file's
/// bytes are handed on as they come, so a large file never sits in memory, and what is held
/// back between pieces is at most the delimiter's length. Everything is bounded (parts, header
/// bytes, field bytes) and a malformed body is an error, never a trap. Fuzzed (`Fuzz/`, target
/// `form-data`).
///
/// Our own rather than MultipartKit's: its 4.7.1 parser (the one this machine's mirror carries)
/// indexes a 128-entry table with any header byte, so one byte above 0x7F in a part's header
/// name stops the process; our fuzzer found it in its first second.
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

    static let maxParts = 32
    static let maxHeaderBytes = 8192
    static let maxFieldBytes = 64 * 1024

    private enum State {
        /// Before the first delimiter (a preamble is allowed and ignored).
        case preamble
        /// Just after a delimiter: `--` ends the body, otherwise a line break starts a part.
        case afterDelimiter
        case headers
        case body
        case done
    }

    private enum Part {
        case field(name: String, value: Data)
        case file
    }

    /// `\r\n--boundary`; the first delimiter may come without the line break.
    private let delimiter: [UInt8]
    private var pending: [UInt8] = []
    private var state = State.preamble
    private var part: Part?
    private var parts = 0
    private var failure: Failure?
    private(set) var sawCompleteFile = false

    /// A reader for a body of this `Content-Type`; fails unless it is `multipart/form-data`
    /// with a boundary of 1 to 70 characters (RFC 2046).
    init(contentType: String?) throws {
        guard let boundary = Self.boundary(contentType) else {
            throw Failure(message: "the upload must be sent as multipart/form-data with a boundary")
        }
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// The boundary a `Content-Type` names, or nil when it names none a parser could use.
    static func boundary(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        let parsed = parameters(contentType)
        guard parsed.kind == "multipart/form-data", let value = parsed.values["boundary"] else { return nil }
        guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }), value.last != " " else { return nil }
        return value
    }

    /// Feeds the next piece of the body; answers what it completed.
    func feed(_ buffer: ByteBuffer) throws -> [Event] {
        if let failure { throw failure }
        pending.append(contentsOf: buffer.readableBytesView)
        var events: [Event] = []
        do {
            while try step(&events) {}
        } catch let error as Failure {
            failure = error
            throw error
        }
        return events
    }

    /// One move of the state machine over `pending`; false when it needs more bytes.
    private func step(_ events: inout [Event]) throws -> Bool {
        switch state {
        case .preamble:
            // The first delimiter: at the very start without its line break, or after a preamble.
            let bare = Array(delimiter.dropFirst(2))
            if pending.starts(with: bare) {
                pending.removeFirst(bare.count)
                state = .afterDelimiter
                return true
            }
            if let found = Self.find(delimiter, in: pending) {
                pending.removeFirst(found + delimiter.count)
                state = .afterDelimiter
                return true
            }
            guard pending.count <= Self.maxHeaderBytes else { throw Failure(message: "the upload's form data has no boundary") }
            return false
        case .afterDelimiter:
            guard pending.count >= 2 else { return false }
            if pending[0] == UInt8(ascii: "-"), pending[1] == UInt8(ascii: "-") {
                state = .done
                pending = []
                return false
            }
            // Transport padding (spaces, tabs) may come before the line break.
            var index = 0
            while index < pending.count, pending[index] == 32 || pending[index] == 9 { index += 1 }
            guard index + 1 < pending.count else {
                guard pending.count <= 1024 else { throw Failure(message: "the upload's form data is malformed") }
                return false
            }
            guard pending[index] == 13, pending[index + 1] == 10 else { throw Failure(message: "the upload's form data is malformed") }
            pending.removeFirst(index + 2)
            state = .headers
            return true
        case .headers:
            // A part without headers starts with the blank line at once.
            guard let end = pending.starts(with: [13, 10]) ? -2 : Self.find(Array("\r\n\r\n".utf8), in: pending) else {
                guard pending.count <= Self.maxHeaderBytes else { throw Failure(message: "a part of the upload has too long headers") }
                return false
            }
            guard end <= Self.maxHeaderBytes else { throw Failure(message: "a part of the upload has too long headers") }
            let block = end < 0 ? [] : Array(pending[..<end])
            pending.removeFirst(end + 4)
            try startPart(headers: block, &events)
            state = .body
            return true
        case .body:
            if let found = Self.find(delimiter, in: pending) {
                try append(pending[..<found], &events)
                pending.removeFirst(found + delimiter.count)
                try endPart(&events)
                state = .afterDelimiter
                return true
            }
            // All but what could be the start of a delimiter split across pieces.
            let keep = min(pending.count, delimiter.count - 1)
            if pending.count > keep {
                try append(pending[..<(pending.count - keep)], &events)
                pending.removeFirst(pending.count - keep)
            }
            return false
        case .done:
            // The epilogue is ignored.
            pending = []
            return false
        }
    }

    private func startPart(headers block: [UInt8], _ events: inout [Event]) throws {
        parts += 1
        guard parts <= Self.maxParts else { throw Failure(message: "the upload has too many parts") }
        var disposition: String?
        var type: String?
        for line in String(decoding: block, as: UTF8.self).components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw Failure(message: "a part of the upload has a malformed header") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-disposition" { disposition = value }
            if name == "content-type" { type = value }
        }
        guard let disposition else { throw Failure(message: "a part of the upload has no Content-Disposition") }
        let parsed = Self.parameters(disposition)
        guard parsed.kind == "form-data", let name = parsed.values["name"] else {
            throw Failure(message: "a part of the upload is not a named form field")
        }
        if let filename = parsed.values["filename"] {
            guard !sawCompleteFile else { throw Failure(message: "the upload holds more than one file") }
            part = .file
            events.append(.fileStart(name: name, filename: filename, contentType: type))
        } else {
            part = .field(name: name, value: Data())
        }
    }

    private func append(_ bytes: ArraySlice<UInt8>, _ events: inout [Event]) throws {
        guard !bytes.isEmpty else { return }
        switch part {
        case .field(let name, var value):
            guard value.count + bytes.count <= Self.maxFieldBytes else {
                throw Failure(message: "the form field \u{201C}\(name)\u{201D} is too long")
            }
            value.append(contentsOf: bytes)
            part = .field(name: name, value: value)
        case .file:
            events.append(.fileBytes(Data(bytes)))
        case nil:
            break
        }
    }

    private func endPart(_ events: inout [Event]) throws {
        switch part {
        case .field(let name, let value):
            events.append(.field(name: name, value: String(decoding: value, as: UTF8.self)))
        case .file:
            events.append(.fileEnd)
            sawCompleteFile = true
        case nil:
            break
        }
        part = nil
    }

    /// Where `needle` first occurs in `haystack`.
    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// `form-data; name="file"; filename="a.pdf"` as its kind and parameters (quotes removed,
    /// `\"` and `\\` unescaped as browsers write them; names in lower case, the first of each kept).
    static func parameters(_ header: String) -> (kind: String, values: [String: String]) {
        var values: [String: String] = [:]
        var characters = Substring(header)
        let kind = characters.prefix { $0 != ";" }
        characters = characters.dropFirst(kind.count)
        while characters.first == ";" {
            characters.removeFirst()
            while characters.first == " " || characters.first == "\t" { characters.removeFirst() }
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
                let raw = characters.prefix { $0 != ";" }
                value = raw.trimmingCharacters(in: .whitespaces)
                characters = characters.dropFirst(raw.count)
            }
            let name = key.trimmingCharacters(in: .whitespaces).lowercased()
            if !name.isEmpty, values[name] == nil { values[name] = value }
        }
        return (kind.trimmingCharacters(in: .whitespaces).lowercased(), values)
    }
}
