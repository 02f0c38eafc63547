import Foundation
import NIOCore
import Testing

@testable import GatewayService

/// The reader of upload forms (`multipart/form-data`): what a browser sends, in any pieces, and
/// what a hostile or broken client sends.
@Suite("Form-data uploads")
struct FormDataReaderTests {
    static let type = "multipart/form-data; boundary=----WebKitFormBoundaryQ7x"

    /// A body as Chromium writes it: the token, the folder, then the file.
    static func body(file: [UInt8], filename: String = "offer.pdf") -> [UInt8] {
        var body = Array("------WebKitFormBoundaryQ7x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok-123\r\n".utf8)
        body += Array("------WebKitFormBoundaryQ7x\r\nContent-Disposition: form-data; name=\"folder_id\"\r\n\r\n7\r\n".utf8)
        body += Array(
            "------WebKitFormBoundaryQ7x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/pdf\r\n\r\n"
                .utf8)
        body += file
        body += Array("\r\n------WebKitFormBoundaryQ7x--\r\n".utf8)
        return body
    }

    /// Feeds `body` in pieces of `size` bytes; answers the fields, the file's start and its bytes.
    static func read(
        _ body: [UInt8], pieces size: Int, type: String = Self.type
    ) throws -> (
        fields: [String: String], start: FormDataReader.Event?, file: [UInt8], complete: Bool
    ) {
        let reader = try FormDataReader(contentType: type)
        var fields: [String: String] = [:]
        var start: FormDataReader.Event?
        var file: [UInt8] = []
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + size)
            for event in try reader.feed(ByteBuffer(bytes: body[offset..<end])) {
                switch event {
                case .field(let name, let value): fields[name] = value
                case .fileStart: start = event
                case .fileBytes(let bytes): file += bytes
                case .fileEnd: break
                }
            }
            offset = end
        }
        return (fields, start, file, reader.sawCompleteFile)
    }

    @Test("fields and the file come out the same whatever the pieces, with look-alike boundaries kept in the file")
    func pieces() throws {
        // Bytes that start like the delimiter, line breaks, and every byte value.
        let file = Array("%PDF\r\n------WebKitFormBoundaryQ7\r\n--\r\n".utf8) + (0...255).map { UInt8($0) } + Array("\r\n-".utf8)
        for size in [1, 2, 3, 7, 40, 41, 64, 1000, 100_000] {
            let read = try Self.read(Self.body(file: file), pieces: size)
            #expect(read.fields == ["csrf": "tok-123", "folder_id": "7"], "pieces of \(size)")
            #expect(read.start == .fileStart(name: "file", filename: "offer.pdf", contentType: "application/pdf"))
            #expect(read.file == file, "pieces of \(size)")
            #expect(read.complete)
        }
    }

    @Test("an empty file, and a filename with quotes and a path are read as sent")
    func emptyAndQuoted() throws {
        let read = try Self.read(Self.body(file: [], filename: #"C:\\docs\\an \"odd\" name.txt"#), pieces: 5)
        #expect(read.start == .fileStart(name: "file", filename: #"C:\docs\an "odd" name.txt"#, contentType: "application/pdf"))
        #expect(read.file.isEmpty)
        #expect(read.complete)
    }

    @Test("a body cut short never completes its file")
    func truncated() throws {
        let body = Self.body(file: Array(repeating: 65, count: 5000))
        let read = try Self.read(Array(body.prefix(body.count - 40)), pieces: 512)
        #expect(!read.complete)
    }

    @Test("the boundary comes from the Content-Type, quoted or not, and nothing else is taken")
    func boundaries() {
        #expect(FormDataReader.boundary(#"multipart/form-data; boundary="a b""#) == "a b")
        #expect(FormDataReader.boundary("Multipart/Form-Data;BOUNDARY=xyz") == "xyz")
        #expect(FormDataReader.boundary("multipart/form-data") == nil)
        #expect(FormDataReader.boundary("multipart/mixed; boundary=x") == nil)
        #expect(FormDataReader.boundary("application/x-www-form-urlencoded") == nil)
        #expect(FormDataReader.boundary("multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
        #expect(FormDataReader.boundary("multipart/form-data; boundary=\u{7}bell") == nil)
        #expect(throws: FormDataReader.Failure.self) { try FormDataReader(contentType: "text/plain") }
    }

    @Test("malformed bodies are refused with a reason, never a trap")
    func malformed() throws {
        let cases: [(String, String)] = [
            // A header name with bytes above 0x7F (what stops MultipartKit 4.7.1).
            (
                "------WebKitFormBoundaryQ7x\r\nContent-Dispositi\u{90}n: form-data; name=\"a\"\r\n\r\nx\r\n------WebKitFormBoundaryQ7x--",
                "Content-Disposition"
            ),
            ("------WebKitFormBoundaryQ7x\r\nno colon here\r\n\r\nx\r\n------WebKitFormBoundaryQ7x--", "malformed header"),
            (
                "------WebKitFormBoundaryQ7x\r\nContent-Disposition: attachment\r\n\r\nx\r\n------WebKitFormBoundaryQ7x--",
                "named form field"
            ),
            ("------WebKitFormBoundaryQ7xjunk", "malformed"),
            (String(repeating: "preamble without a boundary ", count: 400), "no boundary"),
            ("------WebKitFormBoundaryQ7x\r\n" + String(repeating: "X-Long: header\r\n", count: 600) + "\r\n", "too long headers"),
        ]
        for (body, reason) in cases {
            let reader = try FormDataReader(contentType: Self.type)
            let error = #expect(throws: FormDataReader.Failure.self) { _ = try reader.feed(ByteBuffer(string: body)) }
            #expect(error?.message.contains(reason) == true, "\(body.prefix(60)): \(error?.message ?? "")")
            // Once refused, it stays refused.
            #expect(throws: FormDataReader.Failure.self) { _ = try reader.feed(ByteBuffer(string: "more")) }
        }
    }

    @Test("limits: parts, a field's length, a second file")
    func limits() throws {
        var many = ""
        for index in 0...FormDataReader.maxParts {
            many += "------WebKitFormBoundaryQ7x\r\nContent-Disposition: form-data; name=\"f\(index)\"\r\n\r\nv\r\n"
        }
        let long =
            "------WebKitFormBoundaryQ7x\r\nContent-Disposition: form-data; name=\"big\"\r\n\r\n"
            + String(repeating: "a", count: FormDataReader.maxFieldBytes + 200)
        let twoFiles =
            "------WebKitFormBoundaryQ7x\r\nContent-Disposition: form-data; name=\"a\"; filename=\"1\"\r\n\r\nx\r\n"
            + "------WebKitFormBoundaryQ7x\r\nContent-Disposition: form-data; name=\"b\"; filename=\"2\"\r\n\r\ny\r\n"
        for (body, reason) in [(many, "too many parts"), (long, "too long"), (twoFiles, "more than one file")] {
            let reader = try FormDataReader(contentType: Self.type)
            let error = #expect(throws: FormDataReader.Failure.self) { _ = try reader.feed(ByteBuffer(string: body)) }
            #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        }
    }
}
