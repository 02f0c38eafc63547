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
        decoder.dateDecodingStrategy = .custom(date)
        return decoder
    }()

    /// Decoder for types whose `CodingKeys` spell the wire's snake_case keys, so none is
    /// converted: for payloads a service reads by the hundred thousand (every call, every
    /// imported contact), where the key conversion is half the cost of decoding.
    public static let keyedDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom(date)
        return decoder
    }()

    private static func date(_ decoder: any Decoder) throws -> Date {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = Timestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an ISO 8601 date-time such as 2026-01-31T09:30:00Z")
        }
        return date
    }

    /// Encodes a value with the wire encoder.
    public static func encode<T: Encodable>(_ value: T) throws -> Data { try encoder.encode(value) }

    /// A reply's JSON: by its own hand writer where it has one (`WireJSONEncodable`), else the
    /// wire encoder.
    public static func reply<T: Encodable>(_ value: T) throws -> Data {
        if let handWritten = value as? any WireJSONEncodable { return handWritten.wireJSON }
        return try encoder.encode(value)
    }

    /// Decodes a value with the wire decoder.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder.decode(type, from: data)
    }
}

/// ISO 8601 timestamps as the system writes and reads them.
public enum Timestamp {
    /// `2026-01-31T09:30:00.123Z` (UTC, milliseconds). Written by hand from `gmtime_r`: every
    /// record in every reply carries a few of these, and Foundation's formatters cost tens of
    /// microseconds each.
    public static func string(from date: Date) -> String { utcString(date, separator: "T", suffix: "Z") }

    /// `date` in UTC to the millisecond (rounded down), as `YYYY-MM-DD<separator>HH:MM:SS.mmm<suffix>`:
    /// the wire's ISO 8601 and the databases' `2026-01-31 09:30:00.123` (`DatabaseDate`) alike.
    public static func utcString(_ date: Date, separator: String, suffix: String) -> String {
        var milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        milliseconds -= Int64(seconds) * 1000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + separator
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "." + pad(Int32(milliseconds), 3) + suffix
    }

    /// Parses ISO 8601 with or without fractional seconds and with `Z` or an offset.
    /// At most 40 bytes: the longest real one (nanoseconds and an offset) has 35, and ICU's date
    /// parser behind Foundation's fallbacks dies of a division by zero (SIGFPE) on a fraction of
    /// a hundred digits (found by fuzzing; Fuzz/corpus/times/regression-icu-long-fraction).
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count <= 40 else { return nil }
        if let date = utc(text) { return date }
        // Foundation's parsers roll 31 February over into March; a day that does not exist is an error.
        guard dayExists(text) else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// The decimal number that `bytes[range]` spells, nil when one of them is not a digit.
    private static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var value = 0
        for byte in bytes[range] {
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    /// Whether the `YYYY-MM-DD` a timestamp starts with is a day of the calendar (true when it
    /// does not start that way: the parsers judge the rest).
    public static func dayExists(_ text: String) -> Bool {
        let bytes = Array(text.utf8.prefix(10))
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return true }
        guard let year = number(bytes, 0..<4), let month = number(bytes, 5..<7), let day = number(bytes, 8..<10) else { return true }
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    /// The common case by hand: `2026-01-31T09:30:00Z` or with a fraction, in UTC (call events
    /// arrive by the hundred thousand; Foundation's parser was a tenth of their decoding).
    static func utc(_ text: String) -> Date? {
        var utf8 = text.utf8.makeIterator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        while let byte = utf8.next() {
            bytes.append(byte)
            if bytes.count > 40 { return nil }
        }
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z"), bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int? { number(bytes, from..<(from + count)) }
        guard let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2), let hour = digits(11, 2),
            let minute = digits(14, 2), let second = digits(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24,
            minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21 else { return nil }
            var scale = 0.1
            for index in 20..<(bytes.count - 1) {
                let byte = bytes[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                fraction += Double(byte - 48) * scale
                scale /= 10
            }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // timegm normalises 31 February into March: refuse what does not round-trip.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
