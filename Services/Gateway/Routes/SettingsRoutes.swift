import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/settings/...`: one collection per kind of reference data, CRM processes, custom
/// fields and configuration. Reading needs `settings:read`; changing needs a boss with `settings:write`.
struct SettingsRoutes: Sendable {
    let api: APIForwarder

    func register(on routes: inout APIRouter) {
        let api = api
        typealias M = SettingsContract.Method
        let read = RoutePolicy.scope(Scope.settingsRead), write = RoutePolicy.boss(Scope.settingsWrite)

        for kind in ReferenceKind.allCases {
            let base = "/api/v1/settings/\(kind.rawValue)"
            let tag = "reference data"
            routes.add(
                .get, base, read, tag: tag, summary: "List \(kind.rawValue)",
                query: ["active"] + (kind == .categories ? ["applies_to:company,contact,both"] : [])
            ) {
                request, context in
                var query = QueryBody()
                query.set("kind", kind.rawValue)
                try query.boolean("active", from: request)
                query.text("applies_to", from: request)
                return try await api.forward(request, context: context, method: M.listReference, query: query)
            }
            routes.add(
                .post, base, write, tag: tag, summary: "Add a \(kind.itemName)", body: kind == .categories ? "NewCategory" : "NewReference",
                reply: "ReferenceItem",
                status: .created
            ) { request, context in
                try await api.forwardMerged(
                    request, context: context, method: M.createReference, fields: ["kind": kind.rawValue],
                    status: .created)
            }
            routes.add(.get, base + "/:id", read, tag: tag, summary: "One \(kind.itemName)") { request, context in
                var query = try QueryBody(id: "id", from: context)
                query.set("kind", kind.rawValue)
                return try await api.forward(request, context: context, method: M.getReference, query: query)
            }
            routes.add(
                .patch, base + "/:id", write, tag: tag, summary: "Change a \(kind.itemName)",
                body: kind == .categories ? "CategoryInput" : "ReferenceInput", reply: "ReferenceItem"
            ) { request, context in
                try await api.forwardMerged(
                    request, context: context, method: M.updateReference,
                    fields: ["kind": kind.rawValue, "id": try pathID(context)])
            }
            routes.add(
                .delete, base + "/:id", write, tag: tag,
                summary:
                    "Delete a \(kind.itemName); in use, 409 with the count unless replacement_id (which wins over clear) or clear=true",
                query: ["replacement_id", "clear"]
            ) { request, context in
                var query = try QueryBody(id: "id", from: context)
                query.set("kind", kind.rawValue)
                try query.integer("replacement_id", from: request)
                try query.boolean("clear", from: request)
                return try await api.forward(request, context: context, method: M.deleteReference, query: query)
            }
            routes.add(.get, base + "/:id/usage", read, tag: tag, summary: "How many records use this \(kind.itemName)") {
                request, context in
                var query = try QueryBody(id: "id", from: context)
                query.set("kind", kind.rawValue)
                return try await api.forward(request, context: context, method: M.referenceUsage, query: query)
            }
            if !kind.owners.isEmpty {
                routes.add(
                    .post, base + "/:id/move-customers", write, tag: tag,
                    summary:
                        "Move every customer from this \(kind.itemName) to another ({to, confirm}); without confirm a dry run with the count",
                    body: "MoveCustomersRequest", reply: "UsageReply"
                ) { request, context in
                    try await api.forwardMerged(
                        request, context: context, method: M.moveCustomers,
                        fields: ["kind": kind.rawValue, "id": try pathID(context)])
                }
            }
        }

        // CRM processes.
        routes.add(.get, "/api/v1/settings/processes", read, tag: "processes", summary: "The CRM processes") { request, context in
            try await api.forward(request, context: context, method: M.listProcesses, query: QueryBody())
        }
        routes.add(
            .post, "/api/v1/settings/processes", write, tag: "processes", summary: "Add a process", body: "NewProcess",
            reply: "CRMProcess", status: .created
        ) {
            request, context in
            try await api.forward(
                request, context: context, method: M.createProcess, body: try await api.body(of: request),
                status: .created)
        }
        routes.add(.get, "/api/v1/settings/processes/:id", read, tag: "processes", summary: "One process") { request, context in
            try await api.forward(
                request, context: context, method: M.getProcess, query: try QueryBody(id: "id", from: context))
        }
        routes.add(
            .patch, "/api/v1/settings/processes/:id", write, tag: "processes", summary: "Change a process", body: "ProcessInput",
            reply: "CRMProcess"
        ) {
            request, context in
            try await api.forwardMerged(
                request, context: context, method: M.updateProcess, fields: ["id": try pathID(context)])
        }
        routes.add(.delete, "/api/v1/settings/processes/:id", write, tag: "processes", summary: "Delete a process (not the default)") {
            request, context in
            try await api.forward(
                request, context: context, method: M.deleteProcess, query: try QueryBody(id: "id", from: context))
        }

        // Additional-information fields.
        routes.add(
            .get, "/api/v1/settings/fields", read, tag: "fields", summary: "Custom fields",
            query: ["applies_to:company,contact", "active"]
        ) {
            request, context in
            var query = QueryBody()
            query.text("applies_to", from: request)
            try query.boolean("active", from: request)
            return try await api.forward(request, context: context, method: M.listFields, query: query)
        }
        routes.add(
            .post, "/api/v1/settings/fields", write, tag: "fields", summary: "Add a custom field", body: "NewField", reply: "CustomField",
            status: .created
        ) {
            request, context in
            try await api.forward(
                request, context: context, method: M.createField, body: try await api.body(of: request), status: .created)
        }
        routes.add(.get, "/api/v1/settings/fields/:id", read, tag: "fields", summary: "One custom field") { request, context in
            try await api.forward(
                request, context: context, method: M.getField, query: try QueryBody(id: "id", from: context))
        }
        routes.add(
            .patch, "/api/v1/settings/fields/:id", write, tag: "fields", summary: "Change a custom field", body: "FieldInput",
            reply: "CustomField"
        ) {
            request, context in
            try await api.forwardMerged(
                request, context: context, method: M.updateField, fields: ["id": try pathID(context)])
        }
        routes.add(.delete, "/api/v1/settings/fields/:id", write, tag: "fields", summary: "Delete a custom field") { request, context in
            try await api.forward(
                request, context: context, method: M.deleteField, query: try QueryBody(id: "id", from: context))
        }

        // Configuration sections.
        routes.add(.get, "/api/v1/settings/configuration", read, tag: "configuration", summary: "Search, GDPR and visibility settings") {
            request, context in
            try await api.forward(request, context: context, method: M.getConfiguration, query: QueryBody())
        }
        for section in ConfigurationSection.allCases {
            let path = "/api/v1/settings/configuration/\(section.rawValue)"
            routes.add(.get, path, read, tag: "configuration", summary: "The \(section.rawValue) settings") { request, context in
                var query = QueryBody()
                query.set("section", section.rawValue)
                return try await api.forward(request, context: context, method: M.getConfiguration, query: query)
            }
            routes.add(
                .put, path, write, tag: "configuration", summary: "Replace the \(section.rawValue) settings",
                body: APISchemas.configurationSchema(section), reply: APISchemas.configurationSchema(section)
            ) {
                request, context in
                let raw = try await api.body(of: request)
                guard let value = try? JSONSerialization.jsonObject(with: raw), value is [String: Any] else {
                    throw BusError.badRequest("the body must be the \(section.rawValue) settings as a JSON object")
                }
                let body = try JSONSerialization.data(withJSONObject: ["section": section.rawValue, "value": value])
                return try await api.forward(request, context: context, method: M.setConfiguration, body: body)
            }
        }
    }
}
