import Foundation
import HTTPTypes

/// The headers of a file download: never sniffed into something the browser runs
/// (`X-Content-Type-Options: nosniff`), and the name as RFC 6266 gives it: an ASCII fallback in
/// `filename` and the real name, UTF-8 and percent-encoded (RFC 8187), in `filename*`.
enum DownloadHeaders {
    static func make(contentType: String, filename: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        fields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        fields[.contentDisposition] = disposition(filename)
        return fields
    }

    static func disposition(_ name: String) -> String {
        // Control characters, quotes, backslashes and path separators never reach the header.
        let cleaned = String(String.UnicodeScalarView(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
        let base = cleaned.isEmpty ? "download" : cleaned
        let ascii = String(String.UnicodeScalarView(base.unicodeScalars.map { $0.isASCII && $0 != "\"" ? $0 : "_" }))
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
        let encoded = base.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
