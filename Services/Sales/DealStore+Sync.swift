import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Deals kept in step with settings (a status removed or reweighed) and contacts (a customer
// renamed, given another owner, or anonymised), in the consumer's transaction.
extension DealStore {

    /// A status that went from its process: its deals move to `toStatus`.
    static func moveAll(_ db: Database, _ outbox: Outbox, fromStatus: Int64, toStatus: Int64, actor: String) throws {
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM deal WHERE status_id = ?", arguments: [fromStatus])
        guard !ids.isEmpty else { return }
        for id in ids {
            let before = try load(db, id: id, deleted: nil)
            var deal = before
            let process = try Processes.load(db, id: deal.processId)
            let now = Date()
            enter(&deal, try process.status(toStatus), now: now)
            try process.setProbability(&deal, manual: nil, label: nil, keep: true)
            _ = try save(db, outbox, before: before, after: deal, actor: actor, now: now)
        }
    }

    /// A status's probability changed: deals whose probability follows it follow.
    static func reweigh(_ db: Database, statusId: Int64, probability: Int) throws {
        let rows = try Row.fetchAll(
            db,
            sql:
                "SELECT \(columns) FROM deal WHERE status_id = ? AND probability_source = 'status' AND outcome = 'open' AND probability != ?",
            arguments: [statusId, probability])
        for row in rows {
            let before = try deal(from: row, db)
            var deal = before
            deal.probability = probability
            deal.weightedValue = Money.weighted(deal.value, probability)
            if before.deletedAt == nil { try Totals.remove(db, before) }
            try db.execute(
                sql: "UPDATE deal SET probability = ?, weighted = ? WHERE id = ?", arguments: [probability, deal.weightedValue, deal.id])
            if deal.deletedAt == nil { try Totals.add(db, deal) }
        }
    }

    /// A customer's name or owner changed in contacts.
    static func customerChanged(_ db: Database, kind: String, id: Int64, name: String, owner: Int64?) throws {
        let rows = try Row.fetchAll(
            db, sql: "SELECT \(columns) FROM deal WHERE customer_kind = ? AND customer_id = ?", arguments: [kind, id])
        for row in rows {
            let before = try deal(from: row, db)
            if before.deletedAt == nil { try Totals.remove(db, before) }
            var deal = before
            deal.customerName = name
            deal.customerOwnerId = owner
            try db.execute(
                sql: "UPDATE deal SET customer_name = ?, customer_owner_id = ? WHERE id = ?", arguments: [name, owner, deal.id])
            if deal.deletedAt == nil { try Totals.add(db, deal) }
        }
    }

    /// GDPR: a contact anonymised. Their deals lose the personal text (the name, a free
    /// subject, notes and follow-up); values, currencies, statuses and reasons stay for the
    /// statistics. Their part in other deals goes.
    static func scrub(_ db: Database, _ outbox: Outbox, contactId: Int64) throws {
        try db.execute(sql: "DELETE FROM customer WHERE kind = 'contact' AND id = ?", arguments: [contactId])
        try db.execute(sql: "DELETE FROM deal_person WHERE kind = 'contact' AND person_id = ?", arguments: [contactId])
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, process_id, subject FROM deal WHERE customer_kind = 'contact' AND customer_id = ?", arguments: [contactId])
        for row in rows {
            let id: Int64 = row["id"]
            let labels = try Processes.load(db, id: row["process_id"]).subjectLabels
            let subject: String = row["subject"]
            let kept = labels?.contains(subject) == true ? subject : "(anonymised)"
            try db.execute(
                sql: """
                    UPDATE deal SET customer_name = '', subject = ?, reason_note = NULL, next_follow_up = NULL, version = version + 1,
                        updated_at = ? WHERE id = ?
                    """, arguments: [kept, DatabaseDate.string(Date()), id])
        }
    }
}
