import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// The filters of the contact and company lists, as settings' search configuration names them:
/// each field offered as a drop-down (its values: reference data, users, the cities customers
/// are in) or as free text, in the configured order. A field a list cannot filter on is left
/// out (an industry on the contact list); the free-text name, e-mail and phone fields narrow
/// the list's search. A filter's value travels in the query string as `f_<field>`.
struct SearchFilters: Sendable {
    let ui: WebUI
    let companies: Bool

    /// What the list request gets from the filters.
    struct Chosen {
        var categoryId: Int64?
        var sourceId: Int64?
        var roleId: Int64?
        var ownerId: Int64?
        var industryId: Int64?
        var statusId: Int64?
        var companyId: Int64?
        var city: String?
        var kind: String?
        /// Custom fields' values by key.
        var customFields: [String: String] = [:]
        /// Words added to the search (free-text name, e-mail, phone fields).
        var words: [String] = []
        /// A filter whose value names nothing (no category of that name): the list is empty.
        var nothing = false
        /// The filters' part of a query string (`f_city=Bergen&f_category=3`), for paging and export links.
        var query = ""
    }

    /// Fields whose free text goes into the list's search.
    private static let searchWords: Set<String> = ["name", "first_name", "last_name", "email", "phone", "organisation_number"]

    private var supported: Set<String> {
        companies
            ? ["city", "category", "industry", "status", "source", "owner", "kind"]
            : ["city", "category", "source", "role", "owner", "company"]
    }

    /// The filter controls for the page, and what they ask of the list. Without `controls` (the
    /// results alone, as the script asks while the user types) no drop-down's choices are fetched.
    func resolve(
        _ request: Request, _ context: GatewayContext, controls wanted: Bool = true
    ) async -> (
        controls: [[String: Any]], chosen: Chosen
    ) {
        let configured =
            (try? await ui.call(SettingsContract.Method.getConfiguration, ConfigurationRequest(section: .search), request, context))
            .flatMap { try? $0.decode(SearchConfiguration.self) }?.fields ?? []
        // Custom fields named by the configuration: their definitions give labels and choices.
        let builtin = Set(SettingsContract.searchableFields)
        var custom: [String: CustomField] = [:]
        if configured.contains(where: { !builtin.contains($0.field) }),
            let defined = try? await ui.call(
                SettingsContract.Method.listFields, ListFieldsRequest(appliesTo: companies ? "company" : "contact", active: true), request,
                context)
        {
            custom = Dictionary(defined.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let fields = configured.filter {
            supported.contains($0.field) || (Self.searchWords.contains($0.field) && $0.mode == "text") || custom[$0.field] != nil
        }
        let given = Dictionary(
            fields.map { ($0.field, (request.uri.queryParameters.get("f_" + $0.field) ?? "").trimmingCharacters(in: .whitespaces)) },
            uniquingKeysWith: { first, _ in first })
        // The choices to fetch, all at once: the drop-downs to show, and the items a free-text
        // value names.
        let needed = fields.filter { field in
            guard !Self.searchWords.contains(field.field), custom[field.field] == nil,
                !["city", "kind", "company"].contains(field.field) || field.mode == "dropdown"
            else {
                return false
            }
            return field.mode == "dropdown" ? wanted : !(given[field.field] ?? "").isEmpty
        }.map(\.field)
        let choices = await withTaskGroup(of: (String, [(value: String, label: String)]?).self) { group in
            for field in needed { group.addTask { (field, await self.options(field, request, context)) } }
            var all: [String: [(value: String, label: String)]] = [:]
            for await (field, options) in group { if let options { all[field] = options } }
            return all
        }
        var chosen = Chosen()
        var controls: [[String: Any]] = []
        var pairs: [(String, String)] = []
        for field in fields {
            let value = given[field.field] ?? ""
            if !value.isEmpty { pairs.append(("f_" + field.field, value)) }
            let label = custom[field.field]?.label ?? Self.label(field.field)
            var control: [String: Any] = ["field": field.field, "label": label, "input_id": "filter-" + field.field, "value": value]
            defer { controls.append(control) }
            if let definition = custom[field.field] {
                // A custom field: its own options, yes or no, or the text as written.
                let options: [(String, String)]? =
                    definition.type.hasSuffix("choice")
                    ? definition.options.map { ($0, $0) } : definition.type == "yes_no" ? [("true", "yes"), ("false", "no")] : nil
                if field.mode == "dropdown", let options {
                    control["dropdown"] = true
                    control["options"] = options.map { ["option_value": $0.0, "option_label": $0.1, "selected": $0.0 == value] }
                } else {
                    control["text"] = true
                }
                if !value.isEmpty { chosen.customFields[definition.key] = value }
                continue
            }
            if Self.searchWords.contains(field.field) {
                if !value.isEmpty { chosen.words.append(value) }
                control["text"] = true
                continue
            }
            if field.mode == "dropdown", wanted ? choices[field.field] != nil : true, !["company"].contains(field.field) {
                control["dropdown"] = true
                control["options"] = (choices[field.field] ?? []).map {
                    ["option_value": $0.value, "option_label": $0.label, "selected": $0.value == value]
                }
                if !value.isEmpty { apply(field.field, value: value, to: &chosen) }
                continue
            }
            control["text"] = true
            guard !value.isEmpty else { continue }
            // Free text names an item by its name (or a city as it is written).
            if ["city", "kind"].contains(field.field) {
                apply(field.field, value: field.field == "kind" ? value.lowercased() : value, to: &chosen)
            } else if field.field == "company" {
                let found = try? await ui.call(
                    ContactsContract.Method.listCompanies, ListCompaniesRequest(q: value, limit: 1), request, context)
                if let company = found?.items.first { chosen.companyId = company.id } else { chosen.nothing = true }
            } else if let match = (choices[field.field] ?? []).first(where: {
                $0.label.compare(value, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame
            }) {
                apply(field.field, value: match.value, to: &chosen)
            } else {
                chosen.nothing = true
                control["problem"] = "No \(label.lowercased()) is named \u{201C}\(value)\u{201D}."
            }
        }
        chosen.query = pairs.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        return (controls, chosen)
    }

    private func apply(_ field: String, value: String, to chosen: inout Chosen) {
        let id = Int64(value)
        switch field {
        case "category": chosen.categoryId = id
        case "source": chosen.sourceId = id
        case "role": chosen.roleId = id
        case "owner": chosen.ownerId = id
        case "industry": chosen.industryId = id
        case "status": chosen.statusId = id
        case "city": chosen.city = value
        case "kind": if Company.kindValues.contains(value) { chosen.kind = value } else { chosen.nothing = true }
        default: break
        }
        if ["category", "source", "role", "owner", "industry", "status"].contains(field), id == nil { chosen.nothing = true }
    }

    /// A drop-down's choices (value, label), or nil when the field has none to offer (or the
    /// user may not read them: then it is free text).
    private func options(_ field: String, _ request: Request, _ context: GatewayContext) async -> [(value: String, label: String)]? {
        let reference: ReferenceKind?
        switch field {
        case "category": reference = .categories
        case "source": reference = .sources
        case "role": reference = .roles
        case "industry": reference = .industries
        case "status": reference = .companyStatuses
        default: reference = nil
        }
        if let reference {
            var ask = ListReferenceRequest(kind: reference, active: true)
            if reference == .categories { ask.appliesTo = companies ? "company" : "contact" }
            guard let items = try? await ui.call(SettingsContract.Method.listReference, ask, request, context) else { return nil }
            return items.map { (String($0.id), $0.name) }
        }
        switch field {
        case "owner":
            guard let users = try? await ui.call(SettingsContract.Method.listUsers, ListUsersRequest(active: true), request, context)
            else { return nil }
            return users.map { (String($0.id), $0.name.isEmpty ? $0.username : $0.name) }
        case "city":
            guard let cities = try? await ui.call(ContactsContract.Method.cities, CitiesRequest(companies: companies), request, context)
            else { return nil }
            return cities.map { ($0, $0) }
        case "kind":
            return Company.kindValues.map { ($0, $0.capitalized) }
        default:
            return nil
        }
    }

    static func label(_ field: String) -> String {
        switch field {
        case "first_name": return "First name"
        case "last_name": return "Last name"
        case "email": return "E-mail"
        case "organisation_number": return "Organisation number"
        default: return field.prefix(1).uppercased() + field.dropFirst()
        }
    }

    static func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
}
