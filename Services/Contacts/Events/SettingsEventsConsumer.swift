import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Keeps the local copy of settings' reference data, and applies settings' decision when an
/// item in use is deleted: records still using it (say, given it between settings' count and
/// the delete) move to the replacement or lose it.
enum SettingsEventsConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case SettingsContract.Event.referenceCreated, SettingsContract.Event.referenceUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let item = try change.after?.decode(ReferenceItem.self) else { return }
            try db.execute(
                sql: """
                    INSERT INTO reference_item (id, kind, name, active, applies_to) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name = excluded.name, active = excluded.active,
                        applies_to = excluded.applies_to
                    """,
                arguments: [item.id, item.kind.rawValue, item.name, item.active, item.appliesTo])
        case SettingsContract.Event.referenceDeleted:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let id = change.id, let kind = change.kind.flatMap(ReferenceKind.init(rawValue:)) else { return }
            var replacement: Int64?
            if case .int(let value)? = change.details?["replacement_id"] { replacement = value }
            var clear = false
            if case .bool(let value)? = change.details?["clear"] { clear = value }
            if replacement != nil || clear {
                _ = try ReferenceRules.move(db, outbox, kind: kind, from: id, to: replacement, actor: change.actor)
            }
            try db.execute(sql: "DELETE FROM reference_item WHERE id = ?", arguments: [id])
        default:
            return
        }
    }
}
