import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// A deal's "next follow-up" (sales) is a follow-up task for the deal's sales person (else the
/// customer's owner), linked to the deal and its customer and shown in their calendar feed: set
/// or moved, the open task follows; cleared, or the deal won, lost, postponed or deleted, the
/// open task is cancelled. One open follow-up task per deal.
enum DealFollowUps {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        guard event.type.hasPrefix("deal.") else { return }
        let deal = try Wire.decode(DealChanged.self, from: event.payload).deal
        let open = try Int64.fetchOne(
            db,
            sql: """
                SELECT id FROM task WHERE deal_follow_up = ? AND status IN ('open', 'in_progress') AND deleted_at IS NULL
                ORDER BY id DESC LIMIT 1
                """, arguments: [deal.id])
        guard deal.outcome == "open", deal.deletedAt == nil, let text = deal.nextFollowUp?.nilIfBlank, let due = due(text) else {
            if let open {
                let before = try TaskStore.load(db, id: open)
                var task = before
                TaskStore.setStatus(&task, "cancelled")
                _ = try TaskStore.save(db, outbox, before: before, after: task, actor: "sales")
            }
            return
        }
        let title = String("Follow up: \(deal.subject) (\(deal.customerName))".prefix(300))
        var owner = deal.ownerId ?? deal.customerOwnerId
        if let id = owner, try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE id = ?", arguments: [id]) == nil { owner = nil }
        if let open {
            let before = try TaskStore.load(db, id: open)
            var task = before
            (task.dueDate, task.dueAt, task.dueZone) = due
            task.title = title
            task.ownerId = owner
            guard task != before else { return }
            _ = try TaskStore.save(db, outbox, before: before, after: task, actor: "sales")
            return
        }
        var task = TaskItem()
        task.title = title
        task.ownerId = owner
        (task.dueDate, task.dueAt, task.dueZone) = due
        task.origin = "follow_up"
        task.addToCalendar = true
        task.dealIds = [deal.id]
        if deal.customerKind == "company" { task.companyIds = [deal.customerId] } else { task.contactIds = [deal.customerId] }
        task.createdAt = Date()
        task.updatedAt = task.createdAt
        let saved = try TaskStore.insert(db, outbox, task, actor: "sales")
        try db.execute(sql: "UPDATE task SET deal_follow_up = ? WHERE id = ?", arguments: [deal.id, saved.id])
    }

    /// `2026-12-01` is a day; `2026-12-01T09:00:00Z` (or with an offset) an instant, in UTC when
    /// it names no offset.
    static func due(_ text: String) -> (String?, Date?, String?)? {
        if text.utf8.count == 10 { return CivilDate.parse(text) == nil ? nil : (text, nil, nil) }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return (nil, date, "UTC") }
        }
        let day = String(text.prefix(10))
        guard let days = CivilDate.parse(day) else { return nil }
        // `2026-12-01T09:00` or `T09:00:30`: a wall-clock time with no offset, read as UTC.
        let clock = text.dropFirst(11).prefix(8).split(separator: ":").map { Int($0) }
        if text.dropFirst(10).first == "T", clock.count >= 2, let hour = clock[0], let minute = clock[1], (0..<24).contains(hour),
            (0..<60).contains(minute)
        {
            let second = clock.count > 2 ? min(max(clock[2] ?? 0, 0), 59) : 0
            return (nil, Date(timeIntervalSince1970: Double(days * 86_400 + Int64(hour * 3600 + minute * 60 + second))), "UTC")
        }
        return (day, nil, nil)
    }
}
