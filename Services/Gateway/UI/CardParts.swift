import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// A contact or a company as the UI's paths name it: `/contacts/7`, `/companies/3`.
struct CustomerRef: Sendable {
    let kind: String
    let id: Int64
    var path: String { "/\(kind)/\(id)" }
    var isContact: Bool { kind == "contacts" }

    init(kind: String, id: Int64) {
        self.kind = kind
        self.id = id
    }

    init?(_ kind: String, _ context: GatewayContext) {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }), id > 0 else { return nil }
        self.init(kind: kind, id: id)
    }

    init?(of file: StoredFile) {
        if let contact = file.contactId {
            self.init(kind: "contacts", id: contact)
        } else if let company = file.companyId {
            self.init(kind: "companies", id: company)
        } else {
            return nil
        }
    }
}

/// The tabs every customer card has, the same for a contact and a company: the call log and
/// the history with their filters (from the card's query string), notes, bank details and
/// customer settings, and the additional information of custom fields. Each answers the values
/// of its partial template (`card_*.mustache`) and saves its form.
struct CardParts: Sendable {
    typealias M = ContactsContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.post("/contacts/:id/consents") { request, context in try await setConsent(request, context) }
        for kind in ["contacts", "companies"] {
            router.post("/\(kind)/:id/notes") { request, context in try await addNote(kind, request, context) }
            router.post("/\(kind)/:id/bank") { request, context in try await saveBank(kind, request, context) }
            router.post("/\(kind)/:id/fields") { request, context in try await saveFields(kind, request, context) }
            router.post("/\(kind)/:id/notes/:note/delete") { request, context in try await deleteNote(kind, request, context) }
            router.post("/\(kind)/:id/email") { request, context in try await sendEmail(kind, request, context) }
            router.post("/\(kind)/:id/sms") { request, context in try await sendSMS(kind, request, context) }
        }
    }

    // MARK: - Calls with their filters

    static var callStatuses: [String] { CallPages.statuses }

    /// The card's calls: `call_status`, `call_from`/`call_to` (days) and `call_user` (a user's id).
    func calls(of customer: CustomerRef, _ request: Request, _ context: GatewayContext) async -> [String: Any] {
        let query = request.uri.queryParameters
        var ask = ListCallsRequest()
        if customer.isContact { ask.contactId = customer.id } else { ask.companyId = customer.id }
        ask.limit = 20
        let status = query.get("call_status").flatMap { Self.callStatuses.contains($0) ? $0 : nil }
        ask.status = status
        let from = query.get("call_from").flatMap(Self.day), to = query.get("call_to").flatMap(Self.day)
        ask.from = from
        ask.to = to.map { $0.addingTimeInterval(86_400) }
        let user = query.get("call_user").flatMap { Int64($0) }
        ask.userId = user
        // The calls tab needs calls:read and the users list settings:read; the rest of the card
        // is shown to a token without them.
        async let page = try? ui.call(TelephonyContract.Method.listCalls, ask, request, context)
        async let users = try? ui.call(SettingsContract.Method.listUsers, ListUsersRequest(active: true), request, context)
        let calls = (await page?.items ?? []).map { call -> [String: Any] in
            [
                "at": call.startedAt.map { Timestamp.string(from: $0) } ?? "", "direction": call.direction,
                "status": call.outcome ?? call.status, "duration": call.billsec.map { "\($0) s" } ?? "", "user": call.user ?? "",
            ]
        }
        let known = await users ?? []
        return [
            "calls": calls, "no_calls": calls.isEmpty, "filtered_calls": status != nil || from != nil || to != nil || user != nil,
            "call_statuses": Self.callStatuses.map {
                ["value": $0, "label": $0.replacingOccurrences(of: "_", with: " "), "selected": $0 == status]
            },
            "call_from": query.get("call_from").flatMap { Self.day($0) == nil ? nil : $0 } ?? "",
            "call_to": query.get("call_to").flatMap { Self.day($0) == nil ? nil : $0 } ?? "",
            "call_users": known.map {
                ["user_id": $0.id, "user_name": $0.name.isEmpty ? $0.username : $0.name, "selected": $0.id == user]
            },
            "has_call_users": !known.isEmpty,
        ]
    }

    // MARK: - History with its filters

    static let historyKinds: [(String, String)] = [
        ("created", "Created"), ("updated", "Changes"), ("note", "Notes"), ("call", "Calls"), ("email", "E-mails"), ("sms", "SMS"),
        ("consent", "Consent"), ("deal", "Deals"), ("task", "Tasks"), ("appointment", "Appointments"), ("file", "Files"),
        ("linked", "Linked"),
        ("unlinked", "Unlinked"), ("merged", "Merged"), ("deleted", "Deleted"), ("restored", "Restored"),
    ]

    /// The card's history: `kind`, and `from`/`to` (days, both included).
    func history(of customer: CustomerRef, _ request: Request, _ context: GatewayContext) async throws -> [String: Any] {
        let query = request.uri.queryParameters
        let kind = query.get("kind").flatMap { wanted in Self.historyKinds.contains { $0.0 == wanted } ? wanted : nil }
        let from = query.get("from").flatMap(Self.day), to = query.get("to").flatMap(Self.day)
        let entries: [HistoryEntry]
        if customer.isContact {
            var ask = HistoryRequest(contactId: customer.id, limit: 20, kind: kind)
            ask.from = from
            ask.to = to.map { $0.addingTimeInterval(86_400) }
            entries = try await ui.call(M.history, ask, request, context).items
        } else {
            var ask = CompanyHistoryRequest(companyId: customer.id)
            ask.kind = kind
            ask.limit = 20
            ask.from = from
            ask.to = to.map { $0.addingTimeInterval(86_400) }
            entries = try await ui.call(M.companyHistory, ask, request, context).items
        }
        return [
            "history": entries.map { entry -> [String: Any] in
                var row: [String: Any] = ["summary": entry.summary, "at": Timestamp.string(from: entry.at), "kind": entry.kind]
                if let actor = entry.actor { row["actor"] = actor }
                return row
            },
            "no_history": entries.isEmpty,
            "history_kinds": Self.historyKinds.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == kind] },
            "history_from": from == nil ? "" : query.get("from") ?? "", "history_to": to == nil ? "" : query.get("to") ?? "",
        ]
    }

    /// A day as a date field sends it (`2026-11-27`), as the start of that day in UTC.
    static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    // MARK: - Notes

    func notes(of customer: CustomerRef, _ request: Request, _ context: GatewayContext) async throws -> [String: Any] {
        let ask = customer.isContact ? ListNotesRequest(contactId: customer.id) : ListNotesRequest(companyId: customer.id)
        let notes = try await ui.call(M.listNotes, ask, request, context).items
        return [
            "notes": notes.map { note -> [String: Any] in
                [
                    "note_id": note.id, "text": note.text, "author": note.author ?? "", "private": note.private,
                    "at": Timestamp.string(from: note.createdAt),
                ]
            },
            "no_notes": notes.isEmpty,
        ]
    }

    func addNote(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let customer = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            let text = (fields["text"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty {
                var ask = CreateNoteRequest(text: text, private: fields["private"] == "on")
                if customer.isContact { ask.contactId = customer.id } else { ask.companyId = customer.id }
                do {
                    _ = try await ui.call(M.createNote, ask, request, context)
                } catch let error as BusError {
                    return ui.errorPage(error, session: session)
                }
            }
            return PageRenderer.redirect("\(customer.path)#notes")
        }
    }

    /// Deletes a note (the service lets its author, or a boss, do so).
    func deleteNote(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let customer = CustomerRef(kind, context), let note = context.parameters.get("note").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such note"), session: session)
            }
            do {
                _ = try await ui.call(M.deleteNote, ContactIdRequest(id: note), request, context)
                return PageRenderer.redirect("\(customer.path)#notes")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    // MARK: - E-mail and SMS, campaigns and consent

    /// The customer's e-mails and SMS with their states (`messages:read`; without it the tab
    /// says so), and the addresses and mobile number the send forms offer.
    func messages(
        of customer: CustomerRef, addresses: [String], mobile: String?, _ request: Request, _ context: GatewayContext
    ) async -> [String: Any] {
        let ask = customer.isContact ? ListMessagesRequest(contactId: customer.id) : ListMessagesRequest(companyId: customer.id)
        let page = try? await ui.call(NotificationsContract.Method.listMessages, ask, request, context)
        let rows = (page?.items ?? []).map { message -> [String: Any] in
            let sms = message.channel == "sms"
            let received = message.state == "received"
            var row: [String: Any] = [
                "channel": sms ? "SMS" : "E-mail", "subject": sms ? message.text : message.subject, "state": message.state,
                "direction": received ? "from" : "to", "to": received ? message.from : message.to.joined(separator: ", "),
                "at": Timestamp.string(from: message.sentAt ?? message.createdAt), "author": message.author ?? "",
            ]
            if let error = message.error, !["sent", "delivered", "received"].contains(message.state) { row["problem"] = error }
            return row
        }
        return [
            "messages": rows, "no_messages": rows.isEmpty, "messages_readable": page != nil,
            "addresses": addresses.map { ["address": $0] }, "first_address": addresses.first ?? "", "first_mobile": mobile ?? "",
            "template_hint": customer.isContact
                ? "{{first_name}}, {{name}}, {{company}} and {{owner}} become the contact's name, company and owner. " : "",
        ]
    }

    /// The batches a contact was in (with their outcome) and their consents and opt-outs.
    func campaigns(of customer: CustomerRef, _ request: Request, _ context: GatewayContext) async -> [String: Any] {
        async let batches = try? ui.call(
            NotificationsContract.Method.customerBatches, ListBatchesRequest(contactId: customer.id), request, context)
        async let consent = try? ui.call(NotificationsContract.Method.consents, ConsentsRequest(contactId: customer.id), request, context)
        let campaigns = (await batches ?? []).map { entry -> [String: Any] in
            [
                "id": entry.batch.id ?? 0, "name": entry.batch.name, "state": entry.batch.state ?? "",
                "outcome": entry.outcome.replacingOccurrences(of: "_", with: " "),
                "created": entry.batch.createdAt.map { Timestamp.string(from: $0) } ?? "",
            ]
        }
        let state = await consent
        let consents = (state?.consents ?? []).map { consent -> [String: Any] in
            [
                "channel": consent.channel == "sms" ? "SMS" : "E-mail", "purpose": consent.purpose,
                "answer": consent.granted ? "yes" : "no",
                "source": consent.source.replacingOccurrences(of: "_", with: " "), "evidence": consent.evidence ?? "",
                "at": Timestamp.string(from: consent.recordedAt), "by": consent.recordedBy ?? "",
            ]
        }
        let optedOut = (state?.optedOut ?? []).map { optOut -> [String: Any] in
            [
                "address": optOut.address, "channel": optOut.channel == "sms" ? "SMS" : "e-mail",
                "source": optOut.source.replacingOccurrences(of: "_", with: " "), "detail": optOut.detail ?? "",
                "at": Timestamp.string(from: optOut.at),
            ]
        }
        return [
            "campaigns": campaigns, "no_campaigns": campaigns.isEmpty, "campaigns_readable": state != nil, "consents": consents,
            "opted_out": optedOut, "no_consents": consents.isEmpty && optedOut.isEmpty,
        ]
    }

    func sendEmail(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let customer = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            let to = (fields["to"] ?? "").split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }).map(String.init)
            var ask = SendEmailRequest(to: to, subject: fields["subject"] ?? "", text: fields["text"] ?? "")
            if customer.isContact { ask.contactId = customer.id } else { ask.companyId = customer.id }
            return try await send(NotificationsContract.Method.sendEmail, ask, to: customer, request, context, session)
        }
    }

    func sendSMS(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let customer = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            let number = (fields["to"] ?? "").trimmingCharacters(in: .whitespaces)
            var ask = SendSMSRequest(
                to: number.isEmpty ? nil : number, text: fields["text"] ?? "", purpose: fields["purpose"] == "marketing" ? "marketing" : nil
            )
            if customer.isContact { ask.contactId = customer.id } else { ask.companyId = customer.id }
            return try await send(NotificationsContract.Method.sendSMS, ask, to: customer, request, context, session)
        }
    }

    func setConsent(_ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let customer = CustomerRef("contacts", context) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            let evidence = (fields["evidence"] ?? "").trimmingCharacters(in: .whitespaces)
            let ask = SetConsentRequest(
                contactId: customer.id, channel: fields["channel"] ?? "", purpose: fields["purpose"] ?? "",
                granted: fields["granted"] == "true", source: fields["source"] ?? "", evidence: evidence.isEmpty ? nil : evidence)
            do {
                _ = try await ui.call(NotificationsContract.Method.setConsent, ask, request, context)
                return PageRenderer.redirect("\(customer.path)#campaigns")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    private func send<Q: Encodable>(
        _ method: BusMethod<Q, Message>, _ ask: Q, to customer: CustomerRef, _ request: Request, _ context: GatewayContext,
        _ session: UISession
    ) async throws -> Response {
        do {
            _ = try await ui.call(method, ask, request, context)
            return PageRenderer.redirect("\(customer.path)#messages")
        } catch let error as BusError {
            return ui.errorPage(error, session: session)
        }
    }

    // MARK: - Bank details and customer settings

    static func bankValues(_ bank: BankDetails?, settings: CustomerSettings?, company: Bool) -> [String: Any] {
        var values: [String: Any] = [
            "account_number": bank?.accountNumber ?? "", "iban": bank?.iban ?? "", "bic": bank?.bic ?? "",
            "bank_name": bank?.bankName ?? "",
            "has_bank": !(bank?.isEmpty ?? true), "has_customer_settings": company,
        ]
        if company {
            values["currency"] = settings?.currency ?? ""
            values["payment_terms"] = settings?.paymentTermsDays.map(String.init) ?? ""
            values["language"] = settings?.language ?? ""
            values["has_settings"] = !(settings?.isEmpty ?? true)
        }
        return values
    }

    func saveBank(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let customer = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            func field(_ name: String) -> String? {
                fields[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            let bank = BankDetails(
                accountNumber: field("account_number"), iban: field("iban"), bic: field("bic"), bankName: field("bank_name"))
            do {
                if customer.isContact {
                    var ask = UpdateContactRequest(id: customer.id)
                    ask.bankDetails = bank
                    _ = try await ui.call(M.update, ask, request, context)
                } else {
                    var ask = CompanyInput()
                    ask.id = customer.id
                    ask.bankDetails = bank
                    var terms: Int?
                    if let given = field("payment_terms") {
                        guard let days = Int(given), (0...3650).contains(days) else {
                            return ui.errorPage(.invalid("payment terms must be a whole number of days (0 to 3650)"), session: session)
                        }
                        terms = days
                    }
                    ask.customerSettings = CustomerSettings(
                        currency: field("currency")?.uppercased(), paymentTermsDays: terms, language: field("language")?.lowercased())
                    _ = try await ui.call(M.updateCompany, ask, request, context)
                }
                return PageRenderer.redirect("\(customer.path)#bank")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    // MARK: - Additional information (custom fields)

    /// The custom fields of a contact or a company in groups: "Additional information" for the
    /// fields without a tab of their own, then one group per field that asks for its own tab.
    static func fieldValues(_ fields: [CustomField], values: [String: JSONValue]) -> [String: Any] {
        let rows: [(field: CustomField, row: [String: Any])] = fields.filter(\.active).map { field in
            let value = values[field.key]
            var row: [String: Any] = [
                "key": field.key, "label": field.label, "input_id": "field-" + field.key, "required": field.required,
                "shown": CustomFieldText.text(value), "value": CustomFieldText.text(value),
            ]
            switch field.type {
            case "number": row["number"] = true
            case "date": row["date"] = true
            case "yes_no":
                row["yes_no"] = true
                row["checked"] = value == .bool(true)
            case "choice", "multiple_choice":
                row[field.type == "choice" ? "choice" : "multiple"] = true
                let chosen = Set(CustomFieldText.strings(value))
                row["options"] = field.options.enumerated().map { index, option in
                    ["option": option, "selected": chosen.contains(option), "option_id": "field-\(field.key)-\(index)"]
                }
            default: row["text"] = true
            }
            return (field, row)
        }
        var groups: [[String: Any]] = []
        let shared = rows.filter { !$0.field.ownTab }
        if !shared.isEmpty {
            groups.append(Self.group(anchor: "additional", title: "Additional information", rows: shared))
        }
        for item in rows where item.field.ownTab {
            groups.append(Self.group(anchor: "field-tab-" + item.field.key, title: item.field.label, rows: [item]))
        }
        return ["field_groups": groups, "has_custom_fields": !groups.isEmpty]
    }

    private static func group(anchor: String, title: String, rows: [(field: CustomField, row: [String: Any])]) -> [String: Any] {
        [
            "anchor": anchor, "group_title": title, "group_fields": rows.map(\.row),
            "group_action": anchor == "additional" ? "additional information" : title,
            "group_keys": rows.map(\.field.key).joined(separator: ","),
        ]
    }

    /// Saves one group's fields (named by the form's `keys`); the others stay as they are.
    func saveFields(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let pairs = try await ui.formPairs(request, context, limit: 1 << 18)
            guard let customer = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            let keys = Set((pairs.first { $0.name == "keys" }?.value ?? "").split(separator: ",").map(String.init))
            let anchor = pairs.first { $0.name == "anchor" }?.value ?? "additional"
            do {
                let fields = try await ui.call(
                    SettingsContract.Method.listFields,
                    ListFieldsRequest(appliesTo: customer.isContact ? "contact" : "company", active: true), request, context)
                var changes: [String: JSONValue] = [:]
                for field in fields where keys.contains(field.key) {
                    let given = pairs.filter { $0.name == "cf_" + field.key }.map(\.value)
                    changes[field.key] = try CustomFieldText.value(of: field, given: given)
                }
                if customer.isContact {
                    var ask = UpdateContactRequest(id: customer.id)
                    ask.customFields = changes
                    _ = try await ui.call(M.update, ask, request, context)
                } else {
                    var ask = CompanyInput()
                    ask.id = customer.id
                    ask.customFields = changes
                    _ = try await ui.call(M.updateCompany, ask, request, context)
                }
                let safeAnchor = anchor.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } ? anchor : "additional"
                return PageRenderer.redirect("\(customer.path)#\(safeAnchor)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}

/// A custom field's value as text for a page, and a form's text as the value its type takes.
enum CustomFieldText {
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

    static func value(of field: CustomField, given: [String]) throws -> JSONValue {
        let first = given.first?.trimmingCharacters(in: .whitespaces) ?? ""
        switch field.type {
        case "yes_no": return .bool(first == "on")
        case "multiple_choice": return given.isEmpty ? .null : .array(given.map(JSONValue.string))
        case "number":
            if first.isEmpty { return .null }
            if let number = Int64(first) { return .int(number) }
            if let number = Double(first.replacingOccurrences(of: ",", with: ".")), number.isFinite { return .double(number) }
            throw BusError.invalid("\(field.label) must be a number")
        default: return first.isEmpty ? .null : .string(first)
        }
    }
}

/// The links between contacts and companies on either card: listed with title and role,
/// linked by the other's name (or organisation number), unlinked.
struct CardLinks: Sendable {
    typealias M = ContactsContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        for kind in ["contacts", "companies"] {
            router.post("/\(kind)/:id/links") { request, context in try await link(kind, request, context) }
            router.post("/\(kind)/:id/links/:other/unlink") { request, context in try await unlink(kind, request, context) }
        }
    }

    func values(of customer: CustomerRef, _ request: Request, _ context: GatewayContext) async throws -> [String: Any] {
        let ask = customer.isContact ? LinksRequest(contactId: customer.id) : LinksRequest(companyId: customer.id)
        async let found = ui.call(M.links, ask, request, context)
        // Roles are settings' reference data; a token without settings:read links without one.
        async let roleItems = try? ui.call(
            SettingsContract.Method.listReference, ListReferenceRequest(kind: .roles), request, context)
        let roles = await roleItems ?? []
        let names = Dictionary(roles.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let links = try await found.map { link -> [String: Any] in
            var row: [String: Any] =
                customer.isContact
                ? [
                    "other_id": link.companyId, "other_path": "/companies/\(link.companyId)",
                    "other_name": link.companyName ?? "Company \(link.companyId)",
                ]
                : [
                    "other_id": link.contactId, "other_path": "/contacts/\(link.contactId)",
                    "other_name": link.contactName ?? "Contact \(link.contactId)",
                ]
            if let title = link.title, !title.isEmpty { row["link_title"] = title }
            if let role = link.roleId { row["link_role"] = names[role] ?? "role \(role)" }
            return row
        }
        return [
            "links": links, "no_links": links.isEmpty, "links_title": customer.isContact ? "Companies" : "Contacts",
            "no_links_text": customer.isContact ? "Not linked to a company." : "No contacts are linked to this company.",
            "link_other_label": customer.isContact ? "Company" : "Contact",
            "link_other_hint": customer.isContact ? "Name or organisation number" : "Name, e-mail or phone",
            "roles": roles.filter(\.active).map { ["role_id": $0.id, "role_name": $0.name] }, "has_roles": roles.contains(where: \.active),
        ]
    }

    func link(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let customer = CustomerRef(kind, context) else {
                return ui.errorPage(.notFound("there is no such customer"), session: session)
            }
            let name = (fields["other"] ?? "").trimmingCharacters(in: .whitespaces)
            do {
                // The first whose name (or number) matches, as the card's form asks.
                let other: Int64?
                if name.isEmpty {
                    other = nil
                } else if customer.isContact {
                    other = try await ui.call(M.listCompanies, ListCompaniesRequest(q: name, limit: 1), request, context).items.first?.id
                } else {
                    other = try await ui.call(M.list, ListContactsRequest(q: name, limit: 1), request, context).items.first?.id
                }
                guard let other else {
                    let what = customer.isContact ? "company" : "contact"
                    return ui.errorPage(
                        .conflict("no \(what) matches \u{201C}\(name)\u{201D}; add it first"), session: session)
                }
                var link =
                    customer.isContact
                    ? LinkRequest(contactId: customer.id, companyId: other) : LinkRequest(contactId: other, companyId: customer.id)
                let title = (fields["link_title"] ?? "").trimmingCharacters(in: .whitespaces)
                if !title.isEmpty { link.title = title }
                link.roleId = fields["role_id"].flatMap { Int64($0) }
                _ = try await ui.call(M.link, link, request, context)
                return PageRenderer.redirect("\(customer.path)#links")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    func unlink(_ kind: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let customer = CustomerRef(kind, context), let other = context.parameters.get("other").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such link"), session: session)
            }
            let link =
                customer.isContact
                ? LinkRequest(contactId: customer.id, companyId: other) : LinkRequest(contactId: other, companyId: customer.id)
            do {
                _ = try await ui.call(M.unlink, link, request, context)
                return PageRenderer.redirect("\(customer.path)#links")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
