import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Sales budgets: an amount per sales person per month (`2026-11`), quarter (`2026-Q4`) or year (`2026`).
extension SettingsStore {
    func listBudgets(_ request: ListBudgetsRequest) async throws -> [SalesBudget] {
        try await database.read { db in
            var query = SalesBudget.order(Column("user_id"), Column("period"))
            if let user = request.userId { query = query.filter(Column("user_id") == user) }
            if let year = request.year { query = query.filter(Column("period").like("\(year)%")) }
            return try query.fetchAll(db)
        }
    }

    func setBudget(_ request: SetBudgetRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        let periodType = try Self.periodType(request.period)
        guard request.amount.isFinite, request.amount >= 0 else { throw BusError.invalid("a budget's amount is zero or more") }
        guard let currency = request.currency?.trimmed.uppercased(), currency.count == 3, currency.allSatisfy(\.isLetter) else {
            throw BusError.invalid("a budget needs its currency as a three-letter ISO 4217 code (NOK, EUR, USD)")
        }
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.setBudget) { db, outbox in
            // The user is named in the body, not the path: one that does not exist is a conflict (ADR 008).
            let user = try BusError.recoding(.notFound, as: .conflict) { try Self.user(db, id: request.userId) }
            let inSales =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM group_member JOIN employee_group ON employee_group.id = group_member.group_id
                        WHERE group_member.user_id = ? AND employee_group.type = 'sales'
                        """, arguments: [user.id]) ?? 0
            guard inSales > 0 else {
                throw BusError.conflict("\(user.username) is not a member of a sales group, so has no sales budget")
            }
            let before = try SalesBudget.filter(Column("user_id") == user.id && Column("period") == request.period).fetchOne(db)
            let budget = SalesBudget(
                id: try before?.id ?? db.nextId("sales_budget"), userId: user.id, periodType: periodType, period: request.period,
                amount: request.amount, currency: currency, updatedAt: Date())
            try budget.save(db)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.budgetSet, entity: "budget", id: budget.id, actor: headers.actor,
                before: snapshot(before), after: snapshot(budget))
            return budget
        }
    }

    func deleteBudget(id: Int64, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.deleteBudget) { db, outbox in
            guard let budget = try SalesBudget.fetchOne(db, key: id) else { throw BusError.notFound("budget \(id) does not exist") }
            try budget.delete(db)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.budgetDeleted, entity: "budget", id: id, actor: headers.actor,
                before: snapshot(budget), after: nil)
            return Done()
        }
    }

    /// `month`, `quarter` or `year` for a period written `2026-11`, `2026-Q4` or `2026`.
    static func periodType(_ period: String) throws -> String {
        let parts = period.split(separator: "-", omittingEmptySubsequences: false)
        if let year = Int(parts[0]), parts[0].count == 4, (1900...9999).contains(year) {
            if parts.count == 1 { return "year" }
            if parts.count == 2 {
                if parts[1].count == 2, let month = Int(parts[1]), (1...12).contains(month) { return "month" }
                if parts[1].count == 2, parts[1].first == "Q", let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) {
                    return "quarter"
                }
            }
        }
        throw BusError.invalid("period '\(period)' must be a month (2026-11), a quarter (2026-Q4) or a year (2026)")
    }
}
