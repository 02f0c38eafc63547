import Bus
import Contracts
import Foundation

/// Reads call events from JSON by hand: a flat object of strings, numbers and nulls, at the rate
/// a ZeroMQ producer sends them (JSONDecoder with snake_case conversion was the largest single
/// cost of the ingest). Unknown keys are skipped whatever they hold; a number is accepted where
/// a text is expected (PBXs send phone numbers as numbers). Errors name the field.
enum CallEventJSON {
    static func event(_ data: Data) throws -> CallEventInput {
        try data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw)
            let event = try parser.event()
            try parser.end()
            return event
        }
    }

    /// `{"producer": ..., "events": [...]}`, as the gateway sends `telephony.ingest`.
    static func request(_ data: Data) throws -> IngestRequest { try requestAndEvents(data).request }

    /// The request, and each event's JSON as it is in `data` (what the ingest log keeps).
    static func requestAndEvents(_ data: Data) throws -> (request: IngestRequest, raw: [Range<Int>]) {
        try data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw)
            var producer: String?
            var events: [CallEventInput]?
            var ranges: [Range<Int>] = []
            try parser.object { parser, key in
                switch key {
                case "producer": producer = try parser.text(key)
                case "events":
                    var list: [CallEventInput] = []
                    try parser.array { parser in
                        parser.space()
                        let start = parser.index
                        list.append(try parser.event())
                        ranges.append(start..<parser.index)
                    }
                    events = list
                default: try parser.skip()
                }
            }
            try parser.end()
            guard let events else { throw BusError.badRequest("events is required") }
            return (IngestRequest(producer: producer, events: events), ranges)
        }
    }

    struct Parser {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        func fail(_ reason: String) -> BusError { BusError.badRequest("the call event is not valid JSON: \(reason) at byte \(index)") }

        mutating func space() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws {
            space()
            guard index < bytes.count, bytes[index] == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
            index += 1
        }

        mutating func end() throws {
            space()
            guard index == bytes.count else { throw fail("unexpected text after the value") }
        }

        mutating func peek() -> UInt8? {
            space()
            return index < bytes.count ? bytes[index] : nil
        }

        mutating func object(_ member: (inout Parser, String) throws -> Void) throws {
            try expect(UInt8(ascii: "{"))
            if peek() == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                space()
                let key = try string()
                try expect(UInt8(ascii: ":"))
                try member(&self, key)
                guard let next = peek() else { throw fail("unfinished object") }
                index += 1
                if next == UInt8(ascii: "}") { return }
                guard next == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
            }
        }

        mutating func array(_ element: (inout Parser) throws -> Void) throws {
            try expect(UInt8(ascii: "["))
            if peek() == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                try element(&self)
                guard let next = peek() else { throw fail("unfinished array") }
                index += 1
                if next == UInt8(ascii: "]") { return }
                guard next == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
            }
        }

        mutating func string() throws -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string") }
            index += 1
            let start = index
            // Fast path: no escapes.
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                guard bytes[index] >= 0x20 else { throw fail("a control character in a string") }
                index += 1
            }
            guard index < bytes.count else { throw fail("unfinished string") }
            if bytes[index] == UInt8(ascii: "\"") {
                defer { index += 1 }
                guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) else {
                    throw fail("a string that is not UTF-8")
                }
                return text
            }
            var out = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: out, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
                    return text
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { throw fail("unfinished escape") }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                                throw fail("a lone surrogate")
                            }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw fail("a lone surrogate") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { throw fail("an invalid \\u escape") }
                        out.append(contentsOf: Array(String(Character(unicode)).utf8))
                    default: throw fail("an invalid escape")
                    }
                default:
                    guard byte >= 0x20 else { throw fail("a control character in a string") }
                    out.append(byte)
                }
            }
            throw fail("unfinished string")
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("an unfinished \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                index += 1
                let digit: UInt32
                switch byte {
                case 48...57: digit = UInt32(byte - 48)
                case 65...70: digit = UInt32(byte - 55)
                case 97...102: digit = UInt32(byte - 87)
                default: throw fail("an invalid \\u escape")
                }
                value = value * 16 + digit
            }
            return value
        }

        /// A number's text.
        mutating func numberText() throws -> String {
            let start = index
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
            guard index > start else { throw fail("expected a value") }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        /// true for null (the value is consumed).
        mutating func null() throws -> Bool {
            guard peek() == UInt8(ascii: "n") else { return false }
            guard index + 4 <= bytes.count, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"),
                bytes[index + 3] == UInt8(ascii: "l")
            else { throw fail("expected null") }
            index += 4
            return true
        }

        mutating func text(_ key: String) throws -> String? {
            if try null() { return nil }
            switch peek() {
            case UInt8(ascii: "\""): return try string()
            case .some(let byte) where byte == UInt8(ascii: "-") || (48...57).contains(byte): return try numberText()
            default: throw BusError.badRequest("\(key) must be a string")
            }
        }

        mutating func integer(_ key: String) throws -> Int? {
            if try null() { return nil }
            let text: String
            switch peek() {
            case UInt8(ascii: "\""): text = try string()
            case .some: text = try numberText()
            case nil: throw fail("expected a value")
            }
            if let value = Int(text) { return value }
            if let value = Double(text), value.rounded() == value, abs(value) < 1e15 { return Int(value) }
            throw BusError.badRequest("\(key) must be a whole number; got \(text)")
        }

        mutating func date(_ key: String) throws -> Date? {
            guard let text = try text(key) else { return nil }
            guard let date = Timestamp.parse(text) else {
                throw BusError.badRequest("\(key) '\(text)' is not an ISO 8601 date-time such as 2026-01-31T09:30:00Z")
            }
            return date
        }

        /// Skips any value.
        mutating func skip() throws {
            switch peek() {
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "{"): try object { parser, _ in try parser.skip() }
            case UInt8(ascii: "["): try array { parser in try parser.skip() }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                while index < bytes.count, (97...122).contains(bytes[index]) { index += 1 }
            case .some: _ = try numberText()
            case nil: throw fail("expected a value")
            }
        }

        mutating func event() throws -> CallEventInput {
            var event = CallEventInput(eventId: nil, callId: nil, type: nil)
            guard peek() == UInt8(ascii: "{") else { throw BusError.badRequest("a call event must be a JSON object") }
            try object { parser, key in
                switch key {
                case "event_id": event.eventId = try parser.text(key)
                case "call_id": event.callId = try parser.text(key)
                case "type": event.type = try parser.text(key)
                case "direction": event.direction = try parser.text(key)
                case "from": event.from = try parser.text(key)
                case "to": event.to = try parser.text(key)
                case "extension": event.extension = try parser.text(key)
                case "user": event.user = try parser.text(key)
                case "at": event.at = try parser.date(key)
                case "duration": event.duration = try parser.integer(key)
                case "billsec": event.billsec = try parser.integer(key)
                case "disposition": event.disposition = try parser.text(key)
                case "recording_url": event.recordingUrl = try parser.text(key)
                case "leg": event.leg = try parser.text(key)
                case "answered_by": event.answeredBy = try parser.text(key)
                case "caller_name": event.callerName = try parser.text(key)
                case "started_at": event.startedAt = try parser.date(key)
                case "answered_at": event.answeredAt = try parser.date(key)
                case "ended_at": event.endedAt = try parser.date(key)
                case "sequence": event.sequence = try parser.integer(key)
                default: try parser.skip()
                }
            }
            return event
        }
    }
}
