import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/settings/...`: one collection per kind of reference data, CRM processes, custom
/// fields and configuration. Reading needs `settings:read`; changing needs a boss with `settings:write`.
struct SettingsRoutes: Sendable {
    typealias M = SettingsContract.Method

    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.settingsRead), write = RoutePolicy.boss(Scope.settingsWrite)

        for kind in ReferenceKind.allCases { ReferenceRoutes(api: api, kind: kind).register(on: &routes) }

        // CRM processes.
        routes.add(.get, "/api/v1/settings/processes", read, tag: "processes", summary: "The CRM processes", listProcesses)
        routes.add(
            .post, "/api/v1/settings/processes", write, tag: "processes", summary: "Add a process", body: "NewProcess",
            reply: "CRMProcess", status: .created, createProcess)
        routes.add(.get, "/api/v1/settings/processes/:id", read, tag: "processes", summary: "One process", getProcess)
        routes.add(
            .patch, "/api/v1/settings/processes/:id", write, tag: "processes", summary: "Change a process", body: "ProcessInput",
            reply: "CRMProcess", updateProcess)
        routes.add(
            .delete, "/api/v1/settings/processes/:id", write, tag: "processes", summary: "Delete a process (not the default)", deleteProcess
        )

        // Additional-information fields.
        routes.add(
            .get, "/api/v1/settings/fields", read, tag: "fields", summary: "Custom fields",
            query: ["applies_to:company,contact", "active"], listFields)
        routes.add(
            .post, "/api/v1/settings/fields", write, tag: "fields", summary: "Add a custom field", body: "NewField", reply: "CustomField",
            status: .created, createField)
        routes.add(.get, "/api/v1/settings/fields/:id", read, tag: "fields", summary: "One custom field", getField)
        routes.add(
            .patch, "/api/v1/settings/fields/:id", write, tag: "fields", summary: "Change a custom field", body: "FieldInput",
            reply: "CustomField", updateField)
        routes.add(.delete, "/api/v1/settings/fields/:id", write, tag: "fields", summary: "Delete a custom field", deleteField)

        // Configuration sections.
        routes.add(
            .get, "/api/v1/settings/configuration", read, tag: "configuration", summary: "Search, GDPR and visibility settings",
            configuration)
        for section in ConfigurationSection.allCases { ConfigurationRoutes(api: api, section: section).register(on: &routes) }
    }

    @Sendable func listProcesses(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(request, context: context, method: M.listProcesses, query: QueryBody())
    }

    @Sendable func createProcess(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.createProcess, body: try await api.body(of: request),
            status: .created)
    }

    @Sendable func getProcess(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.getProcess, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func updateProcess(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.updateProcess, fields: ["id": try pathID(context)])
    }

    @Sendable func deleteProcess(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.deleteProcess, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func listFields(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        query.text("applies_to", from: request)
        try query.boolean("active", from: request)
        return try await api.forward(request, context: context, method: M.listFields, query: query)
    }

    @Sendable func createField(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.createField, body: try await api.body(of: request), status: .created)
    }

    @Sendable func getField(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.getField, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func updateField(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forwardMerged(
            request, context: context, method: M.updateField, fields: ["id": try pathID(context)])
    }

    @Sendable func deleteField(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.deleteField, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func configuration(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(request, context: context, method: M.getConfiguration, query: QueryBody())
    }
}
