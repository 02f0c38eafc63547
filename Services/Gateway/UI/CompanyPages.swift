import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The company list with search, a new company, and a company's card with its contacts.
struct CompanyPages: Sendable {
    typealias M = ContactsContract.Method
    let ui: WebUI
    var categories: CategoryChoice<Company> {
        CategoryChoice(ui: ui, owner: "companies", appliesTo: "company", method: M.setCompanyCategories)
    }

    func register(on router: Router<GatewayContext>) {
        router.get("/companies", use: list)
        router.get("/companies/new", use: newForm)
        router.post("/companies", use: create)
        router.get("/companies/:id", use: card)
        router.get("/companies/:id/edit", use: editForm)
        router.post("/companies/:id", use: update)
        router.post("/companies/:id/categories", use: categories.set)
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let q = request.uri.queryParameters.get("q")?.trimmingCharacters(in: .whitespaces) ?? ""
            // The results alone (the script, as the user types) need no drop-down's choices.
            let fragment = request.uri.queryParameters.get("fragment") == "results"
            let (controls, chosen) = await SearchFilters(ui: ui, companies: true).resolve(request, context, controls: !fragment)
            let search = ([q] + chosen.words).filter { !$0.isEmpty }.joined(separator: " ")
            var ask = ListCompaniesRequest(q: search.isEmpty ? nil : search, limit: 50, cursor: request.uri.queryParameters.get("cursor"))
            ask.count = true
            ask.sort = ["name", "created", "updated"].first { $0 == request.uri.queryParameters.get("sort") }
            ask.categoryId = chosen.categoryId
            ask.industryId = chosen.industryId
            ask.statusId = chosen.statusId
            ask.sourceId = chosen.sourceId
            ask.ownerId = chosen.ownerId
            ask.city = chosen.city
            ask.customFields = chosen.customFields.isEmpty ? nil : chosen.customFields
            ask.kind = chosen.kind
            let page: Page<Company>
            do {
                page =
                    chosen.nothing
                    ? Page(items: [], nextCursor: nil, count: 0, countExact: true)
                    : try await ui.call(M.listCompanies, ask, request, context)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
            let rows: [[String: Any]] = page.items.map { company in
                [
                    "id": company.id, "name": company.name, "number": company.organisationNumber ?? "",
                    "city": company.visitingAddress?.city ?? company.postalAddress?.city ?? "", "phone": company.phones.first?.number ?? "",
                ]
            }
            let count = page.count ?? rows.count
            var values: [String: Any] = [
                "rows": rows, "q": q, "empty": rows.isEmpty,
                "summary": "\(page.countExact == false ? "More than \(count)" : "\(count)") \(count == 1 ? "company" : "companies")"
                    + (q.isEmpty ? "" : " for \u{201C}\(q)\u{201D}"),
            ]
            if let next = page.nextCursor {
                values["next"] =
                    "/companies?cursor=\(SearchFilters.encode(next))" + (q.isEmpty ? "" : "&q=\(SearchFilters.encode(q))")
                    + (ask.sort.map { "&sort=" + $0 } ?? "") + (chosen.query.isEmpty ? "" : "&" + chosen.query)
            }
            values["filters"] = controls
            for option in ["name", "created", "updated"] { values["sort_\(option)"] = (ask.sort ?? "created") == option }
            let exported: [(String, String?)] = [
                ("q", ask.q), ("sort", ask.sort), ("kind", ask.kind), ("category_id", ask.categoryId.map(String.init)),
                ("industry_id", ask.industryId.map(String.init)), ("status_id", ask.statusId.map(String.init)),
                ("source_id", ask.sourceId.map(String.init)), ("owner_id", ask.ownerId.map(String.init)), ("city", ask.city),
            ]
            let exportQuery = exported.compactMap { name, value in value.map { "\(name)=\(SearchFilters.encode($0))" } }.joined(
                separator: "&")
            values["export_query"] = exportQuery.isEmpty ? "" : "?" + exportQuery
            if request.uri.queryParameters.get("fragment") == "results" { return ui.renderer.fragment("company_results", values: values) }
            return ui.renderer.page("companies", title: "Companies", values: values, session: session)
        }
    }

    @Sendable func newForm(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            ui.renderer.page("company_form", title: "New company", values: [:], session: session)
        }
    }

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            func field(_ name: String) -> String? {
                fields[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            var ask = CompanyInput()
            ask.name = field("name")
            ask.organisationNumber = field("organisation_number")
            if let phone = field("phone") { ask.phones = [PhoneInput(number: phone, kind: "work")] }
            if let email = field("email") { ask.emails = [EmailInput(address: email)] }
            ask.website = field("website")
            let address = ContactPages.address(fields)
            ask.visitingAddress = address.isEmpty ? nil : address
            guard ask.name != nil else {
                var values: [String: Any] = fields.filter { $0.key != "csrf" }
                values["error_name"] = "A company needs a name."
                return ui.renderer.page(
                    "company_form", title: "New company", values: values, session: session, status: .unprocessableContent)
            }
            do {
                let company = try await ui.call(M.createCompany, ask, request, context)
                return PageRenderer.redirect("/companies/\(company.id)")
            } catch let error as BusError where [.invalid, .conflict, .badRequest].contains(error.code) {
                var values: [String: Any] = fields.filter { $0.key != "csrf" }
                values["error_\(Self.field(of: error))"] = error.message
                return ui.renderer.page(
                    "company_form", title: "New company", values: values, session: session, status: .unprocessableContent)
            }
        }
    }

    @Sendable func card(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard let customer = CustomerRef("companies", context) else {
                return ui.errorPage(.notFound("there is no such company"), session: session)
            }
            let parts = CardParts(ui: ui)
            do {
                async let company = ui.call(M.getCompany, ContactIdRequest(id: customer.id), request, context)
                async let notes = parts.notes(of: customer, request, context)
                async let history = parts.history(of: customer, request, context)
                async let links = CardLinks(ui: ui).values(of: customer, request, context)
                async let calls = parts.calls(of: customer, request, context)
                async let customFields = try? ui.call(
                    SettingsContract.Method.listFields, ListFieldsRequest(appliesTo: "company", active: true), request, context)
                let found = try await company
                var values: [String: Any] = [
                    "id": found.id, "path": customer.path, "name": found.name,
                    "phones": found.phones.map { ["number": $0.number] }, "emails": found.emails.map { ["address": $0.address] },
                ]
                if let number = found.organisationNumber { values["organisation_number"] = number }
                if let website = found.website, !website.isEmpty { values["website"] = website }
                if let visiting = found.visitingAddress.flatMap(ContactPages.addressLine) { values["visiting"] = visiting }
                if let postal = found.postalAddress.flatMap(ContactPages.addressLine) { values["postal"] = postal }
                if let number = found.customerNumber { values["customer_number"] = String(number) }
                for part in try await [notes, history, links, calls] { values.merge(part) { _, new in new } }
                values.merge(await categories.values(chosen: found.categoryIds, request, context)) { _, new in new }
                values.merge(CardParts.fieldValues(await customFields ?? [], values: found.customFields)) { _, new in new }
                let mobile = found.phones.first { $0.kind == "mobile" }?.number
                values.merge(await parts.messages(of: customer, addresses: found.emails.map(\.address), mobile: mobile, request, context)) {
                    _, new in new
                }
                values.merge(await parts.deals(of: customer, request, context)) { _, new in new }
                values.merge(await parts.tasks(of: customer, request, context)) { _, new in new }
                values.merge(CardParts.bankValues(found.bankDetails, settings: found.customerSettings, company: true)) { _, new in new }
                return ui.renderer.page("company_card", title: found.name, values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func editForm(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such company"), session: session)
            }
            do {
                let company = try await ui.call(M.getCompany, ContactIdRequest(id: id), request, context)
                let values: [String: Any] = [
                    "id": id, "edit": true, "name": company.name, "organisation_number": company.organisationNumber ?? "",
                    "email": company.emails.first?.address ?? "", "phone": company.phones.first?.number ?? "",
                    "website": company.website ?? "", "street": company.visitingAddress?.street ?? "",
                    "postal_code": company.visitingAddress?.postalCode ?? "", "city": company.visitingAddress?.city ?? "",
                    "country": company.visitingAddress?.country ?? "",
                ]
                return ui.renderer.page("company_form", title: "Change \(company.name)", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// Which field of the company form an error is about.
    static func field(of error: BusError) -> String {
        WebUI.field(
            of: error, among: [("organisation", "organisation_number"), ("phone", "phone"), ("mail", "email"), ("website", "website")],
            otherwise: "name")
    }

    @Sendable func update(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such company"), session: session)
            }
            func field(_ name: String) -> String { (fields[name] ?? "").trimmingCharacters(in: .whitespaces) }
            var ask = CompanyInput(name: field("name"))
            ask.id = id
            // "" clears the organisation number; the first phone and e-mail are the form's.
            ask.organisationNumber = field("organisation_number")
            ask.website = field("website")
            ask.visitingAddress = ContactPages.address(fields)
            do {
                let current = try await ui.call(M.getCompany, ContactIdRequest(id: id), request, context)
                ask.phones = WebUI.replacingFirst(current.phones, with: field("phone"), kind: "work")
                ask.emails = WebUI.replacingFirst(current.emails, with: field("email"))
                _ = try await ui.call(M.updateCompany, ask, request, context)
                return PageRenderer.redirect("/companies/\(id)")
            } catch let error as BusError where [.invalid, .conflict, .badRequest].contains(error.code) {
                var values: [String: Any] = fields.filter { $0.key != "csrf" }
                values["id"] = id
                values["edit"] = true
                values["error_\(Self.field(of: error))"] = error.message
                return ui.renderer.page(
                    "company_form", title: "Change company", values: values, session: session, status: .unprocessableContent)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
