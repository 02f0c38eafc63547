import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Likely duplicates, merging two records, and purging what was deleted long ago.
struct DuplicateRoutes: Sendable {
    typealias M = ContactsContract.Method

    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        MergeRoutes(api: api, owner: "contacts", list: M.duplicates, merge: M.merge).register(on: &routes)
        MergeRoutes(api: api, owner: "companies", list: M.companyDuplicates, merge: M.mergeCompanies).register(on: &routes)
        routes.add(
            .post, "/api/v1/customers/purge", .boss(Scope.contactsWrite), tag: "duplicates",
            summary: "Remove for good the contacts and companies deleted more than retention_days (90) ago; dry_run counts",
            body: "PurgeInput", purge)
    }

    @Sendable func purge(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(request, context: context, method: M.purge, fields: [:], timeout: .seconds(300))
    }
}

/// The duplicates list and the merge of one kind of record (contacts or companies).
struct MergeRoutes<Survivor: Sendable>: Sendable {
    let api: APIForwarder
    let owner: String
    let list: BusMethod<DuplicatesRequest, [DuplicateGroup]>
    let merge: BusMethod<MergeRequest, Survivor>

    func register(on routes: inout APIRouter) {
        routes.add(
            .get, "/api/v1/\(owner)/duplicates", .scope(Scope.contactsRead), tag: "duplicates",
            summary: "Likely duplicates: the same e-mail, phone or organisation number, or a similar name", query: ["limit"],
            duplicates)
        routes.add(
            .post, "/api/v1/\(owner)/:id/merge", .scope(Scope.contactsWrite), tag: "duplicates",
            summary: "Merge another record ({other_id}) into this one: links, notes, history move; the other is soft-deleted",
            body: "MergeInput", mergeInto)
    }

    @Sendable func duplicates(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.integer("limit", from: request)
        return try await api.forward(request, context: context, method: list, query: query)
    }

    @Sendable func mergeInto(_ request: Request, context: GatewayContext) async throws -> Response {
        let raw = try await api.body(of: request)
        guard let object = (try? JSONSerialization.jsonObject(with: raw)) as? [String: Any], let other = object["other_id"] as? Int
        else { throw BusError.badRequest("the body must be {\"other_id\": <id>}") }
        let body = try JSONSerialization.data(withJSONObject: ["survivor_id": try pathID(context), "other_id": other])
        return try await api.forward(request, context: context, method: merge, body: body)
    }
}
