import Bus
import Contracts
import Foundation
import GRDB

/// A deal filter as SQL over the `deal` table (alias `deal`).
struct DealQuery {
    private(set) var conditions: [String] = []
    private(set) var arguments: StatementArguments = []
    /// Deleted deals instead of live ones.
    var deleted = false
    /// Whether only the project, owners and access narrow it (the column totals table answers).
    private(set) var summarised = true
    /// The customer owners it is narrowed to (filter and access), nil for all.
    private(set) var owners: [Int64]?
    /// The project it is narrowed to.
    private(set) var projectId: Int64?

    init(filter: DealFilter, access: SalesAccess, db: Database) throws {
        projectId = filter.projectId
        if let project = filter.projectId { add("deal.project_id = ?", [project]) }
        var owners = filter.ownerIds
        if let owners, owners.count > 500 { throw BusError.invalid("a filter names at most 500 owners") }
        if let user = access.restrictedTo { owners = (owners ?? [user]).filter { $0 == user } }
        if let owners {
            self.owners = owners
            add(
                "deal.customer_owner_id IN (\(owners.isEmpty ? "NULL" : owners.map { _ in "?" }.joined(separator: ",")))",
                StatementArguments(owners))
        }
        if let ids = filter.dealOwnerIds {
            guard ids.count <= 500 else { throw BusError.invalid("a filter names at most 500 sales people") }
            narrow("deal.owner_id IN (\(ids.isEmpty ? "NULL" : ids.map { _ in "?" }.joined(separator: ",")))", StatementArguments(ids))
        }
        if filter.from != nil || filter.to != nil {
            try DealStore.checkDate(filter.from, "from")
            try DealStore.checkDate(filter.to, "to")
            let (from, to) = (filter.from ?? "0000-01-01", filter.to ?? "9999-12-31")
            narrow(
                """
                (deal.outcome IN ('won', 'lost') AND deal.closed_on BETWEEN ? AND ?
                    OR deal.outcome IN ('open', 'postponed') AND deal.expected_close BETWEEN ? AND ?)
                """, [from, to, from, to])
        }
        if let id = filter.categoryId { narrow("deal.category_id = ?", [id]) }
        if let id = filter.stageId { narrow("deal.stage_id = ?", [id]) }
        if let id = filter.sourceId { narrow("deal.source_id = ?", [id]) }
        if let text = filter.text.map({ String($0.prefix(200)).trimmingCharacters(in: .whitespaces) }), !text.isEmpty {
            for word in text.split(separator: " ").prefix(8) {
                let pattern =
                    "%"
                    + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%"
                narrow("(deal.subject LIKE ? ESCAPE '\\' OR deal.customer_name LIKE ? ESCAPE '\\')", [pattern, pattern])
            }
        }
    }

    mutating func add(_ condition: String, _ values: StatementArguments) {
        conditions.append(condition)
        arguments += values
    }

    private mutating func narrow(_ condition: String, _ values: StatementArguments) {
        add(condition, values)
        summarised = false
    }

    var condition: String {
        ((conditions.isEmpty ? [] : conditions) + [deleted ? "deal.deleted_at IS NOT NULL" : "deal.deleted_at IS NULL"])
            .joined(separator: " AND ")
    }
}

/// The sales board: its columns with counts, projected and weighted values per currency and
/// their first cards, the header's totals and the budgets against what was won.
struct BoardQuery: Sendable {
    static let extras: Set<String> = ["won", "lost", "postponed", "unprocessed"]

    static func key(_ deal: Deal) -> String { deal.outcome == "open" ? "status:\(deal.statusId)" : deal.outcome }

    func board(_ db: Database, _ request: BoardRequest, headers: BusHeaders) throws -> Board {
        let limit = min(max(request.limit ?? 25, 1), 200)
        let access = try SalesAccess.of(headers, db)
        var filter = request.filter ?? DealFilter()
        let project = try Projects.load(db, id: filter.projectId)
        filter.projectId = project.id
        let process = try Processes.load(db, id: try Projects.processId(db, project))
        let extras = request.extra ?? []
        for extra in extras where !Self.extras.contains(extra) {
            throw BusError.invalid("extra columns are won, lost, postponed and unprocessed, not '\(extra)'")
        }
        var keys = process.openStatuses.map { "status:\($0.id)" } + ["won", "lost", "postponed", "unprocessed"].filter(extras.contains)
        if let column = request.column {
            // A column the board does not have (any more): no columns.
            keys = keys.filter { $0 == column }
        }
        let query = try DealQuery(filter: filter, access: access, db: db)
        let columns = try keys.map { key in
            var column = try columnTotals(db, key: key, query: query, process: process, project: project)
            try fill(&column, db, query: query, project: project, limit: limit, cursor: request.column == key ? request.cursor : nil)
            return column
        }
        return Board(
            project: project, processId: process.id, processName: process.name, columns: columns,
            totals: try totals(db, query: query), budgets: try budgets(db, filter: filter, access: access))
    }

    /// One column's count and sums (no cards), for a move's answer.
    /// What a move answers: the totals (no cards) of the columns `keys` and of the header, for
    /// the board of `filter`; its project, process and query made once.
    func totals(
        _ db: Database, columns keys: [String], filter: DealFilter, access: SalesAccess
    ) throws -> (
        columns: [BoardColumn], totals: BoardTotals
    ) {
        let project = try Projects.load(db, id: filter.projectId)
        let process = try Processes.load(db, id: try Projects.processId(db, project))
        let query = try DealQuery(filter: filter, access: access, db: db)
        let columns = try keys.map { try columnTotals(db, key: $0, query: query, process: process, project: project) }
        return (columns, try totals(db, query: query))
    }

    private func columnTotals(
        _ db: Database, key: String, query: DealQuery, process: ProcessRow, project: SalesProject
    ) throws -> BoardColumn {
        if key == "unprocessed" {
            let (sql, arguments) = unprocessed(query: query, project: project)
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(sql) LIMIT 10000)", arguments: arguments) ?? 0
            return BoardColumn(
                key: key, name: "Unprocessed customers", statusId: nil, probability: nil, count: count, projected: [], weighted: [],
                cards: [], customers: [], nextCursor: nil)
        }
        let (outcome, status) = Self.parse(key)
        let sums = try sums(db, query: query, outcome: outcome, statusId: status)
        let statusRow = status.flatMap { id in process.statuses.first { $0.id == id } }
        return BoardColumn(
            key: key, name: statusRow?.name ?? outcome.capitalized, statusId: statusRow?.id, probability: statusRow?.probability,
            count: sums.count, projected: Money.totals(sums.projected), weighted: Money.totals(sums.weighted), cards: [],
            nextCursor: nil)
    }

    /// A column key's outcome and status (`status:12` is open deals in status 12).
    private static func parse(_ key: String) -> (outcome: String, statusId: Int64?) {
        if key.hasPrefix("status:") { return ("open", Int64(key.dropFirst(7)) ?? -1) }
        return (key, nil)
    }

    struct Sums {
        var count = 0
        var projected: [String: Int64] = [:]
        var weighted: [String: Int64] = [:]
        var actual: [String: Int64] = [:]
    }

    /// Count and sums of one outcome (and status), from the totals table when the filter allows.
    private func sums(_ db: Database, query: DealQuery, outcome: String, statusId: Int64?) throws -> Sums {
        let rows: [Row]
        if query.summarised, let project = query.projectId {
            var sql = "SELECT currency, SUM(count) AS n, SUM(projected) AS p, SUM(weighted) AS w, SUM(actual) AS a FROM deal_total "
            sql += "WHERE project_id = ? AND outcome = ?"
            var arguments: StatementArguments = [project, outcome]
            if let statusId {
                sql += " AND status_id = ?"
                arguments += [statusId]
            }
            if let owners = query.owners {
                sql += " AND owner_key IN (\(owners.isEmpty ? "NULL" : owners.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(owners)
            }
            rows = try Row.fetchAll(db, sql: sql + " GROUP BY currency", arguments: arguments)
        } else {
            var sql = """
                SELECT currency, COUNT(*) AS n, SUM(value) AS p, SUM(weighted) AS w, SUM(COALESCE(actual_value, 0)) AS a
                FROM deal WHERE \(query.condition) AND deal.outcome = ?
                """
            var arguments = query.arguments + [outcome]
            if let statusId {
                sql += " AND deal.status_id = ?"
                arguments += [statusId]
            }
            rows = try Row.fetchAll(db, sql: sql + " GROUP BY currency", arguments: arguments)
        }
        var sums = Sums()
        for row in rows {
            let count: Int = row["n"]
            guard count > 0 else { continue }
            let currency: String = row["currency"]
            sums.count += count
            sums.projected[currency] = row["p"]
            sums.weighted[currency] = row["w"]
            sums.actual[currency] = row["a"]
        }
        return sums
    }

    private func totals(_ db: Database, query: DealQuery) throws -> BoardTotals {
        let open = try sums(db, query: query, outcome: "open", statusId: nil)
        let won = try sums(db, query: query, outcome: "won", statusId: nil)
        return BoardTotals(projected: Money.totals(open.projected), weighted: Money.totals(open.weighted), actual: Money.totals(won.actual))
    }

    /// The column's first (or next) page of cards.
    private func fill(
        _ column: inout BoardColumn, _ db: Database, query: DealQuery, project: SalesProject, limit: Int, cursor: String?
    )
        throws
    {
        var after: Contracts.Cursor?
        if let cursor {
            guard let parsed = Cursor(text: cursor) else { throw BusError.invalid("cursor is not one this board handed out") }
            after = parsed
        }
        if column.key == "unprocessed" {
            var (sql, arguments) = unprocessed(query: query, project: project)
            if let after {
                sql += " AND (c.kind > ? OR c.kind = ? AND c.id > ?)"
                arguments += [after.key(0), after.key(0), after.id]
            }
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY c.kind, c.id LIMIT ?", arguments: arguments + [limit + 1])
            column.customers = rows.prefix(limit).map {
                BoardCustomer(customerKind: $0["kind"], customerId: $0["id"], name: $0["name"], ownerId: $0["owner_id"])
            }
            if rows.count > limit, let last = column.customers?.last {
                column.nextCursor = Cursor(id: last.customerId, keys: [last.customerKind]).text
            }
            return
        }
        let (outcome, status) = Self.parse(column.key)
        var sql = """
            SELECT id, customer_kind, customer_id, customer_name, subject, owner_id, value, currency, probability, weighted,
                expected_close, closed_on, status_id, version, position
            FROM deal WHERE \(query.condition) AND deal.outcome = ?
            """
        var arguments = query.arguments + [outcome]
        let order: String
        if let status {
            sql += " AND deal.status_id = ?"
            arguments += [status]
            if let after, let position = Double(after.key(0)) {
                sql += " AND (deal.position > ? OR deal.position = ? AND deal.id > ?)"
                arguments += [position, position, after.id]
            }
            order = "deal.position, deal.id"
        } else {
            // Won, lost and postponed: the latest first.
            if let after {
                sql += " AND deal.id < ?"
                arguments += [after.id]
            }
            order = "deal.id DESC"
        }
        let rows = try Row.fetchAll(db, sql: sql + " ORDER BY \(order) LIMIT ?", arguments: arguments + [limit + 1])
        column.cards = rows.prefix(limit).map {
            BoardCard(
                id: $0["id"], customerKind: $0["customer_kind"], customerId: $0["customer_id"], customerName: $0["customer_name"],
                subject: $0["subject"], ownerId: $0["owner_id"], value: $0["value"], currency: $0["currency"],
                probability: $0["probability"], weightedValue: $0["weighted"], expectedClose: $0["expected_close"],
                closedOn: $0["closed_on"], statusId: $0["status_id"], version: $0["version"])
        }
        if rows.count > limit {
            let last = rows[limit - 1]
            let position: Double = last["position"]
            column.nextCursor = Cursor(id: last["id"], keys: status == nil ? [] : [String(position)]).text
        }
    }

    /// Customers owned by the project's members (or the filter's owners) with no deal in the project.
    private func unprocessed(query: DealQuery, project: SalesProject) -> (String, StatementArguments) {
        var owners = query.owners ?? (project.members.isEmpty ? nil : project.members)
        if let restricted = query.owners, !project.members.isEmpty { owners = restricted.filter(project.members.contains) }
        var sql = "SELECT c.kind, c.id, c.name, c.owner_id FROM customer c WHERE c.deleted = 0 AND c.owner_id IS NOT NULL"
        var arguments: StatementArguments = []
        if let owners {
            sql += " AND c.owner_id IN (\(owners.isEmpty ? "NULL" : owners.map { _ in "?" }.joined(separator: ",")))"
            arguments += StatementArguments(owners)
        }
        sql += """
             AND NOT EXISTS (SELECT 1 FROM deal WHERE deal.customer_kind = c.kind AND deal.customer_id = c.id
                AND deal.project_id = ? AND deal.deleted_at IS NULL)
            """
        arguments += [project.id]
        return (sql, arguments)
    }

    /// Budgets of the filter's sales people (or all with budgets) for the periods within the
    /// filter's dates (or this year), each against the actual values they won in it.
    func budgets(_ db: Database, filter: DealFilter, access: SalesAccess) throws -> [BudgetLine] {
        let year = String(DealStore.today(Date()).prefix(4))
        let (from, to) = (filter.from ?? "\(year)-01-01", filter.to ?? "\(year)-12-31")
        var sql = "SELECT user_id, period, amount, currency FROM budget"
        var arguments: StatementArguments = []
        let people = filter.dealOwnerIds ?? filter.ownerIds
        if let people {
            sql += " WHERE user_id IN (\(people.isEmpty ? "NULL" : people.map { _ in "?" }.joined(separator: ",")))"
            arguments += StatementArguments(people)
        }
        var lines: [BudgetLine] = []
        for row in try Row.fetchAll(db, sql: sql + " ORDER BY user_id, period LIMIT 5000", arguments: arguments) {
            let period: String = row["period"]
            guard let range = Self.days(of: period), range.from <= to, range.to >= from else { continue }
            let user: Int64 = row["user_id"]
            if let restricted = access.restrictedTo, restricted != user { continue }
            let currency: String = row["currency"]
            guard let budget = Money.minorUnits(row["amount"], currency: currency) else { continue }
            let actual =
                try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT SUM(actual_value) FROM deal WHERE owner_id = ? AND outcome = 'won' AND currency = ?
                            AND closed_on BETWEEN ? AND ? AND deleted_at IS NULL
                        """, arguments: [user, currency, range.from, range.to]) ?? 0
            lines.append(BudgetLine(userId: user, period: period, currency: currency, budget: budget, actual: actual))
        }
        return lines
    }

    /// A budget period's first and last day: `2026`, `2026-Q4`, `2026-11`.
    static func days(of period: String) -> (from: String, to: String)? {
        let parts = period.split(separator: "-")
        guard let year = parts.first, year.count == 4, Int(year) != nil else { return nil }
        if parts.count == 1 { return ("\(year)-01-01", "\(year)-12-31") }
        guard parts.count == 2 else { return nil }
        if parts[1].hasPrefix("Q"), let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) {
            let first = (quarter - 1) * 3 + 1
            return (String(format: "%@-%02d-01", String(year), first), String(format: "%@-%02d-31", String(year), first + 2))
        }
        guard let month = Int(parts[1]), (1...12).contains(month) else { return nil }
        return (String(format: "%@-%02d-01", String(year), month), String(format: "%@-%02d-31", String(year), month))
    }
}
