import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Keeps the extension index in step with the settings service's user events.
enum UserIndexConsumer {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.type {
        case SettingsContract.Event.userCreated, SettingsContract.Event.userUpdated:
            let change = try Wire.decode(SettingsChange.self, from: event.payload)
            guard let user = try change.after?.decode(User.self) else { return }
            try UserIndex.set(db, userId: user.id, username: user.username, extension: user.extensionNumber, active: user.active)
        default:
            return  // other settings events are not for telephony
        }
    }
}
