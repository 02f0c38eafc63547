import Bus
import Contracts
import Foundation
import Testing

@testable import GatewayService

/// What the settings and card pages read from their forms.
@Suite("Web UI forms")
struct PageFormTests {
    @Test("a process's statuses, one per line: name, probability, won or lost; ids kept by name")
    func processLines() throws {
        let existing = [ProcessStatus(id: 7, name: "Contacted", probability: 10, final: nil)]
        let statuses = try ProcessPages.statuses("contacted; 20 %\n\n  Renewed;100;WON\nChurned; 0; lost\n", existing: existing)
        #expect(statuses.map(\.name) == ["contacted", "Renewed", "Churned"])
        #expect(statuses.map(\.probability) == [20, 100, 0])
        #expect(statuses.map(\.final) == [nil, "won", "lost"])
        #expect(statuses.map(\.id) == [7, nil, nil])
        #expect(ProcessPages.lines(statuses) == "contacted; 20\nRenewed; 100; won\nChurned; 0; lost")
        for bad in ["Contacted twenty", "; 20", "A; 1; 2; 3", "A; many"] {
            let error = #expect(throws: BusError.self) { _ = try ProcessPages.statuses(bad) }
            #expect(error?.message.contains("line 1") == true, "\(bad)")
        }
        #expect(throws: BusError.self) { _ = try ProcessPages.statuses(String(repeating: "A; 1\n", count: 101)) }
    }

    @Test("a date field's day, checked: the start of that day in UTC, or nothing")
    func days() {
        #expect(CardParts.day("2026-11-27") == Date(timeIntervalSince1970: 1_795_737_600))
        #expect(CardParts.day("2024-02-29") != nil)
        for bad in ["2025-02-29", "2026-13-01", "2026-1-01", "27.11.2026", "", "0000-01-01", "2026-11-27T00:00"] {
            #expect(CardParts.day(bad) == nil, "\(bad)")
        }
    }

    @Test("a custom field's form text as the value its type takes")
    func customFieldValues() throws {
        func field(_ type: String) -> CustomField {
            CustomField(
                id: 1, appliesTo: "contact", key: "k", label: "Licences", type: type, options: ["A", "B"], required: false, ownTab: false,
                sortOrder: 0, active: true, createdAt: Date(), updatedAt: Date())
        }
        #expect(try CustomFieldText.value(of: field("number"), given: ["12"]) == .int(12))
        #expect(try CustomFieldText.value(of: field("number"), given: ["1,5"]) == .double(1.5))
        #expect(try CustomFieldText.value(of: field("number"), given: [""]) == .null)
        #expect(throws: BusError.self) { _ = try CustomFieldText.value(of: field("number"), given: ["twelve"]) }
        #expect(throws: BusError.self) { _ = try CustomFieldText.value(of: field("number"), given: ["1e999"]) }
        #expect(try CustomFieldText.value(of: field("yes_no"), given: []) == .bool(false))
        #expect(try CustomFieldText.value(of: field("multiple_choice"), given: ["A", "B"]) == .array([.string("A"), .string("B")]))
        #expect(CustomFieldText.text(.array([.string("A"), .string("B")])) == "A, B")
    }
}
