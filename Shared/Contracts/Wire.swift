import Foundation

/// The one JSON dialect of the system, on the bus and over HTTP: snake_case keys and ISO 8601
/// dates in UTC. Every service encodes and decodes with these, so there is one definition.
public enum Wire {
    /// Encoder for bodies, events and replies. Built once: JSONEncoder is thread-safe, and every
    /// request and event goes through it.
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.string(from: date))
        }
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// Decoder for bodies, events and replies. Accepts ISO 8601 with or without fractions.
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not an ISO 8601 date-time such as 2026-01-31T09:30:00Z")
            }
            return date
        }
        return decoder
    }()

    /// Encodes a value with the wire encoder.
    public static func encode<T: Encodable>(_ value: T) throws -> Data { try encoder.encode(value) }

    /// Decodes a value with the wire decoder.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder.decode(type, from: data)
    }
}

/// ISO 8601 timestamps as the system writes and reads them.
public enum Timestamp {
    /// `2026-01-31T09:30:00.123Z` (UTC, milliseconds).
    public static func string(from date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
            .replacingOccurrences(of: "+0000", with: "Z")
    }

    /// Parses ISO 8601 with or without fractional seconds and with `Z` or an offset.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
