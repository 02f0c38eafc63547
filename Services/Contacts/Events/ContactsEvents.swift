import Bus
import Contracts
import GRDB
import Storage

/// Every event the contacts service consumes, by source. Unknown sources and types are ignored
/// quietly, so new publishers never break it.
enum ContactsEvents {
    static func handle(_ event: BusEvent, _ db: Database, _ outbox: Outbox) throws {
        switch event.source {
        case TelephonyContract.service: try CallEventsConsumer.handle(event, db, outbox)
        case SettingsContract.service: try SettingsEventsConsumer.handle(event, db, outbox)
        case NotificationsContract.service: try MessageEventsConsumer.handle(event, db, outbox)
        case SalesContract.service: try DealEventsConsumer.handle(event, db, outbox)
        case TasksContract.service: try TaskEventsConsumer.handle(event, db, outbox)
        default: return
        }
    }
}
