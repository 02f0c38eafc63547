import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// The sales service's bus methods.
struct SalesHandlers: Sendable {
    let deals: DealStore
    let board = BoardQuery()

    var methods: MethodTable {
        let (deals, board, database) = (deals, board, deals.database)
        let reports = SalesReports(board: board)
        var table = MethodTable(service: SalesContract.service)
        typealias M = SalesContract.Method
        table.on(M.listProjects) { _, _ in try await database.read { db in try Projects.list(db) } }
        table.on(M.getProject) { body, _ in try await database.read { db in try Projects.load(db, id: body.id) } }
        table.write(M.createProject) { body, headers, requestId in
            guard body.id == nil else { throw BusError.invalid("a new project has no id") }
            return try await database.idempotentWrite(requestId: requestId, method: M.createProject) { db, _ in
                try Projects.save(db, body, headers: headers)
            }
        }
        table.write(M.updateProject) { body, headers, requestId in
            guard body.id != nil else { throw BusError.invalid("name the project to change by its id") }
            return try await database.idempotentWrite(requestId: requestId, method: M.updateProject) { db, _ in
                try Projects.save(db, body, headers: headers)
            }
        }
        table.write(M.createDeal) { try await deals.create($0, headers: $1, requestId: $2) }
        table.on(M.getDeal) { body, incoming in try await deals.get(id: body.id, headers: incoming.headers) }
        table.on(M.listDeals) { body, incoming in try await deals.list(body, headers: incoming.headers) }
        table.write(M.updateDeal) { try await deals.update($0, headers: $1, requestId: $2) }
        table.write(M.moveDeal) { try await deals.move($0, headers: $1, requestId: $2, board: board) }
        table.write(M.winDeal) { try await deals.close($0, as: "win", headers: $1, requestId: $2) }
        table.write(M.loseDeal) { try await deals.close($0, as: "lose", headers: $1, requestId: $2) }
        table.write(M.postponeDeal) { try await deals.close($0, as: "postpone", headers: $1, requestId: $2) }
        table.write(M.reopenDeal) { try await deals.close($0, as: "reopen", headers: $1, requestId: $2) }
        table.write(M.deleteDeal) { try await deals.delete($0, restore: false, headers: $1, requestId: $2) }
        table.write(M.restoreDeal) { try await deals.delete($0, restore: true, headers: $1, requestId: $2) }
        table.on(M.dealHistory) { body, incoming in try await deals.history(id: body.id, headers: incoming.headers) }
        table.on(M.customerDeals) { body, incoming in
            _ = try DealStore.customerKind(body.customerKind)
            return try await deals.ofCustomer(body, headers: incoming.headers)
        }
        table.on(M.board) { body, incoming in try await database.read { db in try board.board(db, body, headers: incoming.headers) } }
        table.on(M.exportBoard) { body, incoming in
            try await database.write { db, _ in try BoardCustomersQuery.export(db, body, headers: incoming.headers) }
        }
        table.on(M.exports) { _, incoming in
            guard incoming.headers.userId == nil || incoming.headers.isBoss else {
                throw BusError.forbidden("only a boss reads the export audit")
            }
            return try await database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM export_audit ORDER BY id DESC LIMIT 500").map {
                    ExportAuditEntry(id: $0["id"], at: $0["at"], actor: $0["actor"], filter: $0["filter"], customers: $0["customers"])
                }
            }
        }
        table.on(M.smsRecipients) { body, incoming in
            try await database.read { db in try BoardCustomersQuery.smsRecipients(db, body, headers: incoming.headers) }
        }
        table.on(M.forecast) { body, incoming in try await database.read { db in try reports.forecast(db, body, headers: incoming.headers) }
        }
        table.on(M.report) { body, incoming in try await database.read { db in try reports.summary(db, body, headers: incoming.headers) } }
        table.on(M.referenceUsage, openToServices: true) { body, _ in
            try await database.read { db in ReferenceCount(count: try ReferenceUse.count(db, kind: body.kind, id: body.id)) }
        }
        table.write(M.referenceMove, openToServices: true) { body, headers, requestId in
            try await database.idempotentWrite(requestId: requestId, method: M.referenceMove) { db, outbox in
                ReferenceCount(count: try ReferenceUse.move(db, outbox, body, actor: headers.actor))
            }
        }
        return table
    }
}

/// The deals that use a reference item (settings asks before deleting one).
enum ReferenceUse {
    static func count(_ db: Database, kind: ReferenceKind, id: Int64) throws -> Int {
        guard let column = Reference.column(kind) else { return 0 }
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deal WHERE \(column) = ?\(Reference.scope(kind))", arguments: [id]) ?? 0
    }

    /// Moves (or clears) every use, each deal a new version with its event.
    static func move(_ db: Database, _ outbox: Outbox, _ request: ReferenceMoveRequest, actor: String?) throws -> Int {
        guard let column = Reference.column(request.kind) else { return 0 }
        if let to = request.to { _ = try Reference.check(db, request.kind, to) }
        let ids = try Int64.fetchAll(
            db, sql: "SELECT id FROM deal WHERE \(column) = ?\(Reference.scope(request.kind))", arguments: [request.from])
        let now = Date()
        for id in ids {
            let before = try DealStore.load(db, id: id, deleted: nil)
            var deal = before
            switch column {
            case "category_id": deal.categoryId = request.to
            case "stage_id": deal.stageId = request.to
            case "source_id": deal.sourceId = request.to
            default: deal.reasonId = request.to
            }
            _ = try DealStore.save(db, outbox, before: before, after: deal, actor: actor, now: now)
        }
        return ids.count
    }
}

/// The distinct customers of a board's filter (one per customer), for the CSV export and the
/// batch SMS; for a company customer the deals' linked contacts come along.
enum BoardCustomersQuery {
    /// The deals a board request names: its project's (the default one when none is named),
    /// narrowed by its filter and the caller's access, open ones and the closed columns it asks for.
    static func scope(
        _ db: Database, _ request: BoardRequest, headers: BusHeaders
    ) throws -> (condition: String, arguments: StatementArguments) {
        var filter = request.filter ?? DealFilter()
        filter.projectId = try Projects.load(db, id: filter.projectId).id
        let query = try DealQuery(filter: filter, access: SalesAccess.of(headers, db), db: db)
        var outcomes = ["open"]
        for extra in request.extra ?? [] where ["won", "lost", "postponed"].contains(extra) { outcomes.append(extra) }
        return (
            "\(query.condition) AND deal.outcome IN (\(outcomes.map { _ in "?" }.joined(separator: ",")))",
            query.arguments + StatementArguments(outcomes)
        )
    }

    static func customers(_ db: Database, _ request: BoardRequest, headers: BusHeaders) throws -> [BoardCustomer] {
        let scope = try scope(db, request, headers: headers)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT deal.customer_kind AS kind, deal.customer_id AS id, MAX(deal.customer_name) AS name,
                    MAX(deal.customer_owner_id) AS owner_id
                FROM deal WHERE \(scope.condition) GROUP BY 1, 2 ORDER BY 1, 2 LIMIT ?
                """, arguments: scope.arguments + [SalesContract.maxBoardCustomers + 1])
        guard rows.count <= SalesContract.maxBoardCustomers else {
            throw BusError.conflict("the board's filter has more than \(SalesContract.maxBoardCustomers) customers; narrow it")
        }
        return rows.map { BoardCustomer(customerKind: $0["kind"], customerId: $0["id"], name: $0["name"], ownerId: $0["owner_id"]) }
    }

    /// The export: one row per customer with its deals' count and values; only for a boss or a
    /// user settings gave the `export` permission; recorded with who, when and which filter.
    static func export(_ db: Database, _ request: BoardRequest, headers: BusHeaders) throws -> BoardExport {
        if let user = headers.userId, !headers.isBoss {
            let allowed = try Bool.fetchOne(db, sql: "SELECT can_export FROM user WHERE id = ?", arguments: [user]) ?? false
            guard allowed else { throw BusError.forbidden("exporting a board's customers needs a boss or the export permission") }
        }
        let scope = try scope(db, request, headers: headers)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT deal.customer_kind AS kind, deal.customer_id AS id, MAX(deal.customer_name) AS name,
                    MAX(deal.customer_owner_id) AS owner_id, MAX(user.name) AS owner_name, deal.currency, COUNT(*) AS deals,
                    SUM(deal.value) AS value
                FROM deal LEFT JOIN user ON user.id = deal.customer_owner_id
                WHERE \(scope.condition) GROUP BY 1, 2, deal.currency ORDER BY 1, 2, deal.currency
                """, arguments: scope.arguments)
        var customers: [ExportedCustomer] = []
        for row in rows {
            let (kind, id): (String, Int64) = (row["kind"], row["id"])
            let money = MoneyTotal(currency: row["currency"], amount: row["value"])
            if let last = customers.last, last.customerKind == kind, last.customerId == id {
                customers[customers.count - 1].deals += row["deals"] as Int
                customers[customers.count - 1].values.append(money)
            } else {
                guard customers.count < SalesContract.maxBoardCustomers else {
                    throw BusError.conflict("the board's filter has more than \(SalesContract.maxBoardCustomers) customers; narrow it")
                }
                customers.append(
                    ExportedCustomer(
                        customerKind: kind, customerId: id, name: row["name"], ownerId: row["owner_id"], ownerName: row["owner_name"],
                        deals: row["deals"], values: [money]))
            }
        }
        let described = String(decoding: try Wire.encode(request), as: UTF8.self)
        try db.execute(
            sql: "INSERT INTO export_audit (at, actor, user_id, filter, customers) VALUES (?, ?, ?, ?, ?)",
            arguments: [DatabaseDate.string(Date()), headers.actor, headers.userId, described, customers.count])
        return BoardExport(customers: customers)
    }

    /// Consumer customers and the contacts linked to company customers' deals, once each.
    static func smsRecipients(_ db: Database, _ request: BoardRequest, headers: BusHeaders) throws -> SMSRecipients {
        let project = try Projects.load(db, id: request.filter?.projectId)
        guard project.smsEnabled else {
            throw BusError.conflict("the project '\(project.name)' does not have SMS enabled; a boss turns it on in the project")
        }
        let customers = try self.customers(db, request, headers: headers)
        var ids: [Int64] = []
        var seen = Set<Int64>()
        var without = 0
        for customer in customers {
            if customer.customerKind == "contact" {
                if seen.insert(customer.customerId).inserted { ids.append(customer.customerId) }
                continue
            }
            let linked = try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT deal_person.person_id FROM deal_person JOIN deal ON deal.id = deal_person.deal_id
                    WHERE deal.customer_kind = 'company' AND deal.customer_id = ? AND deal.project_id = ? AND deal.deleted_at IS NULL
                        AND deal_person.kind = 'contact'
                    """, arguments: [customer.customerId, project.id])
            if linked.isEmpty { without += 1 }
            for id in linked where seen.insert(id).inserted { ids.append(id) }
        }
        return SMSRecipients(contactIds: ids, companiesWithoutContact: without)
    }
}
