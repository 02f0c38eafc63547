import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Keeps the extension index in step with the settings service's user events.
enum UserIndexConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case EventsSnapshot.resetType:
            // Rebuilding from settings' snapshot: extensions and visibility come back from it.
            try db.execute(sql: "DELETE FROM user_index; DELETE FROM setting")
        case SettingsContract.Event.userCreated, SettingsContract.Event.userUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let user = try change.after?.decode(User.self) else { return }
            try UserIndex.set(db, userId: user.id, username: user.username, extension: user.extensionNumber, active: user.active)
        case SettingsContract.Event.configurationUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let section = change.kind, section == "visibility", let value = change.after else { return }
            try db.execute(
                sql: "INSERT INTO setting (section, value) VALUES (?, ?) ON CONFLICT(section) DO UPDATE SET value = excluded.value",
                arguments: [section, String(decoding: try JSONEncoder().encode(value), as: UTF8.self)])
        default:
            return  // other settings events are not for telephony
        }
    }
}
