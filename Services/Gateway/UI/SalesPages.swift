import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The sales board (a column per open status with its totals per currency; cards dragged
/// between columns or moved with their "Move to" select; filters by project, owner and period),
/// a deal's page (its fields, win, lose, reopen, its stage history), a new deal from a
/// customer's card, and the forecast.
struct SalesPages: Sendable {
    typealias M = SalesContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/sales/board", use: board)
        router.get("/sales/forecast", use: forecast)
        router.post("/deals", use: create)
        router.get("/deals/:id", use: show)
        router.post("/deals/:id", use: edit)
        router.post("/deals/:id/move", use: move)
        for action in ["won", "lost", "reopen", "postpone"] {
            router.post("/deals/:id/\(action)") { request, context in try await close(action, request, context) }
        }
    }

    // MARK: - Money as people read and type it

    /// `1250000` NOK as `12 500.00 NOK`.
    static func amount(_ minor: Int64, _ currency: String) -> String { "\(MinorUnits.text(minor, currency, grouped: true)) \(currency)" }

    static func amounts(_ totals: [MoneyTotal]) -> String {
        totals.isEmpty ? "–" : totals.map { amount($0.amount, $0.currency) }.joined(separator: " · ")
    }

    // MARK: - The board

    /// The board's filter from the page's query: project, owner (the customers' owner), period, text.
    static func filter(_ query: (String) -> String?) -> (filter: DealFilter, query: String) {
        var filter = DealFilter()
        filter.projectId = query("project_id").flatMap { Int64($0) }
        if let owner = query("owner_id").flatMap({ Int64($0) }) { filter.ownerIds = [owner] }
        filter.from = query("from").flatMap { $0.isEmpty ? nil : $0 }
        filter.to = query("to").flatMap { $0.isEmpty ? nil : $0 }
        filter.text = query("q").flatMap { $0.isEmpty ? nil : $0 }
        let pairs = ["project_id", "owner_id", "from", "to", "q", "closed"].compactMap { name in
            query(name).flatMap { $0.isEmpty ? nil : "\(name)=\(SearchFilters.encode($0))" }
        }
        return (filter, pairs.joined(separator: "&"))
    }

    @Sendable func board(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let parameters = request.uri.queryParameters
            let (filter, query) = Self.filter { parameters.get($0).map { String($0) } }
            let closed = parameters.get("closed") == "yes"
            do {
                async let projects = ui.call(M.listProjects, NoParameters(), request, context)
                async let users = try? ui.call(SettingsContract.Method.listUsers, ListUsersRequest(), request, context)
                let board = try await ui.call(
                    M.board, BoardRequest(filter: filter, extra: closed ? ["won", "lost", "postponed"] : [], limit: 50), request, context)
                let process = try? await ui.call(SettingsContract.Method.getProcess, IdRequest(id: board.processId), request, context)
                let names = Dictionary(((await users) ?? []).map { ($0.id, $0.name.isEmpty ? $0.username : $0.name) }) { a, _ in a }
                let targets = (process?.statuses ?? []).compactMap { status -> (Int64, String)? in
                    status.id.map { ($0, status.final.map { "\(status.name) (\($0))" } ?? status.name) }
                }
                let back = "/sales/board" + (query.isEmpty ? "" : "?" + query)
                let columns = board.columns.map { Self.columnValues($0, targets: targets, names: names, back: back) }
                let values: [String: Any] = [
                    "columns": columns, "project": board.project.name, "process": board.processName,
                    "projects": ((try? await projects) ?? []).map {
                        ["id": $0.id, "name": $0.name, "selected": $0.id == board.project.id]
                    },
                    "owners": names.sorted { $0.value < $1.value }.map {
                        ["id": $0.key, "name": $0.value, "selected": filter.ownerIds?.first == $0.key]
                    },
                    "from": filter.from ?? "", "to": filter.to ?? "", "q": filter.text ?? "", "closed": closed,
                    "projected": Self.amounts(board.totals.projected), "weighted": Self.amounts(board.totals.weighted),
                    "actual": Self.amounts(board.totals.actual), "has_budgets": !board.budgets.isEmpty,
                    "budgets": board.budgets.map {
                        [
                            "who": names[$0.userId] ?? "user \($0.userId)", "period": $0.period,
                            "budget": Self.amount($0.budget, $0.currency), "actual": Self.amount($0.actual, $0.currency),
                            "share": $0.budget > 0 ? Int($0.actual * 100 / $0.budget) : 0,
                        ]
                    },
                ]
                return ui.renderer.page("sales_board", title: "Sales board", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// One column of the board as the template shows it.
    static func columnValues(_ column: BoardColumn, targets: [(Int64, String)], names: [Int64: String], back: String) -> [String: Any] {
        [
            "key": column.key, "name": column.name, "status_id": column.statusId ?? 0, "count": column.count,
            "open": column.statusId != nil, "probability": column.probability.map { "\($0) %" } ?? "",
            "projected": amounts(column.projected), "weighted": amounts(column.weighted),
            "more": column.count - column.cards.count, "has_more": column.count > column.cards.count,
            "cards": column.cards.map { cardValues($0, targets: targets, names: names, back: back) },
        ]
    }

    /// One card: what it is, and its "Move to" form.
    static func cardValues(_ card: BoardCard, targets: [(Int64, String)], names: [Int64: String], back: String) -> [String: Any] {
        var values: [String: Any] = [
            "id": card.id, "version": card.version, "subject": card.subject, "customer": card.customerName,
            "customer_path": "/\(card.customerKind == "company" ? "companies" : "contacts")/\(card.customerId)",
            "value": amount(card.value, card.currency), "probability": card.probability, "back": back,
            "targets": targets.map { ["id": $0.0, "name": $0.1, "selected": $0.0 == card.statusId] as [String: Any] },
        ]
        // Mustache shows a section for an empty text too: what is not there is left out.
        if let day = card.expectedClose ?? card.closedOn { values["expected"] = day }
        if let owner = card.ownerId.flatMap({ names[$0] }) { values["owner"] = owner }
        return values
    }

    /// "Move to" (or a drop on another column): the deal into a status, after the card it was
    /// dropped below; back to the board as it was filtered.
    @Sendable func move(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            do {
                let id = try pathID(context)
                guard let version = fields["version"].flatMap({ Int64($0) }), let status = fields["status_id"].flatMap({ Int64($0) }) else {
                    throw BusError.invalid("a move names the deal's version and the status it goes to")
                }
                let after = fields["after_id"].flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
                _ = try await ui.call(
                    M.moveDeal, MoveDealRequest(id: id, version: version, statusId: status, afterId: after), request, context)
                return PageRenderer.redirect(Self.safeBack(fields["back"], or: "/sales/board"))
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// Only a path of ours to go back to.
    static func safeBack(_ back: String?, or fallback: String) -> String {
        guard let back, back.hasPrefix("/"), !back.hasPrefix("//"), !back.contains("\\") else { return fallback }
        return back
    }

    // MARK: - A deal

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            do {
                let kind = fields["customer_kind"] == "company" ? "company" : "contact"
                guard let customer = fields["customer_id"].flatMap({ Int64($0) }) else { throw BusError.invalid("which customer?") }
                let currency = (fields["currency"] ?? "NOK").uppercased()
                var ask = CreateDealRequest(customerKind: kind, customerId: customer, subject: fields["subject"] ?? "")
                ask.currency = currency
                if let text = fields["value"], !text.isEmpty {
                    guard let value = MinorUnits.parse(text, currency: currency) else {
                        throw BusError.invalid("'\(text)' is not an amount (12500 or 12 500,50)")
                    }
                    ask.value = value
                }
                ask.expectedClose = fields["expected_close"].flatMap { $0.isEmpty ? nil : $0 }
                ask.projectId = fields["project_id"].flatMap { Int64($0) }
                let deal = try await ui.call(M.createDeal, ask, request, context)
                _ = deal
                return PageRenderer.redirect("/\(kind == "company" ? "companies" : "contacts")/\(customer)#deals")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func show(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            do {
                let id = try pathID(context)
                async let history = ui.call(M.dealHistory, IdRequest(id: id), request, context)
                let deal = try await ui.call(M.getDeal, IdRequest(id: id), request, context)
                let process = try? await ui.call(SettingsContract.Method.getProcess, IdRequest(id: deal.processId), request, context)
                var values: [String: Any] = [
                    "id": deal.id, "version": deal.version, "subject": deal.subject, "customer": deal.customerName,
                    "customer_path": "/\(deal.customerKind == "company" ? "companies" : "contacts")/\(deal.customerId)",
                    "status": deal.statusName, "outcome": deal.outcome, "value": Self.amount(deal.value, deal.currency),
                    "value_input": MinorUnits.text(deal.value, deal.currency), "currency": deal.currency,
                    "probability": deal.probability, "probability_source": deal.probabilitySource,
                    "weighted": Self.amount(deal.weightedValue, deal.currency), "open": deal.outcome == "open",
                    "closed": deal.outcome != "open",
                    "manual": deal.probabilitySource == "manual",
                    "statuses": (process?.statuses ?? []).filter { $0.final == nil }.compactMap { status in
                        status.id.map { ["id": $0, "name": status.name, "selected": $0 == deal.statusId] }
                    },
                    "history": try await history.map {
                        [
                            "status": $0.statusName, "entered": Timestamp.string(from: $0.enteredAt),
                            "left": $0.leftAt.map { Timestamp.string(from: $0) } ?? "now",
                            "days": String(format: "%.1f", Double($0.seconds) / 86400),
                            "by": $0.movedBy ?? "",
                        ]
                    },
                ]
                if let actual = deal.actualValue { values["actual"] = Self.amount(actual, deal.currency) }
                if let day = deal.expectedClose { values["expected_close"] = day }
                if let day = deal.closedOn { values["closed_on"] = day }
                if let note = deal.reasonNote { values["reason_note"] = note }
                return ui.renderer.page("deal", title: deal.subject, values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func edit(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            do {
                let id = try pathID(context)
                guard let version = fields["version"].flatMap({ Int64($0) }) else {
                    throw BusError.invalid("the form lacks the deal's version")
                }
                var ask = UpdateDealRequest(id: id, version: version)
                ask.subject = fields["subject"]
                let currency = (fields["currency"] ?? "NOK").uppercased()
                ask.currency = currency
                if let text = fields["value"] {
                    guard let value = MinorUnits.parse(text.isEmpty ? "0" : text, currency: currency) else {
                        throw BusError.invalid("'\(text)' is not an amount (12500 or 12 500,50)")
                    }
                    ask.value = value
                }
                ask.expectedClose = fields["expected_close"]
                ask.statusId = fields["status_id"].flatMap { Int64($0) }
                if let text = fields["probability"] {
                    // Empty: the status's probability again.
                    if text.isEmpty { ask.probability = -1 } else if let number = Int(text) { ask.probability = number }
                }
                _ = try await ui.call(M.updateDeal, ask, request, context)
                return PageRenderer.redirect("/deals/\(id)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    func close(_ action: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            do {
                let id = try pathID(context)
                guard let version = fields["version"].flatMap({ Int64($0) }) else {
                    throw BusError.invalid("the form lacks the deal's version")
                }
                var ask = CloseDealRequest(id: id, version: version)
                ask.reasonNote = fields["note"].flatMap { $0.isEmpty ? nil : $0 }
                let method =
                    switch action {
                    case "won": M.winDeal
                    case "lost": M.loseDeal
                    case "postpone": M.postponeDeal
                    default: M.reopenDeal
                    }
                _ = try await ui.call(method, ask, request, context)
                return PageRenderer.redirect("/deals/\(id)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    // MARK: - Forecast

    @Sendable func forecast(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let parameters = request.uri.queryParameters
            let (filter, _) = Self.filter { parameters.get($0).map { String($0) } }
            let by = parameters.get("by") == "quarter" ? "quarter" : "month"
            do {
                async let users = try? ui.call(SettingsContract.Method.listUsers, ListUsersRequest(), request, context)
                let forecast = try await ui.call(M.forecast, ForecastRequest(filter: filter, by: by), request, context)
                let names = Dictionary(((await users) ?? []).map { ($0.id, $0.name.isEmpty ? $0.username : $0.name) }) { a, _ in a }
                let values: [String: Any] = [
                    "by_quarter": by == "quarter",
                    "rows": forecast.rows.map {
                        [
                            "period": $0.period, "owner": $0.ownerId.flatMap { names[$0] } ?? "(nobody)",
                            "projected": Self.amount($0.projected, $0.currency), "weighted": Self.amount($0.weighted, $0.currency),
                            "won": Self.amount($0.won, $0.currency), "open_count": $0.openCount, "won_count": $0.wonCount,
                        ]
                    },
                    "empty": forecast.rows.isEmpty,
                ]
                return ui.renderer.page("sales_forecast", title: "Forecast", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
