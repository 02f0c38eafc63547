import Bus
import Contracts
import Foundation
import GRDB
import Storage
import TestKit
import Testing

@testable import SettingsService

@Suite("Settings: reference data")
struct ReferenceTests {
    func create(
        _ fixture: Fixture, _ kind: ReferenceKind, _ name: String, colour: String? = nil, appliesTo: String? = nil
    ) async throws
        -> ReferenceItem
    {
        try Fixture.decode(
            ReferenceItem.self,
            try await fixture.store.createReference(
                CreateReferenceRequest(kind: kind, name: name, colour: colour, appliesTo: appliesTo), headers: Fixture.boss,
                requestId: UUID().uuidString))
    }

    @Test("items are created, changed and listed in order; names are unique per kind; colours are normalised")
    func crud() async throws {
        let fixture = try await Fixture()
        let item = try await create(fixture, .industries, "  Shipping ", colour: "#0af")
        #expect(item.name == "Shipping" && item.colour == "#00AAFF" && item.active && !item.locked)
        await expectBusError(.conflict) { _ = try await create(fixture, .industries, "shipping") }
        await expectBusError(.invalid) { _ = try await create(fixture, .industries, "Fishing", colour: "blue") }
        await expectBusError(.invalid) { _ = try await create(fixture, .industries, "Fishing", appliesTo: "contact") }
        await expectBusError(.forbidden) {
            _ = try await fixture.store.createReference(
                CreateReferenceRequest(kind: .industries, name: "Mining"), headers: Fixture.user, requestId: "x")
        }
        // A place in the list is bounded, and the next item after the last place still has one
        // (a stored Int.max and one more item stopped settings: arithmetic overflow).
        await expectBusError(.invalid) {
            _ = try await fixture.store.createReference(
                CreateReferenceRequest(kind: .industries, name: "Far", sortOrder: Int.max), headers: Fixture.boss, requestId: "s1")
        }
        let last = try Fixture.decode(
            ReferenceItem.self,
            try await fixture.store.createReference(
                CreateReferenceRequest(kind: .industries, name: "Last", sortOrder: 1_000_000_000), headers: Fixture.boss, requestId: "s2"))
        let after = try await create(fixture, .industries, "After the last")
        #expect(last.sortOrder == 1_000_000_000 && after.sortOrder == 1_000_000_000)
        // The same name in another kind is fine.
        _ = try await create(fixture, .sources, "Shipping")
        let changed = try Fixture.decode(
            ReferenceItem.self,
            try await fixture.store.updateReference(
                UpdateReferenceRequest(kind: .industries, id: item.id, name: "Shipping and logistics", sortOrder: 1, active: false),
                headers: Fixture.boss, requestId: "u1"))
        #expect(changed.name == "Shipping and logistics" && !changed.active)
        let list = try await fixture.store.listReference(ListReferenceRequest(kind: .industries))
        #expect(list.first?.id == item.id)
        let active = try await fixture.store.listReference(ListReferenceRequest(kind: .industries, active: true))
        #expect(!active.contains { $0.id == item.id })
        // A category's kind of record.
        let vip = try await create(fixture, .categories, "Platinum", appliesTo: "contact")
        let forCompanies = try await fixture.store.listReference(ListReferenceRequest(kind: .categories, appliesTo: "company"))
        #expect(!forCompanies.contains { $0.id == vip.id })
        // Asked as the wrong kind, an item does not exist.
        await expectBusError(.notFound) { _ = try await fixture.store.referenceItem(kind: .sources, id: item.id) }
    }

    @Test("the four sales statuses are locked; other defaults can be deleted")
    func locked() async throws {
        let fixture = try await Fixture()
        let statuses = try await fixture.store.listReference(ListReferenceRequest(kind: .salesStatuses))
        for status in statuses {
            await expectBusError(.conflict) {
                _ = try await fixture.store.deleteReference(
                    DeleteReferenceRequest(kind: .salesStatuses, id: status.id), headers: Fixture.boss, requestId: "d\(status.id)")
            }
        }
        let stage = try #require(try await fixture.store.listReference(ListReferenceRequest(kind: .salesStages)).first)
        _ = try await fixture.store.deleteReference(
            DeleteReferenceRequest(kind: .salesStages, id: stage.id), headers: Fixture.boss, requestId: "stage")
        #expect(try await !fixture.store.listReference(ListReferenceRequest(kind: .salesStages)).contains { $0.id == stage.id })
    }

    @Test("deleting an item in use is refused with the count, unless a replacement is named or clearing is asked")
    func deleteInUse() async throws {
        let fixture = try await Fixture()
        let industries = try await fixture.store.listReference(ListReferenceRequest(kind: .industries))
        let finance = industries[1], retail = industries[5]
        fixture.owners.setUsage(finance.id, 12)
        do {
            _ = try await fixture.store.deleteReference(
                DeleteReferenceRequest(kind: .industries, id: finance.id), headers: Fixture.boss, requestId: "d1")
            Issue.record("deleted an industry in use")
        } catch let error as BusError {
            #expect(error.code == .conflict && error.details?["count"] == 12, "\(error)")
        }
        #expect(try await fixture.store.usage(kind: .industries, id: finance.id).count == 12)
        await expectBusError(.conflict) {
            _ = try await fixture.store.deleteReference(
                DeleteReferenceRequest(kind: .industries, id: finance.id, replacementId: finance.id), headers: Fixture.boss, requestId: "d2"
            )
        }
        let deleted = try Fixture.decode(
            ReferenceDeleted.self,
            try await fixture.store.deleteReference(
                DeleteReferenceRequest(kind: .industries, id: finance.id, replacementId: retail.id), headers: Fixture.boss,
                requestId: "d3"))
        // A retry of the same request answers the same, without asking the owners again.
        let retried = try Fixture.decode(
            ReferenceDeleted.self,
            try await fixture.store.deleteReference(
                DeleteReferenceRequest(kind: .industries, id: finance.id, replacementId: retail.id), headers: Fixture.boss,
                requestId: "d3"))
        #expect(retried.recordsAffected == 12)
        #expect(deleted.recordsAffected == 12 && deleted.replacementId == retail.id)
        #expect(fixture.owners.moves.count == 1 && fixture.owners.moves[0].to == retail.id)
        #expect(try await fixture.store.usage(kind: .industries, id: retail.id).count == 12)
        await expectBusError(.notFound) { _ = try await fixture.store.referenceItem(kind: .industries, id: finance.id) }

        // Clearing instead.
        fixture.owners.setUsage(retail.id, 3)
        let cleared = try Fixture.decode(
            ReferenceDeleted.self,
            try await fixture.store.deleteReference(
                DeleteReferenceRequest(kind: .industries, id: retail.id, clear: true), headers: Fixture.boss, requestId: "d4"))
        #expect(cleared.cleared && cleared.recordsAffected == 3 && fixture.owners.moves.last?.to == nil)

        // The event tells owners what to do with records that still use it.
        let events = try await fixture.store.database.outboxEvents(after: 0, limit: 10_000)
            .filter { $0.type == SettingsContract.Event.referenceDeleted }
        let change = try Wire.decode(SettingsChange.self, from: try #require(events.first).payload)
        #expect(change.id == finance.id && change.kind == "industries" && change.details?["replacement_id"] == .int(retail.id))
    }

    @Test("move customers: a dry run answers the count, the confirmed move moves them and is audited")
    func moveCustomers() async throws {
        let fixture = try await Fixture()
        let industries = try await fixture.store.listReference(ListReferenceRequest(kind: .industries))
        let from = industries[0], to = industries[2]
        fixture.owners.setUsage(from.id, 7)
        let dry = try await fixture.store.moveCustomers(
            MoveCustomersRequest(kind: .industries, id: from.id, to: to.id), headers: Fixture.boss, requestId: "m1")
        #expect(dry.count == 7 && !dry.moved && fixture.owners.moves.isEmpty)
        let done = try await fixture.store.moveCustomers(
            MoveCustomersRequest(kind: .industries, id: from.id, to: to.id, confirm: true), headers: Fixture.boss, requestId: "m2")
        #expect(done.count == 7 && done.moved && done.byService["contacts"] == 7)
        #expect(try await fixture.store.usage(kind: .industries, id: from.id).count == 0)
        let audit = try await fixture.store.audit(ListAuditRequest(entity: "reference", entityId: from.id))
        #expect(audit.items.first?.action == "customers_moved" && audit.items.first?.actor == "admin")
        await expectBusError(.invalid) {
            _ = try await fixture.store.moveCustomers(
                MoveCustomersRequest(kind: .salesStatuses, id: 1, to: 2, confirm: true), headers: Fixture.boss, requestId: "m3")
        }
    }

    @Test("every change is in the audit trail with before and after, and published")
    func audit() async throws {
        let fixture = try await Fixture()
        let item = try await create(fixture, .roles, "Chief Happiness Officer")
        _ = try await fixture.store.updateReference(
            UpdateReferenceRequest(kind: .roles, id: item.id, name: "CHO"), headers: Fixture.boss, requestId: "u")
        _ = try await fixture.store.deleteReference(
            DeleteReferenceRequest(kind: .roles, id: item.id), headers: Fixture.boss, requestId: "d")
        let trail = try await fixture.store.audit(ListAuditRequest(entity: "reference", entityId: item.id))
        #expect(trail.items.map(\.action) == ["deleted", "updated", "created"])
        let update = trail.items[1]
        #expect(update.before?.objectValue?["name"] == .string("Chief Happiness Officer"))
        #expect(update.after?.objectValue?["name"] == .string("CHO"))
        let events = try await fixture.events()
        #expect(events.suffix(3) == ["reference.created", "reference.updated", "reference.deleted"])
        // Paging.
        let first = try await fixture.store.audit(ListAuditRequest(limit: 2))
        let second = try await fixture.store.audit(ListAuditRequest(limit: 2, cursor: first.nextCursor))
        #expect(first.items.count == 2 && second.items.first.map { $0.id < first.items[1].id } == true)
    }
}

extension JSONValue {
    var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }
}
