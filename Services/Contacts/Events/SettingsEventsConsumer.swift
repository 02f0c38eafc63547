import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Keeps the local copies of settings' reference data, custom fields and configuration, and
/// applies settings' decision when an item in use is deleted: records still using it (say, given
/// it between settings' count and the delete) move to the replacement or lose it.
enum SettingsEventsConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case EventsSnapshot.resetType:
            // Rebuilding from settings' snapshot: the copies come back from it.
            try db.execute(sql: "DELETE FROM reference_item; DELETE FROM custom_field; DELETE FROM setting")
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
        case SettingsContract.Event.fieldCreated, SettingsContract.Event.fieldUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let field = try change.after?.decode(CustomField.self) else { return }
            try db.execute(
                sql: """
                    INSERT INTO custom_field (id, applies_to, key, type, options, required, active) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET applies_to = excluded.applies_to, key = excluded.key, type = excluded.type,
                        options = excluded.options, required = excluded.required, active = excluded.active
                    """,
                arguments: [
                    field.id, field.appliesTo, field.key, field.type,
                    String(decoding: try JSONEncoder().encode(field.options), as: UTF8.self),
                    field.required, field.active,
                ])
        case SettingsContract.Event.fieldDeleted:
            guard let id = try Wire.decode(SettingsChange.self, from: event.payload).id else { return }
            // Values already stored under the key stay (they are data); new ones are refused.
            try db.execute(sql: "DELETE FROM custom_field WHERE id = ?", arguments: [id])
        case SettingsContract.Event.configurationUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let section = change.kind, let value = change.after else { return }
            try db.execute(
                sql: "INSERT INTO setting (section, value) VALUES (?, ?) ON CONFLICT(section) DO UPDATE SET value = excluded.value",
                arguments: [section, String(decoding: try JSONEncoder().encode(value), as: UTF8.self)])
        default:
            return
        }
    }
}
