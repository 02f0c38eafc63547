import Foundation

/// An e-mail address with an optional display name. The address itself is ASCII (we do not
/// ask servers for SMTPUTF8); the name may be anything and travels as an encoded word.
public struct MailAddress: Sendable, Equatable, Codable {
    public var name: String?
    public var address: String

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// Whether the address can be sent as it is: ASCII, one `@`, no spaces, brackets or line
    /// breaks, at most 254 octets (RFC 5321).
    public var isValid: Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return address.utf8.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && address.unicodeScalars.allSatisfy {
                $0.isASCII && $0.value > 32 && $0.value < 127 && !"<>()[],;:\"\\".unicodeScalars.contains($0)
            }
    }
}

/// A file sent with a mail.
public struct MailAttachment: Sendable, Equatable, Codable {
    public var filename: String
    public var contentType: String
    public var data: Data

    public init(filename: String, contentType: String, data: Data) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// The iMIP form of an invitation (RFC 6047): the calendar object as an alternative of the
/// body with `method=` matching its METHOD, and the same object attached as `invite.ics`.
public struct MailCalendar: Sendable, Equatable, Codable {
    /// `REQUEST`, `CANCEL`, `REPLY`...
    public var method: String
    public var ics: String

    public init(method: String, ics: String) {
        self.method = method
        self.ics = ics
    }
}

public struct MailError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A mail as it is queued: rendered to RFC 5322 octets with MIME (RFC 2045-2047) when sent.
/// Headers in UTF-8 become encoded words, bodies quoted-printable (text) or base64 (files), no
/// line longer than 78 octets, CRLF throughout; the Message-ID is made when the mail is queued
/// and kept on every resend, so a receiver (and our reconciliation) can tell a resend.
public struct MailMessage: Sendable, Equatable, Codable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: String
    public var text: String
    public var html: String?
    public var calendar: MailCalendar?
    public var attachments: [MailAttachment]
    public var messageId: String
    public var date: Date

    public init(
        from: MailAddress, to: [MailAddress], cc: [MailAddress] = [], replyTo: MailAddress? = nil, subject: String, text: String,
        html: String? = nil, calendar: MailCalendar? = nil, attachments: [MailAttachment] = [], messageId: String, date: Date
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.calendar = calendar
        self.attachments = attachments
        self.messageId = messageId
        self.date = date
    }

    /// A new Message-ID (`<random@domain>`), made once when the mail is queued.
    public static func makeMessageId(domain: String) -> String {
        "<\(UUID().uuidString.lowercased())@\(domain)>"
    }

    /// Everyone the mail goes to (the envelope's recipients).
    public var recipients: [MailAddress] { to + cc }

    // MARK: - Rendering

    /// The message's octets, headers and body, lines ending in CRLF (before SMTP's dot-stuffing).
    public func rendered(boundarySeed: String = UUID().uuidString) throws -> String {
        for address in [from] + recipients + (replyTo.map { [$0] } ?? []) where !address.isValid {
            throw MailError("'\(address.address)' is not an address a mail can go to")
        }
        guard !to.isEmpty || !cc.isEmpty else { throw MailError("a mail needs a recipient") }
        var headers: [String] = []
        headers.append(Self.header("Date", Self.rfc5322Date(date)))
        headers.append(Self.header("From", Self.addresses([from])))
        if !to.isEmpty { headers.append(Self.header("To", Self.addresses(to))) }
        if !cc.isEmpty { headers.append(Self.header("Cc", Self.addresses(cc))) }
        if let replyTo { headers.append(Self.header("Reply-To", Self.addresses([replyTo]))) }
        headers.append(Self.header("Subject", Self.encodedWords(subject)))
        headers.append("Message-ID: \(messageId)")
        headers.append("MIME-Version: 1.0")

        var counter = 0
        func boundary() -> String {
            counter += 1
            return "=_crm_\(counter)_" + boundarySeed.replacingOccurrences(of: "-", with: "")
        }
        let textPart = Self.part(contentType: "text/plain; charset=UTF-8", encoding: "quoted-printable", body: Self.quotedPrintable(text))
        var alternatives = [textPart]
        if let html {
            alternatives.append(
                Self.part(contentType: "text/html; charset=UTF-8", encoding: "quoted-printable", body: Self.quotedPrintable(html)))
        }
        var files = attachments
        if let calendar {
            let method = calendar.method.uppercased()
            guard !method.isEmpty, method.allSatisfy({ $0.isASCII && $0.isLetter }) else { throw MailError("a calendar method is a word") }
            alternatives.append(
                Self.part(
                    contentType: "text/calendar; charset=UTF-8; method=\(method)", encoding: "quoted-printable",
                    body: Self.quotedPrintable(calendar.ics)))
            files.insert(MailAttachment(filename: "invite.ics", contentType: "application/ics", data: Data(calendar.ics.utf8)), at: 0)
        }
        var body = alternatives.count == 1 ? alternatives[0] : Self.multipart("alternative", boundary(), alternatives)
        if !files.isEmpty {
            body = Self.multipart("mixed", boundary(), [body] + files.map(Self.attachmentPart))
        }
        return headers.joined(separator: "\r\n") + "\r\n" + body
    }

    /// A part: its headers, a blank line, its body (which ends in CRLF).
    static func part(contentType: String, encoding: String, extra: [String] = [], body: String) -> String {
        ([header("Content-Type", contentType), "Content-Transfer-Encoding: \(encoding)"] + extra).joined(separator: "\r\n") + "\r\n\r\n"
            + body
    }

    static func multipart(_ subtype: String, _ boundary: String, _ parts: [String]) -> String {
        var text = header("Content-Type", "multipart/\(subtype); boundary=\"\(boundary)\"") + "\r\n\r\n"
        for part in parts { text += "--\(boundary)\r\n" + part + "\r\n" }
        return text + "--\(boundary)--\r\n"
    }

    static func attachmentPart(_ file: MailAttachment) -> String {
        let name = parameterValue(file.filename)
        return part(
            contentType: "\(file.contentType.isEmpty ? "application/octet-stream" : file.contentType); name=\(name)", encoding: "base64",
            extra: [header("Content-Disposition", "attachment; filename=\(name)")], body: base64Lines(file.data))
    }

    /// A filename as a MIME parameter: quoted ASCII as it is, otherwise an RFC 2231 value.
    static func parameterValue(_ value: String) -> String {
        let clean = value.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
        if clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 && $0 != "\"" && $0 != "\\" }) { return "\"\(clean)\"" }
        var encoded = "UTF-8''"
        for byte in clean.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "-._~".utf8.contains(byte)
            {
                encoded.append(Character(Unicode.Scalar(byte)))
            } else {
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }

    // MARK: - Headers

    /// A header folded at whitespace so no line passes 78 octets where it can be helped.
    static func header(_ name: String, _ value: String) -> String {
        var lines: [String] = []
        var line = name + ":"
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if line.utf8.count + 1 + word.utf8.count > 78, line.utf8.count > name.utf8.count + 1 {
                lines.append(line)
                line = ""
            }
            line += " " + word
        }
        lines.append(line)
        return lines.joined(separator: "\r\n")
    }

    static func addresses(_ list: [MailAddress]) -> String {
        list.map { address in
            guard let name = address.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { return "<\(address.address)>" }
            let plain = name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || $0 == " " || "-.'".unicodeScalars.contains($0))
            }
            return (plain ? "\"\(name)\"" : encodedWords(name)) + " <\(address.address)>"
        }.joined(separator: ", ")
    }

    /// RFC 2047 encoded words for text that is not plain ASCII: base64 of whole characters, each
    /// word at most 75 octets, separated by spaces (which a reader drops between words).
    static func encodedWords(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 && $0.value < 127 }),
            !clean.contains("=?")
        {
            return clean
        }
        // "=?UTF-8?B?" + base64 + "?=" is 12 octets around the data; 36 bytes of UTF-8 make 48
        // of base64, so a word is 60 octets and fits a folded line after any header's name.
        var words: [String] = []
        var chunk = Data()
        for character in clean {
            let bytes = Data(String(character).utf8)
            if chunk.count + bytes.count > 36, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + chunk.base64EncodedString() + "?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + chunk.base64EncodedString() + "?=") }
        return words.joined(separator: " ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    // MARK: - Bodies

    /// Quoted-printable (RFC 2045 6.7): line breaks become CRLF, lines at most 76 octets with
    /// soft breaks, `=`, controls and non-ASCII octets as `=XX`, trailing spaces encoded, and a
    /// leading dot encoded (so no line of ours ever needs SMTP's dot-stuffing or looks like a
    /// "From " line).
    static func quotedPrintable(_ text: String) -> String {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var output = ""
        var lines = normalised.split(separator: "\n", omittingEmptySubsequences: false)
        // Text that ends in a line break ends there: no empty line after it (an .ics part must
        // read back exactly as it was given).
        if lines.count > 1, normalised.hasSuffix("\n") { lines.removeLast() }
        for line in lines {
            let bytes = Array(line.utf8)
            var current = ""
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                var token: String
                switch byte {
                case 0x3D: token = "=3D"
                case 0x20, 0x09: token = last ? String(format: "=%02X", byte) : String(Character(Unicode.Scalar(byte)))
                case 0x2E where current.isEmpty: token = "=2E"
                case 0x21...0x7E: token = String(Character(Unicode.Scalar(byte)))
                default: token = String(format: "=%02X", byte)
                }
                if current.utf8.count + token.utf8.count > (last ? 76 : 75) {
                    output += current + "=\r\n"
                    current = ""
                    if byte == 0x2E { token = "=2E" }
                }
                current += token
            }
            output += current + "\r\n"
        }
        return output
    }

    /// Base64 in lines of 76 characters.
    static func base64Lines(_ data: Data) -> String {
        let encoded = data.base64EncodedString()
        var lines = ""
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines += encoded[index..<end] + "\r\n"
            index = end
        }
        return lines.isEmpty ? "\r\n" : lines
    }
}
