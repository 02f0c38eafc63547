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

    @Test("a day that does not exist is refused in every form, not rolled over into the next month")
    func impossibleDays() {
        for text in [
            "2026-02-31T09:00:00Z", "2026-02-29T09:00:00Z", "2026-02-29T09:00:00.500Z", "2026-04-31T09:00:00+02:00",
            "2026-02-30T09:00:00-05:00", "2026-13-01T09:00:00Z", "2026-00-10T09:00:00Z", "2026-01-00T09:00:00+01:00",
        ] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
        #expect(Timestamp.parse("2024-02-29T09:00:00Z") == Date(timeIntervalSince1970: 1_709_197_200))
        #expect(Timestamp.parse("2024-02-29T10:00:00+01:00") == Date(timeIntervalSince1970: 1_709_197_200))
        #expect(Timestamp.parse("2026-12-31T23:59:59-01:00") != nil)
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
