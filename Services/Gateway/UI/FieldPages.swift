import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// For a boss: the custom fields of contacts and companies (the cards' additional information):
/// added with a type, changed (label, options, required, own tab, order, active) and deleted.
/// A field's key and type stay once made, since stored values depend on them.
struct FieldPages: Sendable {
    typealias M = SettingsContract.Method
    let ui: WebUI
    var settings: SettingsPages { SettingsPages(ui: ui) }
    static let types = [
        ("text", "text"), ("number", "number"), ("date", "date"), ("yes_no", "yes or no"), ("choice", "one of a list"),
        ("multiple_choice", "several of a list"),
    ]

    func register(on router: Router<GatewayContext>) {
        router.get("/settings/fields", use: fields)
        router.post("/settings/fields", use: create)
        router.post("/settings/fields/:id", use: update)
        router.post("/settings/fields/:id/delete", use: delete)
    }

    @Sendable func fields(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in try await page(request, context, session: session) }
    }

    func page(
        _ request: Request, _ context: GatewayContext, session: UISession, values extra: [String: Any] = [:],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        try await settings.show("fields", title: "Custom fields", session: session, extra: extra, status: status) {
            let fields = try await ui.call(M.listFields, ListFieldsRequest(), request, context)
            let rows: [[String: Any]] = fields.map { field in
                [
                    "field_id": field.id, "label": field.label, "key": field.key, "applies_to": field.appliesTo,
                    "type": Self.types.first { $0.0 == field.type }?.1 ?? field.type, "choice": field.type.hasSuffix("choice"),
                    "required": field.required, "own_tab": field.ownTab, "active": field.active, "sort_order": field.sortOrder,
                    "options": field.options.joined(separator: ", "), "option_lines": field.options.joined(separator: "\n"),
                ]
            }
            return ["rows": rows, "empty": rows.isEmpty, "types": Self.types.map { ["type_value": $0.0, "type_label": $0.1] }]
        }
    }

    private func change(
        _ request: Request, _ context: GatewayContext, session: UISession, errorKey: String, _ work: () async throws -> Void
    ) async throws -> Response {
        try await settings.change(
            back: "/settings/fields", session: session,
            again: { try await page(request, context, session: session, values: [errorKey: $0.message], status: .unprocessableContent) },
            work)
    }

    static func options(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0.isNewline || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context)
            let type = fields["type"] ?? "text"
            let ask = CreateFieldRequest(
                appliesTo: fields["applies_to"] == "company" ? "company" : "contact",
                label: (fields["label"] ?? "").trimmingCharacters(in: .whitespaces), type: type,
                options: type.hasSuffix("choice") ? Self.options(fields["options"]) : nil, required: fields["required"] == "on",
                ownTab: fields["own_tab"] == "on")
            return try await change(request, context, session: session, errorKey: "error_new") {
                _ = try await ui.call(M.createField, ask, request, context)
            }
        }
    }

    @Sendable func update(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such field"), session: session)
            }
            let label = (fields["label"] ?? "").trimmingCharacters(in: .whitespaces)
            var ask = UpdateFieldRequest(
                id: id, label: label.isEmpty ? nil : label, required: fields["required"] == "on", ownTab: fields["own_tab"] == "on",
                sortOrder: fields["sort_order"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }, active: fields["active"] == "on")
            if fields["options"] != nil { ask.options = Self.options(fields["options"]) }
            return try await change(request, context, session: session, errorKey: "error_fields") {
                _ = try await ui.call(M.updateField, ask, request, context)
            }
        }
    }

    @Sendable func delete(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such field"), session: session)
            }
            return try await change(request, context, session: session, errorKey: "error_fields") {
                _ = try await ui.call(M.deleteField, IdRequest(id: id), request, context)
            }
        }
    }
}
