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
            M.createGroup: { request in
                try await store.createGroup(
                    try decodeBody(CreateGroupRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.updateGroup: { request in
                try await store.updateGroup(
                    try decodeBody(UpdateGroupRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.deleteGroup: { request in
                try await store.deleteGroup(
                    try decodeBody(DeleteGroupRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.setMember: { request in
                try await store.setMember(
                    try decodeBody(GroupMemberRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.removeMember: { request in
                try await store.removeMember(
                    try decodeBody(GroupMemberRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.listSalesPeople: jsonHandler(NoParameters.self) { _, _ in try await store.salesPeople() },
            M.listBudgets: jsonHandler(ListBudgetsRequest.self) { body, _ in try await store.listBudgets(body) },
            M.setBudget: { request in
                try await store.setBudget(
                    try decodeBody(SetBudgetRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.deleteBudget: { request in
                try await store.deleteBudget(
                    id: try decodeBody(IdRequest.self, request).id, headers: request.headers, requestId: request.requestId)
            },
        ]
    }
}
