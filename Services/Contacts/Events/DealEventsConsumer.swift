import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Puts the sales service's deal events into the history of the customer they are for (the
/// company or the consumer contact): created, moved from one status to another, won, lost,
/// postponed, reopened, deleted and restored; plain field changes are left to the deal's own
/// stage history. Each entry names the deal, its value and where it went.
enum DealEventsConsumer {
    typealias E = SalesContract.Event

    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        guard event.type != E.updated else { return }
        guard [E.created, E.moved, E.won, E.lost, E.postponed, E.reopened, E.deleted, E.restored].contains(event.type) else { return }
        let change = try Wire.decode(DealChanged.self, from: event.payload)
        let deal = change.deal
        let what = "\"\(deal.subject.prefix(80))\" (\(amount(deal.value, deal.currency)))"
        let text: String
        switch event.type {
        case E.created: text = "Deal created: \(what) in \(deal.statusName)"
        case E.moved: text = "Deal moved: \(what) from \(change.fromStatusName ?? "?") to \(deal.statusName)"
        case E.won:
            text = "Deal won: \(what)\(deal.actualValue.map { $0 != deal.value ? ", sold for \(amount($0, deal.currency))" : "" } ?? "")"
        case E.lost: text = "Deal lost: \(what)\(deal.reasonNote.map { " — \($0.prefix(100))" } ?? "")"
        case E.postponed: text = "Deal postponed: \(what)"
        case E.reopened: text = "Deal reopened: \(what) in \(deal.statusName)"
        case E.deleted: text = "Deal deleted: \(what)"
        default: text = "Deal restored: \(what)"
        }
        let at = DatabaseDate.string(deal.updatedAt)
        let table = deal.customerKind == "company" ? "company" : "contact"
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE id = ?", arguments: [deal.customerId]) != nil else { return }
        // One entry per change of the deal (its version), so a repeated event adds nothing.
        try db.execute(
            sql: "INSERT OR IGNORE INTO \(table)_history (\(table)_id, kind, at, actor, summary, ref) VALUES (?, 'deal', ?, ?, ?, ?)",
            arguments: [deal.customerId, at, change.actor, String(text.prefix(300)), "deal:\(deal.id):\(deal.version)"])
    }

    /// Minor units as the amount people read: `12500.00 NOK`.
    static func amount(_ minor: Int64, _ currency: String) -> String { "\(MinorUnits.text(minor, currency)) \(currency)" }
}
