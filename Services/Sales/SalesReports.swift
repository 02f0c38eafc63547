import Bus
import Contracts
import Foundation
import GRDB

/// The forecast and the summary report, over the deals of a filter.
struct SalesReports: Sendable {
    let board: BoardQuery

    /// Open deals by the period of their expected close, won deals by the period they were won
    /// in; per sales person and currency.
    func forecast(_ db: Database, _ request: ForecastRequest, headers: BusHeaders) throws -> Forecast {
        let by = request.by ?? "month"
        guard by == "month" || by == "quarter" else { throw BusError.invalid("a forecast is by month or quarter") }
        let query = try DealQuery(filter: request.filter ?? DealFilter(), access: SalesAccess.of(headers, db), db: db)
        // Month: the first 7 characters of the day; quarter: the year and (month + 2) / 3.
        let period = { (column: String) in
            by == "month"
                ? "substr(\(column), 1, 7)"
                : "substr(\(column), 1, 4) || '-Q' || ((CAST(substr(\(column), 6, 2) AS INTEGER) + 2) / 3)"
        }
        let sql = """
            SELECT \(period("expected_close")) AS period, owner_id, currency, SUM(value) AS projected, SUM(weighted) AS weighted,
                0 AS won, COUNT(*) AS open_count, 0 AS won_count
            FROM deal WHERE \(query.condition) AND outcome = 'open' AND expected_close IS NOT NULL GROUP BY 1, 2, 3
            UNION ALL
            SELECT \(period("closed_on")), owner_id, currency, 0, 0, SUM(COALESCE(actual_value, value)), 0, COUNT(*)
            FROM deal WHERE \(query.condition) AND outcome = 'won' AND closed_on IS NOT NULL GROUP BY 1, 2, 3
            """
        var merged: [String: ForecastRow] = [:]
        let rows: [Row]
        if query.summarised && query.owners == nil {
            // Only the project narrows it: the sums kept with every change answer.
            let month = by == "month" ? "month" : "substr(month, 1, 4) || '-Q' || ((CAST(substr(month, 6, 2) AS INTEGER) + 2) / 3)"
            rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(month) AS period, NULLIF(owner_key, 0) AS owner_id, currency, SUM(projected) AS projected,
                        SUM(weighted) AS weighted, SUM(won) AS won, SUM(open_count) AS open_count, SUM(won_count) AS won_count
                    FROM forecast_total \(query.projectId == nil ? "" : "WHERE project_id = ?")
                    GROUP BY 1, 2, 3 HAVING SUM(open_count) != 0 OR SUM(won_count) != 0
                    """, arguments: query.projectId.map { [$0] } ?? [])
        } else {
            rows = try Row.fetchAll(db, sql: sql, arguments: query.arguments + query.arguments)
        }
        for row in rows {
            let key = "\(row["period"] as String)|\((row["owner_id"] as Int64?) ?? 0)|\(row["currency"] as String)"
            var line =
                merged[key]
                ?? ForecastRow(
                    period: row["period"], ownerId: row["owner_id"], currency: row["currency"], projected: 0, weighted: 0, won: 0,
                    openCount: 0, wonCount: 0)
            line.projected += row["projected"] as Int64
            line.weighted += row["weighted"] as Int64
            line.won += row["won"] as Int64
            line.openCount += row["open_count"] as Int
            line.wonCount += row["won_count"] as Int
            merged[key] = line
        }
        let sorted = merged.values.sorted {
            ($0.period, $0.ownerId ?? 0, $0.currency) < ($1.period, $1.ownerId ?? 0, $1.currency)
        }
        return Forecast(by: by, rows: sorted)
    }

    func summary(_ db: Database, _ request: SalesReportRequest, headers: BusHeaders) throws -> SalesReport {
        let filter = request.filter ?? DealFilter()
        let access = try SalesAccess.of(headers, db)
        let query = try DealQuery(filter: filter, access: access, db: db)
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT outcome, COUNT(*) AS n FROM deal WHERE \(query.condition) GROUP BY outcome", arguments: query.arguments)
        {
            counts[row["outcome"]] = row["n"]
        }
        let (won, lost) = (counts["won"] ?? 0, counts["lost"] ?? 0)
        let average = try Row.fetchAll(
            db,
            sql: """
                SELECT currency, SUM(COALESCE(actual_value, value)) / COUNT(*) AS average FROM deal
                WHERE \(query.condition) AND outcome = 'won' GROUP BY currency ORDER BY currency
                """, arguments: query.arguments
        ).map { MoneyTotal(currency: $0["currency"], amount: $0["average"]) }
        let cycle = try Double.fetchOne(
            db,
            sql: """
                SELECT AVG(julianday(closed_on) - julianday(substr(created_at, 1, 10))) FROM deal
                WHERE \(query.condition) AND outcome = 'won' AND closed_on IS NOT NULL
                """, arguments: query.arguments)
        let times = try Row.fetchAll(
            db,
            sql: """
                SELECT s.status_id, MAX(s.status_name) AS name, COUNT(*) AS stays,
                    AVG((julianday(COALESCE(s.left_at, 'now')) - julianday(s.entered_at)) * 86400) AS seconds
                FROM deal_stage s JOIN deal ON deal.id = s.deal_id
                WHERE \(query.condition) GROUP BY s.status_id ORDER BY s.status_id
                """, arguments: query.arguments
        ).map {
            StatusTime(
                statusId: $0["status_id"], name: $0["name"], stays: $0["stays"], averageSeconds: Int64(max(0, $0["seconds"] as Double)))
        }
        func reasons(_ outcome: String) throws -> [ReasonCount] {
            var byReason: [Int64: (count: Int, values: [String: Int64])] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT COALESCE(reason_id, 0) AS reason, currency, COUNT(*) AS n, SUM(value) AS v FROM deal
                    WHERE \(query.condition) AND outcome = ? GROUP BY 1, 2
                    """, arguments: query.arguments + [outcome])
            {
                let reason: Int64 = row["reason"]
                var entry = byReason[reason] ?? (0, [:])
                entry.count += row["n"] as Int
                entry.values[row["currency"]] = row["v"]
                byReason[reason] = entry
            }
            return byReason.sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }.map {
                ReasonCount(reasonId: $0.key == 0 ? nil : $0.key, count: $0.value.count, values: Money.totals($0.value.values))
            }
        }
        return SalesReport(
            open: counts["open"] ?? 0, won: won, lost: lost, winRate: won + lost == 0 ? nil : Double(won) / Double(won + lost),
            averageDeal: average, averageCycleDays: cycle, timeInStatus: times, winReasons: try reasons("won"),
            lossReasons: try reasons("lost"), budgets: try board.budgets(db, filter: filter, access: access))
    }
}
