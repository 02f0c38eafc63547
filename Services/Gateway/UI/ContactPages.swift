import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The contact list with search, a new contact, and a contact's card with its notes and history.
struct ContactPages: Sendable {
    typealias M = ContactsContract.Method
    let ui: WebUI
    var categories: CategoryChoice<Contact> { CategoryChoice(ui: ui, owner: "contacts", appliesTo: "contact", method: M.setCategories) }

    func register(on router: Router<GatewayContext>) {
        router.get("/contacts", use: list)
        router.get("/contacts/new", use: newForm)
        router.post("/contacts", use: create)
        router.get("/contacts/:id", use: card)
        router.get("/contacts/:id/edit", use: editForm)
        router.post("/contacts/:id", use: update)
        router.post("/contacts/:id/categories", use: categories.set)
    }

    // MARK: - The list

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let q = request.uri.queryParameters.get("q")?.trimmingCharacters(in: .whitespaces) ?? ""
            // The results alone (the script, as the user types) need no drop-down's choices.
            let fragment = request.uri.queryParameters.get("fragment") == "results"
            let (controls, chosen) = await SearchFilters(ui: ui, companies: false).resolve(request, context, controls: !fragment)
            let search = ([q] + chosen.words).filter { !$0.isEmpty }.joined(separator: " ")
            var ask = ListContactsRequest(q: search.isEmpty ? nil : search, limit: 50, cursor: request.uri.queryParameters.get("cursor"))
            ask.count = true
            ask.sort = ["name", "created", "updated"].first { $0 == request.uri.queryParameters.get("sort") }
            ask.categoryId = chosen.categoryId
            ask.sourceId = chosen.sourceId
            ask.roleId = chosen.roleId
            ask.ownerId = chosen.ownerId
            ask.companyId = chosen.companyId
            ask.city = chosen.city
            ask.customFields = chosen.customFields.isEmpty ? nil : chosen.customFields
            let page: Page<Contact>
            do {
                page =
                    chosen.nothing
                    ? Page(items: [], nextCursor: nil, count: 0, countExact: true) : try await ui.call(M.list, ask, request, context)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
            var values = Self.listValues(page, q: q, sort: ask.sort, filters: chosen.query)
            values["filters"] = controls
            // The export links carry the same search and filters, in the API's words.
            let exported: [(String, String?)] = [
                ("q", ask.q), ("sort", ask.sort), ("category_id", ask.categoryId.map(String.init)),
                ("source_id", ask.sourceId.map(String.init)),
                ("role_id", ask.roleId.map(String.init)), ("owner_id", ask.ownerId.map(String.init)),
                ("company_id", ask.companyId.map(String.init)), ("city", ask.city),
            ]
            let exportQuery = exported.compactMap { name, value in value.map { "\(name)=\(SearchFilters.encode($0))" } }.joined(
                separator: "&")
            values["export_query"] = exportQuery.isEmpty ? "" : "?" + exportQuery
            // The script asks for the results alone as the user types.
            if request.uri.queryParameters.get("fragment") == "results" { return ui.renderer.fragment("contact_results", values: values) }
            return ui.renderer.page("contacts", title: "Contacts", values: values, session: session)
        }
    }

    static func listValues(_ page: Page<Contact>, q: String, sort: String?, filters: String = "") -> [String: Any] {
        let rows: [[String: Any]] = page.items.map { contact in
            [
                "id": contact.id, "name": contact.displayName.isEmpty ? "(no name)" : contact.displayName, "title": contact.title ?? "",
                "email": contact.emails.first?.address ?? "", "phone": contact.phones.first?.number ?? "",
                "city": contact.address?.city ?? "",
            ]
        }
        let count = page.count ?? rows.count
        let counted = page.countExact == false ? "More than \(count)" : "\(count)"
        let noun = count == 1 && page.countExact != false ? "contact" : "contacts"
        var values: [String: Any] = [
            "rows": rows, "q": q, "empty": rows.isEmpty,
            "summary": q.isEmpty
                ? "\(counted) \(noun)" : "\(counted) \(noun) \(noun == "contact" ? "matches" : "match") \u{201C}\(q)\u{201D}",
        ]
        if let next = page.nextCursor {
            var query = "cursor=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next)
            if !q.isEmpty { query += "&q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
            if let sort { query += "&sort=" + sort }
            if !filters.isEmpty { query += "&" + filters }
            values["next"] = "/contacts?" + query
        }
        for option in ["name", "created", "updated"] { values["sort_\(option)"] = (sort ?? "created") == option }
        return values
    }

    // MARK: - A new contact

    @Sendable func newForm(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            ui.renderer.page("contact_form", title: "New contact", values: [:], session: session)
        }
    }

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            func field(_ name: String) -> String? {
                fields[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            var ask = CreateContactRequest(firstName: field("first_name"), lastName: field("last_name"), title: field("title"))
            if let phone = field("phone") { ask.phones = [PhoneInput(number: phone, kind: "mobile")] }
            if let email = field("email") { ask.emails = [EmailInput(address: email)] }
            let address = Self.address(fields)
            ask.address = address.isEmpty ? nil : address
            ask.birthday = field("birthday")
            do {
                let contact = try await ui.call(M.create, ask, request, context)
                return PageRenderer.redirect("/contacts/\(contact.id)")
            } catch let error as BusError where [.invalid, .conflict, .badRequest].contains(error.code) {
                // The form again, as it was filled in, with the error next to the field it is about.
                var values: [String: Any] = fields.filter { $0.key != "csrf" }
                values["error_\(Self.field(of: error))"] = error.message
                values["error"] = error.message
                return ui.renderer.page(
                    "contact_form", title: "New contact", values: values, session: session, status: .unprocessableContent)
            }
        }
    }

    /// The address fields of the form (empty ones left out).
    static func address(_ fields: [String: String]) -> Address {
        func field(_ name: String) -> String? {
            fields[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        return Address(
            street: field("street"), postalCode: field("postal_code"), city: field("city"), country: field("country")?.uppercased())
    }

    /// Which field of the form an error is about, from the place or words the service gave.
    static func field(of error: BusError) -> String {
        WebUI.field(
            of: error,
            among: [
                ("phone", "phone"), ("e-mail", "email"), ("email", "email"), ("birthday", "birthday"), ("country", "country"),
                ("title", "title"), ("first", "first_name"), ("last", "last_name"), ("name", "first_name"),
            ], otherwise: "form")
    }

    // MARK: - The card

    @Sendable func card(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard let customer = CustomerRef("contacts", context) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            let parts = CardParts(ui: ui)
            do {
                async let contact = ui.call(M.get, ContactIdRequest(id: customer.id), request, context)
                async let notes = parts.notes(of: customer, request, context)
                async let history = parts.history(of: customer, request, context)
                async let links = CardLinks(ui: ui).values(of: customer, request, context)
                async let calls = parts.calls(of: customer, request, context)
                async let customFields = try? ui.call(
                    SettingsContract.Method.listFields, ListFieldsRequest(appliesTo: "contact", active: true), request, context)
                let found = try await contact
                var values = Self.cardValues(found)
                for part in try await [notes, history, links, calls] { values.merge(part) { _, new in new } }
                values.merge(await categories.values(chosen: found.categoryIds, request, context)) { _, new in new }
                values.merge(CardParts.fieldValues(await customFields ?? [], values: found.customFields)) { _, new in new }
                let mobile = found.phones.first { $0.kind == "mobile" }?.number
                values.merge(await parts.messages(of: customer, addresses: found.emails.map(\.address), mobile: mobile, request, context)) {
                    _, new in new
                }
                values.merge(await parts.campaigns(of: customer, request, context)) { _, new in new }
                values.merge(await parts.deals(of: customer, isCustomer: found.consumer, request, context)) { _, new in new }
                values.merge(await parts.tasks(of: customer, request, context)) { _, new in new }
                values.merge(CardParts.bankValues(found.bankDetails, settings: nil, company: false)) { _, new in new }
                return ui.renderer.page("contact_card", title: found.displayName, values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    static func cardValues(_ contact: Contact) -> [String: Any] {
        var values: [String: Any] = [
            "id": contact.id, "path": "/contacts/\(contact.id)", "name": contact.displayName.isEmpty ? "(no name)" : contact.displayName,
            "phones": contact.phones.map { ["number": $0.number, "kind": $0.kind] },
            "emails": contact.emails.map { ["address": $0.address] },
            "created": Timestamp.string(from: contact.createdAt), "consumer": contact.consumer,
        ]
        // Mustache shows a section for any value, an empty text too: what is not there is left out.
        if let title = contact.title, !title.isEmpty { values["title"] = title }
        if let address = contact.address.flatMap(Self.addressLine) { values["address"] = address }
        if let birthday = contact.birthday, !birthday.isEmpty { values["birthday"] = birthday }
        if let number = contact.customerNumber { values["customer_number"] = String(number) }
        if let picture = contact.pictureFileId { values["picture_id"] = picture }
        return values
    }

    /// An address on one line: street, postal code and city, country.
    static func addressLine(_ address: Address) -> String? {
        let town = [address.postalCode, address.city].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        let line = [address.street, town, address.country].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        return line.isEmpty ? nil : line
    }

    // MARK: - Editing

    @Sendable func editForm(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            do {
                let contact = try await ui.call(M.get, ContactIdRequest(id: id), request, context)
                let values: [String: Any] = [
                    "id": id, "edit": true, "first_name": contact.firstName, "last_name": contact.lastName, "title": contact.title ?? "",
                    "email": contact.emails.first?.address ?? "", "phone": contact.phones.first?.number ?? "",
                    "street": contact.address?.street ?? "", "postal_code": contact.address?.postalCode ?? "",
                    "city": contact.address?.city ?? "", "country": contact.address?.country ?? "", "birthday": contact.birthday ?? "",
                ]
                return ui.renderer.page("contact_form", title: "Change \(contact.displayName)", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func update(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            func field(_ name: String) -> String { (fields[name] ?? "").trimmingCharacters(in: .whitespaces) }
            var ask = UpdateContactRequest(id: id)
            ask.firstName = field("first_name")
            ask.lastName = field("last_name")
            ask.title = field("title")
            // An emptied address or birthday is cleared.
            ask.address = Self.address(fields)
            ask.birthday = field("birthday")
            do {
                // The first phone and e-mail are the form's; the others stay as they are.
                let current = try await ui.call(M.get, ContactIdRequest(id: id), request, context)
                ask.phones = WebUI.replacingFirst(current.phones, with: field("phone"), kind: "mobile")
                ask.emails = WebUI.replacingFirst(current.emails, with: field("email"))
                _ = try await ui.call(M.update, ask, request, context)
                return PageRenderer.redirect("/contacts/\(id)")
            } catch let error as BusError where [.invalid, .conflict, .badRequest].contains(error.code) {
                var values: [String: Any] = fields.filter { $0.key != "csrf" }
                values["id"] = id
                values["edit"] = true
                values["error_\(Self.field(of: error))"] = error.message
                return ui.renderer.page(
                    "contact_form", title: "Change contact", values: values, session: session, status: .unprocessableContent)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
