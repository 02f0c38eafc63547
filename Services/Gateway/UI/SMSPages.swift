import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// SMS batches: the list, a new batch for the contacts of a search (the contact list's "SMS to
/// these"), its dry run (who gets it, how many parts, the cost and the time, who is left out and
/// why) before anything is stored, and a batch's page with its live progress and controls.
struct SMSPages: Sendable {
    typealias M = NotificationsContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/sms/batches", use: list)
        router.get("/sms/batches/new", use: newForm)
        router.post("/sms/batches", use: create)
        router.get("/sms/batches/:id", use: show)
        for action in ["start", "pause", "resume", "cancel"] {
            router.post("/sms/batches/:id/\(action)") { request, context in try await change(action, request, context) }
        }
    }

    /// The search a batch is for, in the API's words (as the contact list's export links carry it).
    static let searchFields = ["q", "category_id", "source_id", "role_id", "owner_id", "company_id", "city"]

    static func search(from values: (String) -> String?) -> (ask: ListContactsRequest, query: String) {
        var ask = ListContactsRequest(q: values("q").flatMap { $0.isEmpty ? nil : $0 }, limit: ContactsContract.maxPageSize)
        ask.categoryId = values("category_id").flatMap { Int64($0) }
        ask.sourceId = values("source_id").flatMap { Int64($0) }
        ask.roleId = values("role_id").flatMap { Int64($0) }
        ask.ownerId = values("owner_id").flatMap { Int64($0) }
        ask.companyId = values("company_id").flatMap { Int64($0) }
        ask.city = values("city").flatMap { $0.isEmpty ? nil : $0 }
        let query = searchFields.compactMap { name in values(name).flatMap { $0.isEmpty ? nil : "\(name)=\(SearchFilters.encode($0))" } }
        return (ask, query.joined(separator: "&"))
    }

    /// Every contact id the search finds, page by page, up to a batch's limit.
    func contactIds(_ search: ListContactsRequest, _ request: Request, _ context: GatewayContext) async throws -> [Int64] {
        var ask = search
        var ids: [Int64] = []
        while ids.count < 200_000 {
            let page = try await ui.call(ContactsContract.Method.list, ask, request, context)
            ids += page.items.map(\.id)
            guard let next = page.nextCursor else { break }
            ask.cursor = next
        }
        return ids
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            var ask = ListBatchesRequest()
            ask.cursor = request.uri.queryParameters.get("cursor")
            do {
                let page = try await ui.call(M.listBatches, ask, request, context)
                var values: [String: Any] = ["rows": page.items.map(Self.row), "empty": page.items.isEmpty]
                if let next = page.nextCursor { values["next"] = "/sms/batches?cursor=\(next)" }
                return ui.renderer.page("sms_batches", title: "SMS batches", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    static func row(_ batch: Batch) -> [String: Any] {
        [
            "id": batch.id ?? 0, "name": batch.name, "state": batch.state ?? "", "recipients": batch.recipients,
            "accepted": batch.counts.accepted, "failed": batch.counts.failed + batch.counts.undelivered,
            "created": batch.createdAt.map { Timestamp.string(from: $0) } ?? "",
        ]
    }

    @Sendable func newForm(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let (_, query) = Self.search { request.uri.queryParameters.get($0) }
            let values: [String: Any] = [
                "search": query, "search_fields": Self.fields(query),
                "described": query.isEmpty ? "every contact" : "the contacts of your search",
                "purpose_marketing": true,
            ]
            return ui.renderer.page("sms_batch_new", title: "New SMS batch", values: values, session: session)
        }
    }

    static func fields(_ query: String) -> [[String: String]] {
        FormEncoding.pairs(query).map { ["name": $0.name, "value": $0.value] }
    }

    /// The form's first press answers the dry run; "Create" stores the batch as a draft.
    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            let (search, query) = Self.search { fields[$0] }
            let purpose = fields["purpose"] == "service" ? "service" : "marketing"
            do {
                let ids = try await contactIds(search, request, context)
                guard !ids.isEmpty else { throw BusError.invalid("the search finds no contacts: nobody to send to") }
                var ask = CreateBatchRequest(
                    name: fields["name"] ?? "", text: fields["text"] ?? "", contactIds: ids, purpose: purpose,
                    dryRun: fields["confirm"] != "yes")
                if ask.dryRun == true {
                    let plan = try await ui.call(M.createBatch, ask, request, context)
                    var values = Self.details(plan)
                    values["search"] = query
                    values["search_fields"] = Self.fields(query)
                    values["name"] = ask.name
                    values["text"] = ask.text
                    values["purpose_marketing"] = purpose == "marketing"
                    values["dry_run"] = true
                    values["described"] = query.isEmpty ? "every contact" : "the contacts of your search"
                    return ui.renderer.page("sms_batch_new", title: "New SMS batch", values: values, session: session)
                }
                ask.dryRun = nil
                let batch = try await ui.call(M.createBatch, ask, request, context)
                return PageRenderer.redirect("/sms/batches/\(batch.id ?? 0)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// What a batch's page and the dry run show: counts, exclusions by reason, cost and time.
    static func details(_ batch: Batch) -> [String: Any] {
        let reasons: [(String, String)] = [
            ("opted_out", "opted out"), ("no_consent", "no consent to marketing"), ("no_mobile", "no mobile number"),
            ("invalid_number", "a mobile number that cannot take an SMS"), ("duplicate_number", "a number someone else in the batch has"),
            ("unknown_customer", "not found (deleted?)"),
        ]
        let counts = batch.counts
        var values: [String: Any] = [
            "name": batch.name, "text": batch.text, "purpose": batch.purpose, "state": batch.state ?? "", "recipients": batch.recipients,
            "segments": batch.segments, "encoding": batch.encoding, "deferred": batch.deferred,
            "excluded": reasons.compactMap { key, label in batch.excluded[key].map { ["reason": label, "count": $0] } },
            "none_excluded": batch.excluded.isEmpty, "eta": Self.duration(batch.etaSeconds),
            "counts": [
                ["label": "waiting", "value": counts.queued], ["label": "being sent", "value": counts.sending],
                ["label": "sent", "value": counts.sent], ["label": "delivered", "value": counts.delivered],
                ["label": "not delivered", "value": counts.undelivered], ["label": "failed", "value": counts.failed],
                ["label": "unknown", "value": counts.unknown],
            ],
            "top_errors": batch.topErrors.map { ["error": $0.error, "count": $0.count] }, "paused_reason": batch.pausedReason ?? "",
            "rate": batch.rate.map { String(format: "%.1f", $0) } ?? "", "author": batch.author ?? "",
            "done_share": batch.recipients > 0 ? Int(Double(counts.settled) * 100 / Double(batch.recipients)) : 100,
        ]
        if let cost = batch.costMinor, let currency = batch.currency {
            values["cost"] = String(format: "%.2f %@", Double(cost) / 100, currency)
        }
        if let id = batch.id { values["id"] = id }
        switch batch.state {
        case "draft": values["can_start"] = true
        case "running": values["can_pause"] = true
        case "paused": values["can_resume"] = true
        default: break
        }
        if ["draft", "running", "paused"].contains(batch.state ?? "") { values["can_cancel"] = true }
        if batch.state == "running" { values["live"] = true }
        return values
    }

    static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
        return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }

    @Sendable func show(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }), id > 0 else {
                return ui.errorPage(.notFound("there is no such batch"), session: session)
            }
            do {
                let batch = try await ui.call(M.getBatch, BatchIdRequest(id: id), request, context)
                return ui.renderer.page("sms_batch", title: batch.name, values: Self.details(batch), session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    func change(_ action: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }), id > 0 else {
                return ui.errorPage(.notFound("there is no such batch"), session: session)
            }
            let method: BusMethod<BatchIdRequest, Batch>
            switch action {
            case "start": method = M.startBatch
            case "pause": method = M.pauseBatch
            case "resume": method = M.resumeBatch
            default: method = M.cancelBatch
            }
            do {
                _ = try await ui.call(method, BatchIdRequest(id: id), request, context)
                return PageRenderer.redirect("/sms/batches/\(id)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
