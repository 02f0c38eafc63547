import Contracts
import Foundation
import Testing

@Suite("Timestamps on the wire")
struct TimestampTests {
    @Test("written as ISO 8601 in UTC with milliseconds, and read back to the millisecond")
    func roundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_769_851_800.123)
        #expect(Timestamp.string(from: date) == "2026-01-31T09:30:00.123Z")
        #expect(Timestamp.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.string(from: Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(Timestamp.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        let parsed = try #require(Timestamp.parse(Timestamp.string(from: date)))
        #expect(abs(parsed.timeIntervalSince(date)) < 0.001)
    }
}

@Suite("Input text")
struct InputTextTests {
    @Test("trimmed drops whitespace and line breaks at both ends only")
    func trimmed() {
        #expect("  Kari Nordmann \n".trimmed == "Kari Nordmann")
        #expect("\t\r\n ".trimmed == "")
        #expect("".trimmed == "")
        #expect("Ola".trimmed == "Ola")
        #expect(" a  b ".trimmed == "a  b")
        #expect("\u{00A0}Søren\u{2003}".trimmed == "Søren")
    }
}
