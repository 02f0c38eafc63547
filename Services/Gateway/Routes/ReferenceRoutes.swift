import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// One kind of reference data (`/api/v1/settings/<kind>`): list, add, read, change, delete,
/// usage and moving customers.
struct ReferenceRoutes: Sendable {
    typealias M = SettingsContract.Method

    let api: APIForwarder
    let kind: ReferenceKind

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.settingsRead), write = RoutePolicy.boss(Scope.settingsWrite)
        let base = "/api/v1/settings/\(kind.rawValue)"
        let tag = "reference data"
        routes.add(
            .get, base, read, tag: tag, summary: "List \(kind.rawValue)",
            query: ["active"] + (kind == .categories ? ["applies_to:company,contact,both"] : []), list)
        routes.add(
            .post, base, write, tag: tag, summary: "Add a \(kind.itemName)", body: kind == .categories ? "NewCategory" : "NewReference",
            reply: "ReferenceItem",
            status: .created, create)
        routes.add(.get, base + "/:id", read, tag: tag, summary: "One \(kind.itemName)", get)
        routes.add(
            .patch, base + "/:id", write, tag: tag, summary: "Change a \(kind.itemName)",
            body: kind == .categories ? "CategoryInput" : "ReferenceInput", reply: "ReferenceItem", update)
        routes.add(
            .delete, base + "/:id", write, tag: tag,
            summary:
                "Delete a \(kind.itemName); in use, 409 with the count unless replacement_id (which wins over clear) or clear=true",
            query: ["replacement_id", "clear"], delete)
        routes.add(.get, base + "/:id/usage", read, tag: tag, summary: "How many records use this \(kind.itemName)", usage)
        if !kind.owners.isEmpty {
            routes.add(
                .post, base + "/:id/move-customers", write, tag: tag,
                summary:
                    "Move every customer from this \(kind.itemName) to another ({to, confirm}); without confirm a dry run with the count",
                body: "MoveCustomersRequest", reply: "UsageReply", moveCustomers)
        }
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        query.set("kind", kind.rawValue)
        try query.boolean("active", from: request)
        query.text("applies_to", from: request)
        return try await api.forward(request, context: context, method: M.listReference, query: query)
    }

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.createReference, fields: ["kind": kind.rawValue],
            status: .created)
    }

    @Sendable func get(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: "id", from: context)
        query.set("kind", kind.rawValue)
        return try await api.forward(request, context: context, method: M.getReference, query: query)
    }

    @Sendable func update(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.updateReference,
            fields: ["kind": kind.rawValue, "id": try pathID(context)])
    }

    @Sendable func delete(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: "id", from: context)
        query.set("kind", kind.rawValue)
        try query.integer("replacement_id", from: request)
        try query.boolean("clear", from: request)
        return try await api.forward(request, context: context, method: M.deleteReference, query: query)
    }

    @Sendable func usage(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try QueryBody(id: "id", from: context)
        query.set("kind", kind.rawValue)
        return try await api.forward(request, context: context, method: M.referenceUsage, query: query)
    }

    @Sendable func moveCustomers(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.moveCustomers,
            fields: ["kind": kind.rawValue, "id": try pathID(context)])
    }
}
