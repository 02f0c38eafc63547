import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Likely duplicates, merging two records, and purging what was deleted long ago.
struct DuplicateRoutes: Sendable {
    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let api = api
        typealias M = ContactsContract.Method
        let read = RoutePolicy.scope(Scope.contactsRead), write = RoutePolicy.scope(Scope.contactsWrite)
        Self.register(on: &routes, owner: "contacts", list: M.duplicates, merge: M.merge, api: api, read: read, write: write)
        Self.register(
            on: &routes, owner: "companies", list: M.companyDuplicates, merge: M.mergeCompanies, api: api, read: read, write: write)
        routes.add(
            .post, "/api/v1/customers/purge", .boss(Scope.contactsWrite), tag: "duplicates",
            summary: "Remove for good the contacts and companies deleted more than retention_days (90) ago; dry_run counts",
            body: "PurgeInput"
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.purge, fields: [:], timeout: .seconds(300))
        }
    }

    /// The duplicates list and the merge of one kind of record (contacts or companies).
    private static func register<Reply>(
        on routes: inout APIRouter, owner: String, list: BusMethod<DuplicatesRequest, [DuplicateGroup]>,
        merge: BusMethod<MergeRequest, Reply>, api: APIForwarder, read: RoutePolicy, write: RoutePolicy
    ) {
        routes.add(
            .get, "/api/v1/\(owner)/duplicates", read, tag: "duplicates",
            summary: "Likely duplicates: the same e-mail, phone or organisation number, or a similar name", query: ["limit"]
        ) { request, context in
            var query = QueryBody()
            try query.integer("limit", from: request)
            return try await api.forward(request, context: context, method: list, query: query)
        }
        routes.add(
            .post, "/api/v1/\(owner)/:id/merge", write, tag: "duplicates",
            summary: "Merge another record ({other_id}) into this one: links, notes, history move; the other is soft-deleted",
            body: "MergeInput"
        ) { request, context in
            let raw = try await api.body(of: request)
            guard let object = (try? JSONSerialization.jsonObject(with: raw)) as? [String: Any], let other = object["other_id"] as? Int
            else { throw BusError.badRequest("the body must be {\"other_id\": <id>}") }
            let body = try JSONSerialization.data(withJSONObject: ["survivor_id": try pathID(context), "other_id": other])
            return try await api.forward(request, context: context, method: merge, body: body)
        }
    }
}
