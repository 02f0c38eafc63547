import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// The sales service: projects, deals and their history, the sales board (one request), a
/// move on it, the forecast and the summary report, a customer's deals.
struct SalesRoutes: Sendable {
    typealias M = SalesContract.Method

    let api: APIForwarder

    /// The query parameters that narrow deals, as every sales read takes them.
    static let filterQuery = [
        "project_id", "owner_ids", "sales_person_ids", "period_from", "period_to", "category_id", "stage_id", "source_id", "q",
    ]

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.salesRead), write = RoutePolicy.scope(Scope.salesWrite)
        routes.add(.get, "/api/v1/sales/projects", read, tag: "sales", summary: "Sales projects and the CRM process each follows") {
            request, context in try await api.forward(request, context: context, method: M.listProjects, query: QueryBody())
        }
        routes.add(
            .post, "/api/v1/sales/projects", .boss(Scope.salesWrite), tag: "sales", summary: "Create a sales project (a boss)",
            body: "NewProject",
            reply: "SalesProject", status: .created
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.createProject, fields: [:], status: .created)
        }
        routes.add(.get, "/api/v1/sales/projects/:id", read, tag: "sales", summary: "A sales project", reply: "SalesProject") {
            request, context in
            try await api.forward(request, context: context, method: M.getProject, query: try QueryBody(id: "id", from: context))
        }
        routes.add(
            .patch, "/api/v1/sales/projects/:id", .boss(Scope.salesWrite), tag: "sales",
            summary: "Change a sales project: name, process, SMS, members, default (a boss)", body: "ProjectChange", reply: "SalesProject"
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.updateProject, fields: ["id": try pathID(context)])
        }
        routes.add(
            .get, "/api/v1/deals", read, tag: "deals", summary: "Deals, newest first, narrowed as the board is",
            query: Self.filterQuery + ["outcome:open,won,lost,postponed", "deleted", "cursor", "limit"], namesItems: true, listDeals)
        routes.add(
            .post, "/api/v1/deals", write, tag: "deals",
            summary: "Create a deal for a company or a consumer contact (probability from its status unless given)",
            body: "NewDeal", reply: "Deal", status: .created, namesItems: true
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.createDeal, fields: [:], status: .created)
        }
        routes.add(.get, "/api/v1/deals/:id", read, tag: "deals", summary: "A deal", reply: "Deal") { request, context in
            try await api.forward(request, context: context, method: M.getDeal, query: try QueryBody(id: "id", from: context))
        }
        routes.add(
            .patch, "/api/v1/deals/:id", write, tag: "deals",
            summary: "Change a deal, naming the version it was read at (409 when it changed since)", body: "DealChange", reply: "Deal"
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.updateDeal, fields: ["id": try pathID(context)])
        }
        routes.add(
            .delete, "/api/v1/deals/:id", write, tag: "deals", summary: "Delete a deal (it can be restored)", query: ["version"],
            reply: "Deal"
        ) { request, context in
            var query = try QueryBody(id: "id", from: context)
            try query.integer("version", from: request)
            return try await api.forward(request, context: context, method: M.deleteDeal, query: query)
        }
        routes.add(.post, "/api/v1/deals/:id/restore", write, tag: "deals", summary: "Restore a deleted deal", reply: "Deal") {
            request, context in
            try await api.forward(request, context: context, method: M.restoreDeal, query: try QueryBody(id: "id", from: context))
        }
        routes.add(
            .post, "/api/v1/deals/:id/move", write, tag: "deals",
            summary: "Move a deal on the board: its status and place, with its version; answers the changed columns' totals",
            body: "DealMove", reply: "MovedDeal"
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.moveDeal, fields: ["id": try pathID(context)])
        }
        for (action, method, summary) in [
            ("won", M.winDeal, "Win a deal: probability 100, its actual value and win reason"),
            ("lost", M.loseDeal, "Lose a deal: probability 0, its loss reason"),
            ("postpone", M.postponeDeal, "Postpone an open deal (off the open columns until reopened)"),
            ("reopen", M.reopenDeal, "Reopen a won, lost or postponed deal into an open status"),
        ] {
            routes.add(.post, "/api/v1/deals/:id/\(action)", write, tag: "deals", summary: summary, body: "DealClose", reply: "Deal") {
                request, context in
                try await api.forwardMerged(request, context: context, method: method, fields: ["id": try pathID(context)])
            }
        }
        routes.add(
            .get, "/api/v1/deals/:id/history", read, tag: "deals",
            summary: "A deal's stage history: each status with when it entered and left, and who moved it"
        ) { request, context in
            try await api.forward(request, context: context, method: M.dealHistory, query: try QueryBody(id: "id", from: context))
        }
        for kind in ["contact", "company"] {
            routes.add(
                .get, "/api/v1/\(kind == "contact" ? "contacts" : "companies")/:id/deals", read, tag: "deals",
                summary: kind == "contact"
                    ? "A contact's deals (Sales opportunities) and the deals they take part in (Project participation)"
                    : "A company's deals (Sales opportunities)"
            ) { request, context in
                var query = QueryBody()
                query.set("customer_kind", kind)
                query.set("customer_id", try pathID(context))
                return try await api.forward(request, context: context, method: M.customerDeals, query: query)
            }
        }
        routes.add(
            .get, "/api/v1/sales/board", read, tag: "sales",
            summary:
                "The whole sales board of a filter: a column per open status (count, projected and weighted values per currency, first cards), optional won, lost, postponed and unprocessed columns, header totals and budgets",
            query: Self.filterQuery + ["extra", "column", "cursor", "limit"], reply: "Board", namesItems: true
        ) { request, context in
            var query = try Self.filter(request)
            if let extra = request.uri.queryParameters.get("extra"), !extra.isEmpty {
                query.set("extra", extra.split(separator: ",").map { String($0) })
            }
            query.text("column", from: request)
            try query.page(from: request)
            return try await api.forward(request, context: context, method: M.board, query: query)
        }
        routes.add(
            .get, "/api/v1/sales/board/export.csv", read, tag: "sales",
            summary:
                "The board's customers as CSV, one row each with their deals' count and values (a boss, or a user with the export permission); recorded in the export audit",
            query: Self.filterQuery + ["extra"], reply: "media:text/csv", namesItems: true, permission: "export"
        ) { request, context in
            var query = try Self.filter(request)
            if let extra = request.uri.queryParameters.get("extra"), !extra.isEmpty {
                query.set("extra", extra.split(separator: ",").map { String($0) })
            }
            let export = try await api.callDecoded(
                request, context: context, method: M.exportBoard, body: try Wire.decode(BoardRequest.self, from: try query.data()))
            var csv = CSVWriter.line(["customer_kind", "customer_id", "name", "owner", "deals", "values"])
            for customer in export.customers {
                csv += CSVWriter.line([
                    customer.customerKind, String(customer.customerId), customer.name, customer.ownerName ?? "", String(customer.deals),
                    customer.values.map { "\(MinorUnits.text($0.amount, $0.currency)) \($0.currency)" }.joined(separator: "; "),
                ])
            }
            return Response(
                status: .ok, headers: DownloadHeaders.make(contentType: "text/csv; charset=utf-8", filename: "board-customers.csv"),
                body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        routes.add(
            .get, "/api/v1/sales/board/exports", .boss(Scope.salesRead), tag: "sales",
            summary: "The export audit: who exported which board's customers, when (a boss)"
        ) { request, context in
            try await api.forward(request, context: context, method: M.exports, query: QueryBody())
        }
        routes.add(
            .post, "/api/v1/sales/board/sms", .scope(Scope.messagesSend), tag: "sales",
            summary:
                "A batch SMS to the board's customers (consumers, and the contacts linked to companies' deals) where the project has SMS enabled: dry_run true answers who would get it and who is left out; otherwise a draft batch to start",
            body: "BoardSMS", reply: "Batch", status: .created, namesItems: true
        ) { request, context in
            let raw = try await api.body(of: request)
            let ask: BoardSMSRequest
            do {
                ask = try Wire.decode(BoardSMSRequest.self, from: raw)
            } catch {
                throw BusError.invalid("the body is not a board SMS: \(String(describing: error).prefix(200))")
            }
            let recipients = try await api.callDecoded(
                request, context: context, method: M.smsRecipients, body: BoardRequest(filter: ask.filter, extra: ask.extra))
            guard !recipients.contactIds.isEmpty else {
                throw BusError.conflict(
                    "the board's customers have nobody to text (no consumer customers, no contacts on companies' deals)")
            }
            let batch = CreateBatchRequest(
                name: ask.name, text: ask.text, contactIds: recipients.contactIds, purpose: ask.purpose, dryRun: ask.dryRun)
            let body = try await api.call(
                request, context: context, method: NotificationsContract.Method.createBatch, body: try Wire.encode(batch))
            // The batch, and how many companies had no contact to text.
            var object = (try JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
            object["companies_without_contact"] = recipients.companiesWithoutContact
            return APIForwarder.json(
                status: ask.dryRun == true ? .ok : .created,
                body: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        }
        routes.add(
            .get, "/api/v1/sales/forecast", read, tag: "sales",
            summary: "Forecast by month or quarter per sales person and currency: projected, weighted, won",
            query: Self.filterQuery + ["by:month,quarter"], namesItems: true
        ) { request, context in
            var query = try Self.filter(request)
            query.text("by", from: request)
            return try await api.forward(request, context: context, method: M.forecast, query: query)
        }
        routes.add(
            .get, "/api/v1/sales/reports/summary", read, tag: "sales",
            summary:
                "Win rate, average deal size, cycle length, time in each status, win and loss reasons, budget against actual",
            query: Self.filterQuery, namesItems: true
        ) { request, context in
            try await api.forward(request, context: context, method: M.report, query: try Self.filter(request))
        }
    }

    @Sendable func listDeals(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = try Self.filter(request)
        query.text("outcome", from: request)
        try query.boolean("deleted", from: request)
        try query.page(from: request)
        return try await api.forward(request, context: context, method: M.listDeals, query: query)
    }

    /// The filter from the query string, as `filter` of the request.
    static func filter(_ request: Request) throws -> QueryBody {
        var filter: [String: Any] = [:]
        let parameters = request.uri.queryParameters
        for name in ["project_id", "category_id", "stage_id", "source_id"] {
            guard let raw = parameters.get(name), !raw.isEmpty else { continue }
            guard let id = Int64(raw) else { throw BusError.badRequest("\(name) must be a whole number") }
            filter[name] = id
        }
        for (name, key) in [("owner_ids", "owner_ids"), ("sales_person_ids", "deal_owner_ids")] {
            guard let raw = parameters.get(name), !raw.isEmpty else { continue }
            let ids = raw.split(separator: ",").compactMap { Int64($0) }
            guard ids.count == raw.split(separator: ",").count else { throw BusError.badRequest("\(name) is ids separated by commas") }
            filter[key] = ids
        }
        if let from = parameters.get("period_from"), !from.isEmpty { filter["from"] = String(from) }
        if let to = parameters.get("period_to"), !to.isEmpty { filter["to"] = String(to) }
        if let text = parameters.get("q"), !text.isEmpty { filter["text"] = String(text) }
        var query = QueryBody()
        query.set("filter", filter)
        return query
    }
}

/// `POST /api/v1/sales/board/sms`: the board's filter and the batch's name, text and purpose.
struct BoardSMSRequest: Codable, Sendable {
    var filter: DealFilter?
    var extra: [String]?
    var name: String
    var text: String
    var purpose: String?
    var dryRun: Bool?
}
