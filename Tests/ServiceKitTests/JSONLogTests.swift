import Foundation
import Logging
import Testing

@testable import ServiceKit

/// The lines `CRM_LOG_FORMAT=json` writes: one object per line, fields a log aggregator indexes.
@Suite("JSON log lines")
struct JSONLogTests {
    @Test("one object per line; metadata as strings; a field named like a fixed one kept apart; line breaks escaped")
    func line() throws {
        let data = JSONLogHandler.line(
            time: Date(timeIntervalSince1970: 1_800_000_000), level: .warning, service: "contacts", instance: "contacts.2",
            label: "contacts.search-backlog", message: "two\nlines",
            metadata: ["records": "5000", "message": "shadow", "trace_id": "abc-123", "list": .array(["a", "b"])])
        #expect(data.last == 0x0A)
        #expect(!data.dropLast().contains(0x0A))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(object["time"] == "2027-01-15T08:00:00.000Z")
        #expect(object["level"] == "warning")
        #expect(object["service"] == "contacts" && object["instance"] == "contacts.2")
        #expect(object["logger"] == "contacts.search-backlog")
        #expect(object["message"] == "two\nlines")
        #expect(object["meta_message"] == "shadow")
        #expect(object["trace_id"] == "abc-123" && object["records"] == "5000")
        #expect(object["list"] == #"["a", "b"]"#)
    }

    @Test("CRM_LOG_FORMAT takes text or json")
    func format() throws {
        #expect(try ServiceConfig.load(options: (try CommonOptions.parse([])), environment: ["CRM_LOG_FORMAT": "JSON"]).logFormat == "json")
        #expect(try ServiceConfig.load(options: (try CommonOptions.parse([])), environment: [:]).logFormat == "text")
        #expect(throws: (any Error).self) {
            try ServiceConfig.load(options: (try CommonOptions.parse([])), environment: ["CRM_LOG_FORMAT": "xml"])
        }
    }

    @Test("CRM_SQLITE_MEMORY_MB takes a number of megabytes; unset leaves the caches' own limits")
    func sqliteMemory() throws {
        let options = try CommonOptions.parse([])
        #expect(try ServiceConfig.load(options: options, environment: ["CRM_SQLITE_MEMORY_MB": "48"]).sqliteMemoryMB == 48)
        #expect(try ServiceConfig.load(options: options, environment: [:]).sqliteMemoryMB == nil)
        for bad in ["0", "-5", "lots", "2000000", ""] {
            #expect(throws: (any Error).self) { try ServiceConfig.load(options: options, environment: ["CRM_SQLITE_MEMORY_MB": bad]) }
        }
    }
}
