import Bus
import Contracts
import Foundation
import TestKit
import Testing

@testable import SettingsService

@Suite("Settings: CRM processes, custom fields and configuration")
struct ProcessAndFieldTests {
    @Test("the default process is Prospect -> Offer -> Order (won) / Lost")
    func defaultProcess() async throws {
        let fixture = try await Fixture()
        let processes = try await fixture.store.listProcesses()
        let process = try #require(processes.first)
        #expect(processes.count == 1 && process.isDefault)
        #expect(process.statuses.map(\.name) == ["Prospect", "Offer", "Order", "Lost"])
        #expect(process.statuses.map(\.final) == [nil, nil, "won", "lost"])
        #expect(process.statuses.map(\.probability) == [10, 50, 100, 0])
        await expectBusError(.conflict) {
            _ = try await fixture.store.deleteProcess(id: process.id, headers: Fixture.boss, requestId: "d")
        }
    }

    @Test("processes: statuses validated and keep their ids when edited; fixed labels; one default")
    func processes() async throws {
        let fixture = try await Fixture()
        let statuses = [
            ProcessStatus(id: nil, name: "Lead", probability: 5, final: nil),
            ProcessStatus(id: nil, name: "Demo", probability: 40, final: nil),
            ProcessStatus(id: nil, name: "Signed", probability: 100, final: "won"),
            ProcessStatus(id: nil, name: "Dropped", probability: 0, final: "lost"),
        ]
        let created = try Fixture.decode(
            CRMProcess.self,
            try await fixture.store.createProcess(
                CreateProcessRequest(
                    name: "Licences", statuses: statuses, subjectLabels: ["Licence", "Renewal"], weightLabels: ["Low", "High"]),
                headers: Fixture.boss, requestId: "p1"))
        #expect(!created.isDefault && created.subjectLabels == ["Licence", "Renewal"])
        for bad in [
            [ProcessStatus(id: nil, name: "Only", probability: 50, final: nil)],
            [
                ProcessStatus(id: nil, name: "A", probability: 150, final: nil),
                ProcessStatus(id: nil, name: "B", probability: 100, final: "won"),
            ],
            [
                ProcessStatus(id: nil, name: "A", probability: 10, final: "maybe"),
                ProcessStatus(id: nil, name: "B", probability: 100, final: "won"),
            ],
        ] {
            await expectBusError(.invalid) {
                _ = try await fixture.store.createProcess(
                    CreateProcessRequest(name: "Bad \(UUID())", statuses: bad), headers: Fixture.boss, requestId: UUID().uuidString)
            }
        }
        // A name listed twice is a rule across values the API document cannot state: 409 (ADR 008).
        await expectBusError(.conflict) {
            let twice = [
                ProcessStatus(id: nil, name: "A", probability: 10, final: nil),
                ProcessStatus(id: nil, name: "a", probability: 100, final: "won"),
            ]
            _ = try await fixture.store.createProcess(
                CreateProcessRequest(name: "Bad \(UUID())", statuses: twice), headers: Fixture.boss, requestId: UUID().uuidString)
        }
        // Edit: keep Demo by id, rename it, drop Lead, add Trial; clear the subject labels; make it the default.
        var edited = created.statuses.filter { $0.name != "Lead" }
        edited[0].name = "Demo given"
        edited.insert(ProcessStatus(id: nil, name: "Trial", probability: 60, final: nil), at: 1)
        let updated = try Fixture.decode(
            CRMProcess.self,
            try await fixture.store.updateProcess(
                UpdateProcessRequest(id: created.id, statuses: edited, isDefault: true, subjectLabels: []), headers: Fixture.boss,
                requestId: "p2"))
        #expect(updated.statuses.map(\.name) == ["Demo given", "Trial", "Signed", "Dropped"])
        #expect(updated.statuses[0].id == created.statuses[1].id)
        #expect(updated.subjectLabels == nil && updated.weightLabels == ["Low", "High"] && updated.isDefault)
        let defaults = try await fixture.store.listProcesses().filter(\.isDefault)
        #expect(defaults.map(\.id) == [created.id])
        await expectBusError(.conflict) {
            _ = try await fixture.store.updateProcess(
                UpdateProcessRequest(id: created.id, isDefault: false), headers: Fixture.boss, requestId: "p3")
        }
    }

    @Test("custom fields: defaults, types with options, keys from labels, unique per kind of record")
    func fields() async throws {
        let fixture = try await Fixture()
        let defaults = try await fixture.store.listFields(ListFieldsRequest(appliesTo: "contact"))
        #expect(defaults.map(\.key) == ["origin_of_contact", "products_of_interest", "source"])
        #expect(defaults[1].type == "multiple_choice" && !defaults[1].options.isEmpty)
        let field = try Fixture.decode(
            CustomField.self,
            try await fixture.store.createField(
                CreateFieldRequest(appliesTo: "company", label: "Number of employees", type: "number", required: true, ownTab: true),
                headers: Fixture.boss, requestId: "f1"))
        #expect(field.key == "number_of_employees" && field.required && field.ownTab)
        await expectBusError(.conflict) {
            _ = try await fixture.store.createField(
                CreateFieldRequest(appliesTo: "company", label: "Number of employees!", type: "text"), headers: Fixture.boss,
                requestId: "f2")
        }
        await expectBusError(.invalid) {
            _ = try await fixture.store.createField(
                CreateFieldRequest(appliesTo: "contact", label: "Tier", type: "choice"), headers: Fixture.boss, requestId: "f3")
        }
        await expectBusError(.invalid) {
            _ = try await fixture.store.createField(
                CreateFieldRequest(appliesTo: "contact", label: "Notes", type: "text", options: ["a"]), headers: Fixture.boss,
                requestId: "f4")
        }
        await expectBusError(.invalid) {
            _ = try await fixture.store.createField(
                CreateFieldRequest(appliesTo: "deal", label: "X", type: "text"), headers: Fixture.boss, requestId: "f5")
        }
        let updated = try Fixture.decode(
            CustomField.self,
            try await fixture.store.updateField(
                UpdateFieldRequest(id: defaults[0].id, options: ["Web", "Phone"], active: false), headers: Fixture.boss, requestId: "f6"))
        #expect(updated.options == ["Web", "Phone"] && !updated.active)
        _ = try await fixture.store.deleteField(id: field.id, headers: Fixture.boss, requestId: "f7")
        await expectBusError(.notFound) { _ = try await fixture.store.field(id: field.id) }
    }

    @Test("configuration: search fields, GDPR and visibility are validated and replaced whole")
    func configuration() async throws {
        let fixture = try await Fixture()
        let all = try await fixture.store.configuration()
        #expect(Set(all.keys) == ["search", "gdpr", "visibility"])
        let visibility = try JSONValue.of(VisibilityConfiguration(sharedCustomerCards: false))
        _ = try await fixture.store.setConfiguration(
            ConfigurationRequest(section: .visibility, value: visibility), headers: Fixture.boss, requestId: "c1")
        #expect(try await fixture.store.configuration(.visibility).decode(VisibilityConfiguration.self).sharedCustomerCards == false)
        let gdpr = try JSONValue.of(GDPRConfiguration(anonymizeFields: ["phones", "emails"], reviewAfterDays: 365))
        _ = try await fixture.store.setConfiguration(
            ConfigurationRequest(section: .gdpr, value: gdpr), headers: Fixture.boss, requestId: "c2")
        let stored = try await fixture.store.configuration(.gdpr).decode(GDPRConfiguration.self)
        #expect(stored.anonymizeFields == ["emails", "phones"] && stored.reviewAfterDays == 365)
        let search = try JSONValue.of(
            SearchConfiguration(fields: [.init(field: "city", mode: "dropdown"), .init(field: "origin_of_contact", mode: "dropdown")]))
        _ = try await fixture.store.setConfiguration(
            ConfigurationRequest(section: .search, value: search), headers: Fixture.boss, requestId: "c3")
        // A field that is neither built in nor a custom field's key depends on what is stored: 409.
        await expectBusError(.conflict) {
            let unknown = try JSONValue.of(SearchConfiguration(fields: [.init(field: "shoe_size", mode: "text")]))
            _ = try await fixture.store.setConfiguration(
                ConfigurationRequest(section: .search, value: unknown), headers: Fixture.boss, requestId: UUID().uuidString)
        }
        for (section, bad) in [
            (ConfigurationSection.search, try JSONValue.of(SearchConfiguration(fields: [.init(field: "city", mode: "slider")]))),
            (.gdpr, try JSONValue.of(GDPRConfiguration(anonymizeFields: ["first_name_backwards"], reviewAfterDays: 10))),
            (.gdpr, try JSONValue.of(GDPRConfiguration(anonymizeFields: [], reviewAfterDays: 0))),
            (.visibility, JSONValue.object(["shared": .bool(true)])),
        ] {
            await expectBusError(.invalid) {
                _ = try await fixture.store.setConfiguration(
                    ConfigurationRequest(section: section, value: bad), headers: Fixture.boss, requestId: UUID().uuidString)
            }
        }
        await expectBusError(.forbidden) {
            _ = try await fixture.store.setConfiguration(
                ConfigurationRequest(section: .visibility, value: visibility), headers: Fixture.user, requestId: "c9")
        }
        let trail = try await fixture.store.audit(ListAuditRequest(entity: "configuration"))
        #expect(trail.items.first?.kind == "search" && trail.items.first?.before != nil)
    }
}
