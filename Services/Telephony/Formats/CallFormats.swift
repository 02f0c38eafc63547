import Bus
import Contracts
import Foundation
import ServiceKit

/// What a provider's webhook or a CDR file held: generic call events with the line (or document)
/// each came from, and the rows that could not be read.
struct ParsedInput {
    var events: [(line: Int, event: CallEventInput)] = []
    var rejected: [RejectedRow] = []
    /// Rows or documents read, good or bad.
    var rows = 0
    /// A producer the input names itself (Twilio's AccountSid), used when the request names none.
    var producer: String?

    mutating func reject(_ line: Int, _ reason: String) { rejected.append(RejectedRow(line: line, reason: reason)) }
}

/// A row that cannot be read; the file's other rows still count.
struct RowError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Every input format the telephony service reads, turned into generic call events
/// (shared/design/formats.md lists the formats and their traps).
enum CallFormats {
    static let names = ["twilio", "vonage", "asterisk", "asterisk-custom", "freeswitch", "3cx"]

    static func parse(_ request: FormatIngestRequest) throws -> ParsedInput {
        let zone: TimeZone
        if let name = request.timeZone?.trimmed.nilIfEmpty {
            guard let found = TimeZone(identifier: name) else { throw BusError.invalid("time zone '\(name)' is not an IANA time zone") }
            zone = found
        } else {
            zone = TimeZone(identifier: "UTC")!
        }
        switch request.format {
        case "twilio": return try TwilioFormat.parse(request.content)
        case "vonage": return try VonageFormat.parse(request.content)
        case "asterisk": return AsteriskCDR.parse(text(request.content), columns: request.columns, zone: zone)
        case "asterisk-custom":
            return AsteriskCDR.parse(text(request.content), columns: request.columns ?? AsteriskCDR.customLegacyColumns, zone: zone)
        case "freeswitch": return FreeSwitchCDR.parse(text(request.content))
        case "3cx": return ThreeCXCDR.parse(text(request.content), columns: request.columns, zone: zone)
        default:
            throw BusError.invalid("format must be one of \(names.joined(separator: ", ")); got '\(request.format)'")
        }
    }

    /// The file as text. PBXs write caller names in whatever encoding the trunk gave them: a line
    /// that is not UTF-8 is read as Latin-1 rather than lost or garbled into U+FFFD.
    static func text(_ data: Data) -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        var lines: [String] = []
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let bytes = Data(line)
            lines.append(String(data: bytes, encoding: .utf8) ?? String(bytes.map { Character(Unicode.Scalar($0)) }))
        }
        return lines.joined(separator: "\n")
    }

    /// The lines of a file with their numbers (1-based), blank lines left out.
    static func lines(_ text: String) -> [(line: Int, text: String)] {
        var result: [(Int, String)] = []
        var number = 0
        // "\r\n" is one Character in Swift: split on every kind of line end.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            var line = Substring(raw)
            if number == 1, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            if line.allSatisfy(\.isWhitespace) { continue }
            result.append((number, String(line)))
        }
        return result
    }

    /// Reads a CDR file in CSV, one call event per line. The first line may be a header: `header`
    /// answers its column names, or nil when it is a row. `columns` names a row's fields (given the
    /// header's names, if there was one) or throws; `event` makes the event from the named values.
    /// A line that cannot be read, or whose event cannot be made, is rejected with its number.
    static func csvEvents(
        _ text: String, header: ([String]) -> [String]?, columns: ([String], [String]?) throws -> [String],
        event: ([String: String]) throws -> CallEventInput
    ) -> ParsedInput {
        var input = ParsedInput()
        var headerNames: [String]?
        var first = true
        func reason(_ error: Error) -> String { (error as? RowError)?.reason ?? "\(error)" }
        for (number, line) in lines(text) {
            let isFirst = first
            first = false
            let values: [String]
            do {
                values = try fields(line)
            } catch {
                input.rows += 1
                input.reject(number, reason(error))
                continue
            }
            if isFirst, let names = header(values) {
                headerNames = names
                continue
            }
            input.rows += 1
            do {
                var row: [String: String] = [:]
                for (name, value) in zip(try columns(values, headerNames), values) { row[name] = value.trimmed }
                input.events.append((number, try event(row)))
            } catch {
                input.reject(number, reason(error))
            }
        }
        return input
    }

    /// One CSV line's fields.
    static func fields(_ line: String, delimiter: Character = ",") throws -> [String] {
        do {
            return try CSVReader(delimiter: delimiter).records(line).first?.fields ?? []
        } catch let error as CSVError {
            throw RowError(error.reason)
        }
    }

    /// A local date and time as PBXs write it (`2024-01-28 09:38:20`, `2020/05/04 10:58:46`,
    /// with `T` or fractions), in `zone`; an explicit offset or `Z` wins over the zone.
    static func localTime(_ raw: String, zone: TimeZone) -> Date? {
        let text = raw.trimmed
        guard !text.isEmpty else { return nil }
        if text.hasSuffix("Z") || text.dropFirst(19).contains(where: { $0 == "+" || $0 == "-" }) {
            if let date = isoTime(text) { return date }
        }
        var numbers: [Int] = []
        var current = 0, digits = 0
        for character in text {
            if let value = character.wholeNumberValue, character.isASCII {
                // No field of a date has more than 9 digits (nanoseconds): a longer run of
                // digits is not a date, and must not overflow on its way to saying so.
                digits += 1
                guard digits <= 9 else { return nil }
                current = current * 10 + value
            } else if digits > 0 {
                numbers.append(current)
                current = 0
                digits = 0
            }
        }
        if digits > 0 { numbers.append(current) }
        guard numbers.count >= 6, (1970...2200).contains(numbers[0]), (1...12).contains(numbers[1]), (1...31).contains(numbers[2]),
            (0...23).contains(numbers[3]), (0...59).contains(numbers[4]), (0...60).contains(numbers[5])
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(numbers[0] - 1900)
        parts.tm_mon = Int32(numbers[1] - 1)
        parts.tm_mday = Int32(numbers[2])
        parts.tm_hour = Int32(numbers[3])
        parts.tm_min = Int32(numbers[4])
        parts.tm_sec = Int32(numbers[5])
        let asUTC = Double(timegm(&parts))
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: asUTC))
        return Date(timeIntervalSince1970: asUTC - Double(offset))
    }

    /// ISO 8601 with or without fractions of a second (the wire's parser, bounded in length).
    static func isoTime(_ raw: String) -> Date? {
        Timestamp.parse(raw.trimmed)
    }

    /// The time when it lies where a call's time can (1970 to 2200, as the call log takes them),
    /// else nil: a provider's webhook with a broken clock is taken with the time it arrived,
    /// not refused (the provider would only send it again).
    static func plausible(_ date: Date) -> Date? {
        (0...7_258_118_400).contains(date.timeIntervalSince1970) ? date : nil
    }

    /// Seconds as a number (`45`, `45.0`) or a clock (`00:01:05`).
    /// At most ten years: anything longer is no call's duration (and stays far from overflow).
    static func seconds(_ raw: String?) -> Int? {
        let limit = 10 * 366 * 86400
        guard let text = raw?.trimmed, !text.isEmpty, text.utf8.count <= 32 else { return nil }
        if let value = Int(text) { return (0...limit).contains(value) ? value : nil }
        if let value = Double(text), value.isFinite, value >= 0, value <= Double(limit) { return Int(value.rounded()) }
        let parts = text.split(separator: ":").map { Int($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil && (0...limit).contains($0!) }) else { return nil }
        let total = parts.reduce(0) { $0 * 60 + $1! }  // each part <= limit, three parts: no overflow
        return total <= limit ? total : nil
    }

    /// Who is calling whom, from which ends are the PBX's own extensions.
    static func direction(from: String?, to: String?) -> String {
        let fromExtension = from.flatMap(PhoneNormalizer.extensionNumber) != nil
        let toExtension = to.flatMap(PhoneNormalizer.extensionNumber) != nil
        switch (fromExtension, toExtension) {
        case (true, true): return "internal"
        case (true, false): return "outbound"
        default: return "inbound"
        }
    }

    /// A short, stable id for a row that carries none of its own (FNV-1a, 64 bits): the same row
    /// imported twice gets the same id and is dropped as a duplicate.
    static func fingerprint(_ parts: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
            hash ^= 0x1f
            hash &*= 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
