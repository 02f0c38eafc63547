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
        router.post("/contacts/:id/notes", use: addNote)
        router.post("/contacts/:id/companies", use: linkCompany)
        router.post("/contacts/:id/categories", use: categories.set)
        router.post("/contacts/:id/companies/:company_id/unlink", use: unlinkCompany)
    }

    // MARK: - The list

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let q = request.uri.queryParameters.get("q")?.trimmingCharacters(in: .whitespaces) ?? ""
            var ask = ListContactsRequest(q: q.isEmpty ? nil : q, limit: 50, cursor: request.uri.queryParameters.get("cursor"))
            ask.count = true
            ask.sort = ["name", "created", "updated"].first { $0 == request.uri.queryParameters.get("sort") }
            let category = request.uri.queryParameters.get("category_id").flatMap { Int64($0) }
            ask.categoryId = category
            // The categories a contact can have, for the filter (a user without settings:read gets none).
            let categories =
                (try? await ui.call(
                    SettingsContract.Method.listReference, ListReferenceRequest(kind: .categories, active: true, appliesTo: "contact"),
                    request, context)) ?? []
            let page: Page<Contact>
            do {
                page = try await ui.call(M.list, ask, request, context)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
            var values = Self.listValues(page, q: q, sort: ask.sort)
            values["categories"] = categories.map { ["id": $0.id, "name": $0.name, "selected": $0.id == category] }
            values["has_categories"] = !categories.isEmpty
            if let category, let next = values["next"] as? String { values["next"] = next + "&category_id=\(category)" }
            // The script asks for the results alone as the user types.
            if request.uri.queryParameters.get("fragment") == "results" { return ui.renderer.fragment("contact_results", values: values) }
            return ui.renderer.page("contacts", title: "Contacts", values: values, session: session)
        }
    }

    static func listValues(_ page: Page<Contact>, q: String, sort: String?) -> [String: Any] {
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
            values["next"] = "/contacts?" + query
        }
        for option in ["name", "created", "updated"] { values["sort_\(option)"] = (sort ?? "created") == option }
        values["export_query"] = q.isEmpty ? "" : "?q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
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

    /// Which field of the form an error is about, from the place or words the service gave.
    static func field(of error: BusError) -> String {
        let message = error.message.lowercased()
        for (needle, field) in [
            ("phone", "phone"), ("e-mail", "email"), ("email", "email"), ("title", "title"), ("first", "first_name"), ("last", "last_name"),
            ("name", "first_name"),
        ] where message.contains(needle) {
            return field
        }
        return "form"
    }

    // MARK: - The card

    @Sendable func card(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }), id > 0 else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            let kind = request.uri.queryParameters.get("kind").flatMap { ["created", "updated", "call", "note"].contains($0) ? $0 : nil }
            do {
                async let contact = ui.call(M.get, ContactIdRequest(id: id), request, context)
                async let notes = ui.call(M.listNotes, ListNotesRequest(contactId: id), request, context)
                async let history = ui.call(M.history, HistoryRequest(contactId: id, limit: 20, kind: kind), request, context)
                async let links = ui.call(M.links, LinksRequest(contactId: id), request, context)
                var calls = ListCallsRequest()
                calls.contactId = id
                calls.limit = 20
                // The calls tab needs calls:read; a token without it still gets the rest of the card.
                async let callPage = try? ui.call(TelephonyContract.Method.listCalls, calls, request, context)
                var values = try await Self.cardValues(contact, notes: notes.items, history: history.items)
                values["companies"] = try await links.map { link -> [String: Any] in
                    var row: [String: Any] = ["company_id": link.companyId, "name": link.companyName ?? "Company \(link.companyId)"]
                    if let title = link.title { row["link_title"] = title }
                    return row
                }
                values["no_companies"] = (values["companies"] as? [Any])?.isEmpty ?? true
                let loggedCalls = await callPage?.items ?? []
                values["calls"] = loggedCalls.map { call -> [String: Any] in
                    [
                        "at": call.startedAt.map { Timestamp.string(from: $0) } ?? "", "direction": call.direction,
                        "status": call.outcome ?? call.status, "duration": call.billsec.map { "\($0) s" } ?? "", "user": call.user ?? "",
                    ]
                }
                values["no_calls"] = loggedCalls.isEmpty
                for option in ["created", "updated", "call", "note"] { values["kind_\(option)"] = kind == option }
                for (key, value) in await categories.values(chosen: try await contact.categoryIds, request, context) { values[key] = value }
                let customFields =
                    (try? await ui.call(
                        SettingsContract.Method.listFields, ListFieldsRequest(appliesTo: "contact", active: true), request, context)) ?? []
                for (key, value) in CustomFieldPages.values(fields: customFields, contact: try await contact) { values[key] = value }
                return ui.renderer.page("contact_card", title: try await contact.displayName, values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    static func cardValues(_ contact: Contact, notes: [Note], history: [HistoryEntry]) -> [String: Any] {
        var values: [String: Any] = [
            "id": contact.id, "name": contact.displayName.isEmpty ? "(no name)" : contact.displayName,
            "phones": contact.phones.map { ["number": $0.number, "kind": $0.kind] },
            "emails": contact.emails.map { ["address": $0.address] },
            "notes": notes.map { note -> [String: Any] in
                ["text": note.text, "author": note.author ?? "", "private": note.private, "at": Timestamp.string(from: note.createdAt)]
            },
            "no_notes": notes.isEmpty,
            "history": history.map { entry -> [String: Any] in
                var row: [String: Any] = ["summary": entry.summary, "at": Timestamp.string(from: entry.at), "kind": entry.kind]
                if let actor = entry.actor { row["actor"] = actor }
                return row
            },
            "created": Timestamp.string(from: contact.createdAt),
        ]
        // Mustache shows a section for any value, an empty text too: what is not there is left out.
        if let title = contact.title, !title.isEmpty { values["title"] = title }
        if let city = contact.address?.city, !city.isEmpty { values["city"] = city }
        if let number = contact.customerNumber { values["customer_number"] = String(number) }
        return values
    }

    @Sendable func addNote(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            let text = (fields["text"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty {
                do {
                    _ = try await ui.call(
                        M.createNote, CreateNoteRequest(contactId: id, text: text, private: fields["private"] == "on"), request, context)
                } catch let error as BusError {
                    return ui.errorPage(error, session: session)
                }
            }
            return PageRenderer.redirect("/contacts/\(id)#notes")
        }
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

    // MARK: - Companies of a contact

    @Sendable func linkCompany(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such contact"), session: session)
            }
            let name = (fields["company"] ?? "").trimmingCharacters(in: .whitespaces)
            do {
                // The company named (the first whose name or number matches), as the card's form asks.
                let found = try await ui.call(M.listCompanies, ListCompaniesRequest(q: name, limit: 1), request, context)
                guard let company = found.items.first, !name.isEmpty else {
                    return ui.errorPage(
                        .conflict("no company matches \u{201C}\(name)\u{201D}; add it under Companies first"), session: session)
                }
                var link = LinkRequest(contactId: id, companyId: company.id)
                let title = (fields["link_title"] ?? "").trimmingCharacters(in: .whitespaces)
                if !title.isEmpty { link.title = title }
                _ = try await ui.call(M.link, link, request, context)
                return PageRenderer.redirect("/contacts/\(id)#companies")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func unlinkCompany(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }),
                let company = context.parameters.get("company_id").flatMap({ Int64($0) })
            else {
                return ui.errorPage(.notFound("there is no such link"), session: session)
            }
            do {
                _ = try await ui.call(M.unlink, LinkRequest(contactId: id, companyId: company), request, context)
                return PageRenderer.redirect("/contacts/\(id)#companies")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
