import Bus
import Contracts
import Foundation
import ServiceKit

/// Employee groups, their members, sales people and sales budgets.
struct OrganisationHandlers: Sendable {
    let store: SettingsStore

    var all: [String: BusMethodHandler] {
        let store = store
        typealias M = SettingsContract.Method
        return [
            M.listGroups: jsonHandler(ListGroupsRequest.self) { body, _ in try await store.listGroups(body) },
            M.getGroup: jsonHandler(IdRequest.self) { body, _ in try await store.group(id: body.id) },
            M.createGroup: writeHandler(CreateGroupRequest.self) { try await store.createGroup($0, headers: $1, requestId: $2) },
            M.updateGroup: writeHandler(UpdateGroupRequest.self) { try await store.updateGroup($0, headers: $1, requestId: $2) },
            M.deleteGroup: writeHandler(DeleteGroupRequest.self) { try await store.deleteGroup($0, headers: $1, requestId: $2) },
            M.setMember: writeHandler(GroupMemberRequest.self) { try await store.setMember($0, headers: $1, requestId: $2) },
            M.removeMember: writeHandler(GroupMemberRequest.self) { try await store.removeMember($0, headers: $1, requestId: $2) },
            M.listSalesPeople: jsonHandler(NoParameters.self) { _, _ in try await store.salesPeople() },
            M.listBudgets: jsonHandler(ListBudgetsRequest.self) { body, _ in try await store.listBudgets(body) },
            M.setBudget: writeHandler(SetBudgetRequest.self) { try await store.setBudget($0, headers: $1, requestId: $2) },
            M.deleteBudget: writeHandler(IdRequest.self) { try await store.deleteBudget(id: $0.id, headers: $1, requestId: $2) },
        ]
    }
}
