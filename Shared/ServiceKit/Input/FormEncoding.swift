import Foundation

/// `application/x-www-form-urlencoded` bodies (Twilio's webhooks): name=value pairs joined by
/// `&`, `+` for a space, percent-escapes.
public enum FormEncoding {
    /// Every pair in order, repeats included (Twilio signs them all).
    public static func pairs(_ body: String) -> [(name: String, value: String)] {
        body.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            return name.isEmpty ? nil : (name, parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The fields by name; a repeated name keeps its first value.
    public static func fields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in pairs(body) where fields[name] == nil { fields[name] = value }
        return fields
    }

    static func decode(_ raw: Substring) -> String {
        let spaced = raw.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// A provider's webhook fields: a JSON object's strings and numbers, or a form (Vonage sends
    /// either). At most 64 KiB is read; anything else gives no fields.
    public static func webhookFields(_ body: Data) -> [String: String] {
        let body = body.prefix(1 << 16)
        guard body.first(where: { !" \t\r\n".utf8.contains($0) }) == UInt8(ascii: "{") else {
            return fields(String(decoding: body, as: UTF8.self))
        }
        let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        var fields: [String: String] = [:]
        for (key, value) in json {
            if let text = value as? String {
                fields[key] = text
            } else if let number = value as? NSNumber {
                fields[key] = number.stringValue
            }
        }
        return fields
    }
}
