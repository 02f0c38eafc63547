import Bus
import Contracts
import Foundation
import ServiceKit

/// Employee groups, their members, sales people and sales budgets.
struct OrganisationHandlers: Sendable {
    let store: SettingsStore

    var methods: MethodTable {
        let store = store
        typealias M = SettingsContract.Method
        var table = MethodTable(service: SettingsContract.service)
        table.on(M.listGroups) { body, _ in try await store.listGroups(body) }
        table.on(M.getGroup) { body, _ in try await store.group(id: body.id) }
        table.write(M.createGroup) { try await store.createGroup($0, headers: $1, requestId: $2) }
        table.write(M.updateGroup) { try await store.updateGroup($0, headers: $1, requestId: $2) }
        table.write(M.deleteGroup) { try await store.deleteGroup($0, headers: $1, requestId: $2) }
        table.write(M.setMember) { try await store.setMember($0, headers: $1, requestId: $2) }
        table.write(M.removeMember) { try await store.removeMember($0, headers: $1, requestId: $2) }
        table.on(M.listSalesPeople) { _, _ in try await store.salesPeople() }
        table.on(M.listBudgets) { body, _ in try await store.listBudgets(body) }
        table.write(M.setBudget) { try await store.setBudget($0, headers: $1, requestId: $2) }
        table.write(M.deleteBudget) { try await store.deleteBudget(id: $0.id, headers: $1, requestId: $2) }
        return table
    }
}
