import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage
import TestKit
import Testing

@testable import SalesService

/// The deal rules on a database of their own, with settings' and contacts' side written as
/// their events would: probabilities, versions, stage history, and the board's column totals
/// always equal to a plain GROUP BY of the deals.
@Suite("Sales: deals and the board's totals")
struct DealStoreTests {
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")
    let store: DealStore

    init() async throws {
        let database = try ServiceDatabase(inMemory: SalesMigrations.register)
        store = DealStore(database: database, defaultCurrency: "NOK")
        try await database.write { db, outbox in
            try db.execute(sql: "INSERT INTO user (id, name, boss, active) VALUES (1, 'Admin', 1, 1), (2, 'Selger', 0, 1)")
            let process = CRMProcess(
                id: 7, name: "Sales", isDefault: true,
                statuses: [
                    ProcessStatus(id: 71, name: "Prospect", probability: 10, final: nil),
                    ProcessStatus(id: 72, name: "Offer", probability: 50, final: nil),
                    ProcessStatus(id: 73, name: "Order", probability: 100, final: "won"),
                    ProcessStatus(id: 74, name: "Lost", probability: 0, final: "lost"),
                ], subjectLabels: nil, weightLabels: nil, createdAt: Date(), updatedAt: Date())
            try SettingsConsumer.store(process, db, outbox, replacements: [:])
            for id in 1...20 {
                try CustomersConsumer.set(
                    db, kind: "company", id: Int64(id), name: "Company \(id)", owner: Int64(id % 2 + 1), deleted: false)
            }
        }
    }

    func create(_ customer: Int64, value: Int64, currency: String, status: Int64? = nil, expected: String? = nil) async throws -> Deal {
        let data = try await store.create(
            CreateDealRequest(
                customerKind: "company", customerId: customer, subject: "Deal \(customer)", statusId: status, value: value,
                currency: currency,
                expectedClose: expected),
            headers: Self.boss, requestId: UUID().uuidString)
        return try Wire.decode(Deal.self, from: data)
    }

    /// The totals table against the deals themselves.
    func totalsAgree() async throws {
        try await store.database.read { db in
            let kept = try Row.fetchAll(
                db,
                sql: """
                    SELECT project_id, outcome, status_id, owner_key, currency, count, projected, weighted, actual FROM deal_total
                    WHERE count != 0 ORDER BY 1, 2, 3, 4, 5
                    """)
            let counted = try Row.fetchAll(
                db,
                sql: """
                    SELECT project_id, outcome, status_id, COALESCE(customer_owner_id, 0), currency, COUNT(*), SUM(value), SUM(weighted),
                        SUM(COALESCE(actual_value, 0))
                    FROM deal WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
                    """)
            #expect(kept.map { Array($0.databaseValues) } == counted.map { Array($0.databaseValues) })
        }
    }

    @Test("a probability follows its status until set by hand; won is 100, lost 0; weighted rounds down")
    func probabilities() async throws {
        var deal = try await create(1, value: 999, currency: "NOK")
        #expect(deal.probability == 10 && deal.probabilitySource == "status" && deal.weightedValue == 99)
        deal = try Wire.decode(
            Deal.self,
            from: try await store.update(UpdateDealRequest(id: deal.id, version: 1, probability: 33), headers: Self.boss, requestId: "p1"))
        #expect(deal.probability == 33 && deal.probabilitySource == "manual")
        let moved = try Wire.decode(
            MovedDeal.self,
            from: try await store.move(
                MoveDealRequest(id: deal.id, version: 2, statusId: 72), headers: Self.boss, requestId: "p2", board: BoardQuery()))
        #expect(moved.deal.probability == 33 && moved.deal.statusName == "Offer")
        let won = try Wire.decode(
            Deal.self,
            from: try await store.close(CloseDealRequest(id: deal.id, version: 3), as: "win", headers: Self.boss, requestId: "p3"))
        #expect(won.probability == 100 && won.outcome == "won" && won.actualValue == 999 && won.statusId == 73)
        let reopened = try Wire.decode(
            Deal.self,
            from: try await store.close(CloseDealRequest(id: deal.id, version: 4), as: "reopen", headers: Self.boss, requestId: "p4"))
        #expect(reopened.statusId == 72 && reopened.probability == 50 && reopened.actualValue == nil)
        let history = try await store.history(id: deal.id, headers: Self.boss)
        #expect(history.map(\.statusName) == ["Prospect", "Offer", "Order", "Offer"])
        await expectBusError(.conflict) {
            _ = try await store.update(UpdateDealRequest(id: deal.id, version: 1, value: 5), headers: Self.boss, requestId: "p5")
        }
        try await totalsAgree()
    }

    @Test("the totals table equals a GROUP BY of the deals after any mix of changes")
    func totalsStayTrue() async throws {
        var generator = SystemRandomNumberGenerator()
        var deals: [Deal] = []
        for index in 0..<40 {
            deals.append(
                try await create(
                    Int64(index % 20 + 1), value: Int64.random(in: 0...1_000_000, using: &generator),
                    currency: ["NOK", "EUR", "SEK"][index % 3],
                    expected: index % 4 == 0 ? nil : "2026-\(String(format: "%02d", index % 12 + 1))-15"))
        }
        for step in 0..<200 {
            let index = Int.random(in: 0..<deals.count, using: &generator)
            let dealId = deals[index].id
            let deal = try await store.database.read { db in try DealStore.load(db, id: dealId, deleted: nil) }
            let id = "s\(step)"
            switch Int.random(in: 0..<7, using: &generator) {
            case 0:
                _ = try? await store.move(
                    MoveDealRequest(id: deal.id, version: deal.version, statusId: [71, 72][step % 2]), headers: Self.boss, requestId: id,
                    board: BoardQuery())
            case 1:
                _ = try? await store.close(
                    CloseDealRequest(id: deal.id, version: deal.version), as: "win", headers: Self.boss, requestId: id)
            case 2:
                _ = try? await store.close(
                    CloseDealRequest(id: deal.id, version: deal.version), as: "lose", headers: Self.boss, requestId: id)
            case 3:
                _ = try? await store.update(
                    UpdateDealRequest(id: deal.id, version: deal.version, value: Int64(step * 1000), currency: "EUR"), headers: Self.boss,
                    requestId: id)
            case 4:
                _ = try? await store.delete(
                    DealVersionRequest(id: deal.id, version: deal.version), restore: deal.deletedAt != nil, headers: Self.boss,
                    requestId: id)
            case 5:
                // The customer changes owner in contacts.
                try await store.database.write { db, _ in
                    try CustomersConsumer.set(
                        db, kind: "company", id: deal.customerId, name: "Renamed", owner: Int64(step % 3), deleted: false)
                }
            default:
                _ = try? await store.close(
                    CloseDealRequest(id: deal.id, version: deal.version), as: "reopen", headers: Self.boss, requestId: id)
            }
        }
        try await totalsAgree()
        // The forecast from its kept sums equals the forecast counted from the deals (a period
        // filter that leaves nothing out takes the counting way).
        let reports = SalesReports(board: BoardQuery())
        for by in ["month", "quarter"] {
            let (kept, counted) = try await store.database.read { db in
                (
                    try reports.forecast(db, ForecastRequest(filter: DealFilter(projectId: 1), by: by), headers: Self.boss),
                    try reports.forecast(
                        db, ForecastRequest(filter: DealFilter(projectId: 1, from: "0001-01-01", to: "9999-12-31"), by: by),
                        headers: Self.boss)
                )
            }
            #expect(kept == counted && !kept.rows.isEmpty)
        }
    }

    @Test("money: amounts people type, budgets in minor units, weight labels' numbers, budget periods, days")
    func parsing() {
        #expect(ProcessRow.percent(in: "High (75%)") == 75 && ProcessRow.percent(in: "Low") == nil && ProcessRow.percent(in: "1000") == nil)
        #expect(Money.minorUnits(12500.5, currency: "NOK") == 1_250_050 && Money.minorUnits(100, currency: "JPY") == 100)
        #expect(Money.minorUnits(.infinity, currency: "NOK") == nil && Money.minorUnits(1e300, currency: "NOK") == nil)
        #expect(Money.weighted(Money.maxValue, 100) == Money.maxValue)
        #expect(
            BoardQuery.days(of: "2026-Q4")! == ("2026-10-01", "2026-12-31")
                && BoardQuery.days(of: "2026-02")! == ("2026-02-01", "2026-02-31"))
        #expect(BoardQuery.days(of: "2026-Q5") == nil && BoardQuery.days(of: "x") == nil)
        #expect(DealStore.isDate("2024-02-29") && !DealStore.isDate("2026-02-29") && !DealStore.isDate("2026-13-01"))
    }
}
