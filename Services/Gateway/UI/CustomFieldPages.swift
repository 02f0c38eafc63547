import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// A contact's additional information: the custom fields an administrator made for contacts,
/// each shown with its value and edited with the control its type asks for.
struct CustomFieldPages: Sendable {
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.post("/contacts/:id/fields", use: save)
    }

    /// The fields and values for the card: one group per field with its own tab, the rest together.
    static func values(fields: [CustomField], contact: Contact) -> [String: Any] {
        let rows: [[String: Any]] = fields.filter(\.active).map { field in
            let value = contact.customFields[field.key]
            var row: [String: Any] = [
                "key": field.key, "label": field.label, "input_id": "field-" + field.key, "required": field.required,
                "shown": Self.text(value), "own_tab": field.ownTab,
            ]
            switch field.type {
            case "number": row["number"] = true
            case "date": row["date"] = true
            case "yes_no":
                row["yes_no"] = true
                row["checked"] = value == .bool(true)
            case "choice", "multiple_choice":
                row[field.type == "choice" ? "choice" : "multiple"] = true
                let chosen = Set(Self.strings(value))
                row["options"] = field.options.enumerated().map { index, option in
                    ["option": option, "selected": chosen.contains(option), "option_id": "field-\(field.key)-\(index)"]
                }
            default: row["text"] = true
            }
            row["value"] = Self.text(value)
            return row
        }
        return ["custom_fields": rows, "has_custom_fields": !rows.isEmpty]
    }

    static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let text): return [text]
        case .array(let items): return items.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
        default: return []
        }
    }

    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let yes): return yes ? "yes" : "no"
        case .array: return strings(value).joined(separator: ", ")
        default: return ""
        }
    }

    @Sendable func save(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let pairs = try await ui.formPairs(request, context, limit: 1 << 18)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            do {
                let fields = try await ui.call(
                    SettingsContract.Method.listFields, ListFieldsRequest(appliesTo: "contact", active: true), request, context)
                var changes: [String: JSONValue] = [:]
                for field in fields {
                    let given = pairs.filter { $0.name == "cf_" + field.key }.map(\.value)
                    let first = given.first?.trimmingCharacters(in: .whitespaces) ?? ""
                    switch field.type {
                    case "yes_no": changes[field.key] = .bool(first == "on")
                    case "multiple_choice": changes[field.key] = given.isEmpty ? .null : .array(given.map(JSONValue.string))
                    case "number":
                        if first.isEmpty {
                            changes[field.key] = .null
                        } else if let number = Int64(first) {
                            changes[field.key] = .int(number)
                        } else if let number = Double(first.replacingOccurrences(of: ",", with: ".")), number.isFinite {
                            changes[field.key] = .double(number)
                        } else {
                            return ui.errorPage(.invalid("\(field.label) must be a number"), session: session)
                        }
                    default: changes[field.key] = first.isEmpty ? .null : .string(first)
                    }
                }
                var ask = UpdateContactRequest(id: id)
                ask.customFields = changes
                _ = try await ui.call(ContactsContract.Method.update, ask, request, context)
                return PageRenderer.redirect("/contacts/\(id)#additional")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
