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
            var ask = ListCompaniesRequest(q: q.isEmpty ? nil : q, limit: 50, cursor: request.uri.queryParameters.get("cursor"))
            ask.count = true
            let page: Page<Company>
            do {
                page = try await ui.call(M.listCompanies, ask, request, context)
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
                    "/companies?cursor=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next)"
                    + (q.isEmpty ? "" : "&q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            }
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
                let message = error.message.lowercased()
                let key =
                    message.contains("organisation")
                    ? "error_organisation_number"
                    : message.contains("phone") ? "error_phone" : message.contains("mail") ? "error_email" : "error_name"
                values[key] = error.message
                return ui.renderer.page(
                    "company_form", title: "New company", values: values, session: session, status: .unprocessableContent)
            }
        }
    }

    @Sendable func card(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }), id > 0 else {
                return ui.errorPage(.notFound("there is no such company"), session: session)
            }
            do {
                async let company = ui.call(M.getCompany, ContactIdRequest(id: id), request, context)
                async let links = ui.call(M.links, LinksRequest(companyId: id), request, context)
                async let notes = ui.call(M.listNotes, ListNotesRequest(companyId: id), request, context)
                var ask = ListCallsRequest()
                ask.companyId = id
                ask.limit = 20
                async let callPage = try? ui.call(TelephonyContract.Method.listCalls, ask, request, context)
                let (found, linked, noted) = try await (company, links, notes)
                let categoryValues = await categories.values(chosen: found.categoryIds, request, context)
                let calls = (await callPage?.items ?? []).map { call -> [String: Any] in
                    [
                        "at": call.startedAt.map { Timestamp.string(from: $0) } ?? "", "direction": call.direction,
                        "status": call.outcome ?? call.status, "duration": call.billsec.map { "\($0) s" } ?? "",
                    ]
                }
                var values: [String: Any] = [
                    "id": found.id, "name": found.name,
                    "phones": found.phones.map { ["number": $0.number] }, "emails": found.emails.map { ["address": $0.address] },
                    "contacts": linked.map { link -> [String: Any] in
                        var row: [String: Any] = ["contact_id": link.contactId, "name": link.contactName ?? "Contact \(link.contactId)"]
                        if let title = link.title { row["title"] = title }
                        return row
                    },
                    "no_contacts": linked.isEmpty,
                    "notes": noted.items.map { ["text": $0.text, "author": $0.author ?? "", "private": $0.private] },
                    "no_notes": noted.items.isEmpty,
                    "categories": categoryValues["categories"] ?? [], "chosen_categories": categoryValues["chosen_categories"] ?? [],
                    "calls": calls, "no_calls": calls.isEmpty,
                ]
                if let number = found.organisationNumber { values["organisation_number"] = number }
                if let city = found.visitingAddress?.city ?? found.postalAddress?.city { values["city"] = city }
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
                ]
                return ui.renderer.page("company_form", title: "Change \(company.name)", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
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
                let message = error.message.lowercased()
                let key =
                    message.contains("organisation")
                    ? "error_organisation_number"
                    : message.contains("phone") ? "error_phone" : message.contains("mail") ? "error_email" : "error_name"
                values[key] = error.message
                return ui.renderer.page(
                    "company_form", title: "Change company", values: values, session: session, status: .unprocessableContent)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
