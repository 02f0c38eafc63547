import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// For a boss: the configuration, a form per section. Search: which fields the lists offer as
/// filters, each as a drop-down or free text, in the order given. GDPR: what anonymisation
/// scrubs and after how long without activity a contact is listed for review. Visibility:
/// whether every user sees every customer card or only the ones they own.
struct ConfigurationPages: Sendable {
    typealias M = SettingsContract.Method
    let ui: WebUI
    var settings: SettingsPages { SettingsPages(ui: ui) }

    func register(on router: Router<GatewayContext>) {
        router.get("/settings/configuration", use: configuration)
        router.post("/settings/configuration/search", use: saveSearch)
        router.post("/settings/configuration/gdpr", use: saveGDPR)
        router.post("/settings/configuration/visibility", use: saveVisibility)
    }

    @Sendable func configuration(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in try await page(request, context, session: session) }
    }

    func page(
        _ request: Request, _ context: GatewayContext, session: UISession, values extra: [String: Any] = [:],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        try await settings.show("configuration", title: "Configuration", session: session, extra: extra, status: status) {
            async let all = ui.call(M.getConfiguration, ConfigurationRequest(), request, context)
            async let custom = ui.call(M.listFields, ListFieldsRequest(active: true), request, context)
            let (stored, fields) = try await (all, custom)
            guard case .object(let sections) = stored else { throw BusError.internal("settings answered no sections") }
            let search = (try? sections["search"]?.decode(SearchConfiguration.self))?.fields ?? []
            let gdpr = try? sections["gdpr"]?.decode(GDPRConfiguration.self)
            let visibility = try? sections["visibility"]?.decode(VisibilityConfiguration.self)
            // Offered fields first, in their order; then every other field search can use.
            let offered = Dictionary(search.enumerated().map { ($1.field, ($0, $1.mode)) }, uniquingKeysWith: { first, _ in first })
            let names =
                search.map(\.field)
                + (SettingsContract.searchableFields + fields.map(\.key)).filter { offered[$0] == nil }.reduce(into: [String]()) {
                    if !$0.contains($1) { $0.append($1) }
                }
            let labels = Dictionary(fields.map { ($0.key, $0.label) }, uniquingKeysWith: { first, _ in first })
            let rows: [[String: Any]] = names.enumerated().map { index, name in
                let chosen = offered[name]
                return [
                    "field": name, "field_label": labels[name] ?? SearchFilters.label(name), "offered": chosen != nil,
                    "position": chosen.map { $0.0 + 1 } ?? 0, "dropdown": chosen?.1 == "dropdown", "row": index,
                ]
            }
            return [
                "search_fields": rows,
                "personal_fields": SettingsContract.personalFields.map { name in
                    [
                        "personal": name, "personal_label": name.replacingOccurrences(of: "_", with: " "),
                        "scrubbed": gdpr?.anonymizeFields.contains(name) ?? false,
                    ]
                },
                "review_days": gdpr?.reviewAfterDays ?? 730, "shared": visibility?.sharedCustomerCards ?? true,
            ]
        }
    }

    private func save(
        _ request: Request, _ context: GatewayContext, session: UISession, section: ConfigurationSection, value: () throws -> JSONValue
    ) async throws -> Response {
        try await settings.change(
            back: "/settings/configuration#\(section.rawValue)", session: session, refusals: [.invalid, .conflict],
            again: { error in
                try await page(
                    request, context, session: session, values: ["error_\(section.rawValue)": error.message], status: .unprocessableContent)
            },
            { _ = try await ui.call(M.setConfiguration, ConfigurationRequest(section: section, value: try value()), request, context) })
    }

    /// Search: each row a field with `offer_<field>` ticked, `mode_<field>` and an optional
    /// `position_<field>` (the order; rows without one keep the page's order).
    @Sendable func saveSearch(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let pairs = try await ui.formPairs(request, context, limit: 1 << 16)
            let form = Dictionary(pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            let rows = pairs.filter { $0.name == "field" }.map(\.value)
            let chosen = rows.enumerated().compactMap { index, field -> (Int, Int, SearchConfiguration.Field)? in
                guard form["offer_" + field] == "on" else { return nil }
                let position = form["position_" + field].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? Int.max
                let mode = form["mode_" + field] == "dropdown" ? "dropdown" : "text"
                return (position, index, SearchConfiguration.Field(field: field, mode: mode))
            }
            let ordered = chosen.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
            return try await save(request, context, session: session, section: .search) {
                try JSONValue.of(SearchConfiguration(fields: ordered))
            }
        }
    }

    @Sendable func saveGDPR(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let pairs = try await ui.formPairs(request, context, limit: 1 << 16)
            let days = pairs.first { $0.name == "review_days" }.flatMap { Int($0.value.trimmingCharacters(in: .whitespaces)) }
            guard let days else {
                return try await page(
                    request, context, session: session, values: ["error_gdpr": "The review period must be a whole number of days."],
                    status: .unprocessableContent)
            }
            let scrubbed = pairs.filter { $0.name == "scrub" }.map(\.value)
            return try await save(request, context, session: session, section: .gdpr) {
                try JSONValue.of(GDPRConfiguration(anonymizeFields: scrubbed, reviewAfterDays: days))
            }
        }
    }

    @Sendable func saveVisibility(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context)
            return try await save(request, context, session: session, section: .visibility) {
                try JSONValue.of(VisibilityConfiguration(sharedCustomerCards: fields["shared"] == "on"))
            }
        }
    }
}
