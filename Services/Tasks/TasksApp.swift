import ArgumentParser
import Bus
import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit
import Storage

/// The tasks service: tasks and their board, call-back tasks from missed calls, appointments
/// with invitations and answers, calendars and feeds; kept in step with settings (users,
/// task categories, groups, visibility), contacts (customers), telephony (missed calls) and
/// sales (a deal's next follow-up).
@main
struct TasksApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "The CRM's tasks and calendar service.",
        discussion: ServiceEnvironment.discussion(
            [
                ("CRM_CALLBACK_DUE_MINUTES", "a missed call's call-back task is due this long after it (120)"),
                ("CRM_MAIL_FROM", "the address meeting invitations come from"),
            ]))

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let minutes = environment["CRM_CALLBACK_DUE_MINUTES"].flatMap { $0.isEmpty ? nil : $0 }
        let dueAfter: TimeInterval
        if let minutes {
            guard let value = Int(minutes), (0...10_080).contains(value) else {
                throw ConfigError("CRM_CALLBACK_DUE_MINUTES '\(minutes)' is a number of minutes from 0 to 10080")
            }
            dueAfter = TimeInterval(value * 60)
        } else {
            dueAfter = 2 * 3600
        }
        let from = environment["CRM_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 } ?? "crm@localhost.localdomain"
        guard InvitationMail.isAddress(from) else { throw ConfigError("CRM_MAIL_FROM '\(from)' is not an e-mail address") }
        let start = try ServiceStart(TasksContract.service, options: options, migrations: TasksMigrations.register)
        let config = start.config
        let mail = InvitationMail(from: from, baseURL: config.publicURL ?? "http://\(config.httpHost):\(config.httpPort)")
        let tasks = TaskStore(database: start.database)
        let appointments = AppointmentStore(database: start.database, mail: mail)
        let sender = InvitationSender(
            database: start.database, client: start.runtime.client, timeout: config.requestTimeout,
            logger: Logger(label: "tasks.invitations"))
        try await start.runtime.run(
            methods: TasksHandlers(tasks: tasks, appointments: appointments, feeds: Feeds(database: start.database)).methods,
            database: start.database,
            subscriptions: (
                sources: [SettingsContract.service, ContactsContract.service, TelephonyContract.service, SalesContract.service],
                handler: { event, db, outbox in
                    switch event.source {
                    case SettingsContract.service: try SettingsConsumer.handle(event, db, outbox)
                    case ContactsContract.service: try CustomersConsumer.handle(event, db, outbox)
                    case TelephonyContract.service: try CallBacks.handle(event, db, outbox, dueAfter: dueAfter)
                    case SalesContract.service: try DealFollowUps.handle(event, db, outbox)
                    default: return
                    }
                }
            ),
            snapshot: TasksSnapshot.page, services: [sender])
    }
}

/// Tasks' state as events for a subscriber that fell behind the outbox's retention: every task
/// as `task.updated`, then every appointment as `appointment.updated`.
enum TasksSnapshot {
    static func page(_ db: Database, _ cursor: String?, _ limit: Int) throws -> (events: [(type: String, payload: Data)], next: String?) {
        let (phase, after) = SnapshotCursor.parse(cursor)
        if phase == 0 {
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM task WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
            let events = try ids.map { id -> (type: String, payload: Data) in
                (
                    TasksContract.Event.taskUpdated,
                    try Wire.encode(TaskChanged(task: try TaskStore.load(db, id: id, deleted: nil), actor: nil))
                )
            }
            return (events, SnapshotCursor.next(phase: 0, of: 2, lastId: ids.last, full: ids.count == limit))
        }
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM appointment WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
        let events = try ids.map { id -> (type: String, payload: Data) in
            (
                TasksContract.Event.appointmentUpdated,
                try Wire.encode(AppointmentChanged(appointment: try AppointmentStore.load(db, id: id), actor: nil))
            )
        }
        return (events, SnapshotCursor.next(phase: 1, of: 2, lastId: ids.last, full: ids.count == limit))
    }
}
