import Foundation

/// One line of an SMTP server's reply (RFC 5321 4.2): three digits, then a space on the last
/// line of a reply or a hyphen on the others, then text. Anything else is refused, so a server
/// (or something pretending to be one) cannot make the client misread where a reply ends.
/// Fuzzed (`Fuzz/`, target `smtp-reply`).
public struct SMTPReplyLine: Sendable, Equatable {
    public let code: Int
    /// The last line of its reply.
    public let final: Bool
    public let text: String

    public init(code: Int, final: Bool, text: String) {
        self.code = code
        self.final = final
        self.text = text
    }

    /// The line without its CRLF, or nil when it is not SMTP.
    public static func parse(_ line: String) -> SMTPReplyLine? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(code)
        else { return nil }
        if bytes.count == 3 { return SMTPReplyLine(code: code, final: true, text: "") }
        guard bytes[3] == 0x20 || bytes[3] == 0x2D else { return nil }
        return SMTPReplyLine(code: code, final: bytes[3] == 0x20, text: String(decoding: bytes[4...], as: UTF8.self))
    }
}
