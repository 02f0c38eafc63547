import Bus
import Contracts
import Foundation
import TestKit
import Testing

@testable import SettingsService

@Suite("Settings: employee groups and sales budgets")
struct OrganisationTests {
    func group(_ fixture: Fixture, _ name: String, type: String = "standard", parent: Int64? = nil) async throws -> EmployeeGroup {
        try Fixture.decode(
            EmployeeGroup.self,
            try await fixture.store.createGroup(
                CreateGroupRequest(name: name, type: type, parentId: parent), headers: Fixture.boss, requestId: UUID().uuidString))
    }

    @Test("groups form a tree to any depth; a group moves under another but never under itself")
    func tree() async throws {
        let fixture = try await Fixture()
        let company = try await group(fixture, "Company")
        let sales = try await group(fixture, "Sales", type: "sales", parent: company.id)
        let north = try await group(fixture, "Sales north", type: "sales", parent: sales.id)
        let tromso = try await group(fixture, "Tromsø", type: "sales", parent: north.id)
        let support = try await group(fixture, "Support", parent: company.id)
        let roots = try await fixture.store.listGroups(ListGroupsRequest(tree: true))
        #expect(roots.map(\.name) == ["Company"])
        #expect(roots[0].children?.map(\.name) == ["Sales", "Support"])
        #expect(roots[0].children?[0].children?[0].children?[0].id == tromso.id)

        await expectBusError(.conflict) {
            _ = try await fixture.store.updateGroup(
                UpdateGroupRequest(id: sales.id, parentId: tromso.id), headers: Fixture.boss, requestId: "m1")
        }
        await expectBusError(.conflict) {
            _ = try await fixture.store.updateGroup(
                UpdateGroupRequest(id: sales.id, parentId: sales.id), headers: Fixture.boss, requestId: "m2")
        }
        let moved = try Fixture.decode(
            EmployeeGroup.self,
            try await fixture.store.updateGroup(
                UpdateGroupRequest(id: north.id, parentId: support.id), headers: Fixture.boss, requestId: "m3"))
        #expect(moved.parentId == support.id)
        let toRoot = try Fixture.decode(
            EmployeeGroup.self,
            try await fixture.store.updateGroup(UpdateGroupRequest(id: north.id, moveToRoot: true), headers: Fixture.boss, requestId: "m4"))
        #expect(toRoot.parentId == nil)
        await expectBusError(.conflict) { _ = try await group(fixture, "Orphan", parent: 999) }
        await expectBusError(.invalid) { _ = try await group(fixture, "Odd", type: "secret") }
    }

    @Test("a group with subgroups is deleted only when asked to delete them too")
    func delete() async throws {
        let fixture = try await Fixture()
        let top = try await group(fixture, "Top")
        let middle = try await group(fixture, "Middle", parent: top.id)
        _ = try await group(fixture, "Bottom", parent: middle.id)
        do {
            _ = try await fixture.store.deleteGroup(DeleteGroupRequest(id: top.id), headers: Fixture.boss, requestId: "d1")
            Issue.record("a group with subgroups was deleted")
        } catch let error as BusError {
            #expect(error.code == .conflict && error.details?["count"] == 2)
        }
        _ = try await fixture.store.deleteGroup(DeleteGroupRequest(id: top.id, recursive: true), headers: Fixture.boss, requestId: "d2")
        #expect(try await fixture.store.listGroups(ListGroupsRequest()).isEmpty)
        let deletes = try await fixture.events().filter { $0 == SettingsContract.Event.groupDeleted }
        #expect(deletes.count == 3)
    }

    @Test("members have roles; sales group members are the sales people and have budgets per month, quarter or year")
    func budgets() async throws {
        let fixture = try await Fixture()
        let kari = try await fixture.store.createUser(CreateUserRequest(username: "kari", password: "kari-password"), headers: Fixture.boss)
        let ola = try await fixture.store.createUser(CreateUserRequest(username: "ola", password: "ola-password"), headers: Fixture.boss)
        let sales = try await group(fixture, "Sales", type: "sales")
        let office = try await group(fixture, "Office")
        _ = try await fixture.store.setMember(
            GroupMemberRequest(groupId: sales.id, userId: kari.user.id, role: "Key account manager"), headers: Fixture.boss, requestId: "s1"
        )
        _ = try await fixture.store.setMember(
            GroupMemberRequest(groupId: office.id, userId: ola.user.id, role: "Assistant"), headers: Fixture.boss, requestId: "s2")
        let loaded = try await fixture.store.group(id: sales.id)
        #expect(loaded.members == [GroupMember(userId: kari.user.id, username: "kari", name: "kari", role: "Key account manager")])
        #expect(try await fixture.store.salesPeople().map(\.username) == ["kari"])

        for (period, type) in [("2026-11", "month"), ("2026-Q4", "quarter"), ("2026", "year")] {
            let budget = try Fixture.decode(
                SalesBudget.self,
                try await fixture.store.setBudget(
                    SetBudgetRequest(userId: kari.user.id, period: period, amount: 100_000, currency: "nok"), headers: Fixture.boss,
                    requestId: "b-\(period)"))
            #expect(budget.periodType == type && budget.currency == "NOK")
        }
        // Setting the same period again replaces it.
        _ = try await fixture.store.setBudget(
            SetBudgetRequest(userId: kari.user.id, period: "2026-11", amount: 125_000.5, currency: "NOK"), headers: Fixture.boss,
            requestId: "b-again")
        let budgets = try await fixture.store.listBudgets(ListBudgetsRequest(userId: kari.user.id, year: 2026))
        #expect(budgets.count == 3 && budgets.first { $0.period == "2026-11" }?.amount == 125_000.5)
        await expectBusError(.conflict) {
            _ = try await fixture.store.setBudget(
                SetBudgetRequest(userId: ola.user.id, period: "2026-11", amount: 1, currency: "NOK"), headers: Fixture.boss,
                requestId: "b-ola")
        }
        for bad in ["2026-13", "2026-Q5", "26", "2026-1", "november"] {
            await expectBusError(.invalid) {
                _ = try await fixture.store.setBudget(
                    SetBudgetRequest(userId: kari.user.id, period: bad, amount: 1, currency: "NOK"), headers: Fixture.boss, requestId: bad)
            }
        }
        await expectBusError(.invalid) {
            _ = try await fixture.store.setBudget(
                SetBudgetRequest(userId: kari.user.id, period: "2026", amount: -5, currency: "NOK"), headers: Fixture.boss, requestId: "neg"
            )
        }
        _ = try await fixture.store.removeMember(
            GroupMemberRequest(groupId: sales.id, userId: kari.user.id), headers: Fixture.boss, requestId: "r1")
        #expect(try await fixture.store.salesPeople().isEmpty)
    }
}
