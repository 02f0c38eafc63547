import ArgumentParser
import Contracts
import Foundation
import Logging
import NotificationsCore
import ServiceKit
import ServiceLifecycle
import Storage

/// The notifications service: e-mail over SMTP and SMS through a provider's HTTP API, one at a
/// time or in batches, each sent once and its outcome kept; consent and opt-out.
@main
struct NotificationsApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications", abstract: "The CRM's notifications service.",
        discussion: ServiceEnvironment.discussion(
            [
                ("CRM_SMTP_URL", "the mail server: smtp://user:password@host:587 or smtps://"),
                ("CRM_SMTP_CA_FILE", "a CA bundle for the mail server's certificate"), ("CRM_MAIL_FROM", "the sender of mail"),
                ("CRM_SMS_PROVIDER", "twilio or vonage"), ("CRM_SMS_FROM", "the sender of service SMS"),
                ("CRM_SMS_FROM_MARKETING", "the sender of marketing SMS"), ("CRM_SMS_RATE", "SMS per second"),
                ("CRM_SMS_PRICE", "price per SMS part"), ("CRM_SMS_CURRENCY", "its currency"),
                ("CRM_SMS_QUIET_HOURS", "hours marketing SMS wait out"), ("CRM_SMS_TIME_ZONE", "the zone of the quiet hours"),
                ("CRM_SMS_STOP_WORDS", "replies that opt a number out"), ("CRM_SMS_FAILURE_THRESHOLD", "failures that pause a batch"),
                ("CRM_SMS_RECONCILE_AFTER", "seconds before an unanswered send is looked up"),
                ("CRM_TWILIO_ACCOUNT_SID", "Twilio account"), ("CRM_TWILIO_AUTH_TOKEN", "Twilio token"),
                ("CRM_TWILIO_API_URL", "Twilio's API address (tests)"), ("CRM_VONAGE_API_KEY", "Vonage key"),
                ("CRM_VONAGE_API_SECRET", "Vonage secret"), ("CRM_VONAGE_API_URL", "Vonage's API address (tests)"),
                ("CRM_VONAGE_REPORTS_URL", "Vonage's reports address (tests)"),
            ]))

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let mail = try MailOptions.load()
        let smsOptions = try SMSOptions.load()
        let start = try ServiceStart(NotificationsContract.service, options: options, migrations: NotificationsMigrations.register)
        let (config, runtime, database) = (start.config, start.runtime, start.database)
        let store = MessageStore(database: database, from: mail.from)
        let sms = SMSStore(database: database, options: smsOptions, phones: PhoneNormalizer(defaultCountry: config.defaultCountry))
        let batches = BatchStore(database: database, options: smsOptions)
        // Only the first instance sends, so two never take the same mail.
        let laterInstance = config.isLaterInstance
        runtime.reportQueues { await NotificationsMetrics.queues(database) }
        Telemetry.onScrape { await NotificationsMetrics.recordBatches(database) }
        var parts: [any Service] = []
        if !laterInstance {
            parts.append(MailSender(store: store, smtp: mail.smtp, logger: Logger(label: "notifications.mail")))
            parts.append(
                SMSSender(
                    store: sms, provider: smsOptions.provider.map(SMSProvider.init), options: smsOptions,
                    logger: Logger(label: "notifications.sms")))
        }
        try await runtime.run(
            methods: MessageHandlers(store: store, sms: sms, batches: batches).methods, database: database,
            subscriptions: (
                sources: [ContactsContract.service, SettingsContract.service],
                handler: { event, db, outbox in
                    switch event.source {
                    case ContactsContract.service: try ContactsConsumer.handle(event, db, outbox)
                    case SettingsContract.service: try UsersConsumer.handle(event, db, outbox)
                    default: return
                    }
                }
            ),
            snapshot: NotificationsSnapshot.page, services: parts)
    }
}

/// The mail settings (`CRM_SMTP_URL`, `CRM_MAIL_FROM`, `CRM_SMTP_CA_FILE`).
struct MailOptions: Sendable {
    /// Nil: mail is queued and waits until a server is configured.
    var smtp: SMTPConfiguration?
    var from: String

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MailOptions {
        var smtp: SMTPConfiguration?
        if let url = environment["CRM_SMTP_URL"], !url.isEmpty {
            do {
                smtp = try SMTPConfiguration.parse(url)
            } catch {
                throw ConfigError("CRM_SMTP_URL: \(error)")
            }
            smtp?.trustRootsFile = environment["CRM_SMTP_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        }
        let from = environment["CRM_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 } ?? "crm@localhost.localdomain"
        guard MailAddress(from).isValid else { throw ConfigError("CRM_MAIL_FROM '\(from)' is not an e-mail address") }
        return MailOptions(smtp: smtp, from: from)
    }
}
