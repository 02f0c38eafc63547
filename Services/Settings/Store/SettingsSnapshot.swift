import Contracts
import Foundation
import GRDB
import ServiceKit

/// Settings' state as its events (`events.snapshot`): a `user.created` per user, a
/// `reference.created` per reference item, a `field.created` per custom field, and a
/// `configuration.updated` per section, with the payloads the real events carry.
enum SettingsSnapshot {
    static func page(_ db: Database, _ cursor: String?, _ limit: Int) throws -> (events: [(type: String, payload: Data)], next: String?) {
        let (phase, after) = SnapshotCursor.parse(cursor)
        func change(_ entity: String, kind: String? = nil, id: Int64?, _ after: JSONValue?) throws -> Data {
            try Wire.encode(SettingsChange(entity: entity, kind: kind, id: id, actor: nil, before: nil, after: after, details: nil))
        }
        switch phase {
        case 0:
            let users = try User.filter(Column("id") > after).order(Column("id")).limit(limit).fetchAll(db)
            let events = try users.map { (SettingsContract.Event.userCreated, try change("user", id: $0.id, try snapshot($0))) }
            return (events, SnapshotCursor.next(phase: 0, of: 4, lastId: users.last?.id, full: users.count == limit))
        case 1:
            let items = try ReferenceItem.filter(Column("id") > after).order(Column("id")).limit(limit).fetchAll(db)
            let events = try items.map {
                (SettingsContract.Event.referenceCreated, try change("reference", kind: $0.kind.rawValue, id: $0.id, try snapshot($0)))
            }
            return (events, SnapshotCursor.next(phase: 1, of: 4, lastId: items.last?.id, full: items.count == limit))
        case 2:
            let fields = try CustomField.filter(Column("id") > after).order(Column("id")).limit(limit).fetchAll(db)
            let events = try fields.map { (SettingsContract.Event.fieldCreated, try change("custom_field", id: $0.id, try snapshot($0))) }
            return (events, SnapshotCursor.next(phase: 2, of: 4, lastId: fields.last?.id, full: fields.count == limit))
        default:
            let events = try ConfigurationSection.allCases.map { section in
                (
                    SettingsContract.Event.configurationUpdated,
                    try change("configuration", kind: section.rawValue, id: nil, try SettingsStore.section(db, section))
                )
            }
            return (events, nil)
        }
    }
}
