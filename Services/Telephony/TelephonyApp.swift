import ArgumentParser
import Contracts
import Logging
import ServiceKit
import ServiceLifecycle
import Storage

/// The telephony service: call events from VOIP systems become a call log, matched to contacts
/// through a phone-number index built from the contacts service's events.
@main
struct TelephonyApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telephony", abstract: "The CRM's telephony service.",
        discussion: ServiceEnvironment.discussion(
            [
                ("CRM_TELEPHONY_INGEST_ENDPOINT", "the ZeroMQ endpoint PBXs stream call events to"),
                ("CRM_CALL_TIMEOUT_SECONDS", "a call with no event this long is closed"),
                ("CRM_AMI_HOST", "an Asterisk manager interface to read calls from"), ("CRM_AMI_PORT", "its port (5038)"),
                ("CRM_AMI_USERNAME", "its user"), ("CRM_AMI_SECRET", "its secret"),
                ("CRM_AMI_PRODUCER", "the producer name its events carry"),
            ]))

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let telephony = try TelephonyOptions.load()
        let start = try ServiceStart(TelephonyContract.service, options: options, migrations: TelephonyMigrations.register)
        let (config, runtime, database) = (start.config, start.runtime, start.database)
        let phones = PhoneNormalizer(defaultCountry: config.defaultCountry)
        // `crm up` names instances telephony.1, telephony.2, ...: the first binds the ZeroMQ
        // ingest endpoint and folds the ingest log; the others serve the bus (HTTP ingest and the
        // call log) on the same data.
        let laterInstance = config.isLaterInstance
        let projector = laterInstance ? nil : Projector(database: database, phones: phones, logger: Logger(label: "telephony.projector"))
        let store = CallStore(database: database, phones: phones, projector: projector)
        var parts: [any Service] = [
            StaleCallCloser(store: store, timeout: telephony.callTimeout, logger: Logger(label: "telephony.timeouts"))
        ]
        if let projector { parts.append(ProjectorService(projector: projector)) }
        if let ami = telephony.ami, !laterInstance {
            parts.append(AMIConnector(options: ami, database: database, phones: phones, logger: Logger(label: "telephony.ami")))
        }
        if let endpoint = telephony.ingestEndpoint, let projector {
            parts.append(
                IngestEndpoint(
                    context: runtime.context, endpoint: endpoint, database: database, phones: phones, projector: projector,
                    identities: runtime.curve.map { ($0.secretKey, config.keyFolder.producers) },
                    logger: Logger(label: "telephony.ingest")))
        }
        try await runtime.run(
            methods: CallHandlers(store: store).methods,
            database: database,
            subscriptions: (
                sources: [ContactsContract.service, SettingsContract.service],
                handler: { [consumer = PhoneIndexConsumer(phones: phones)] event, db, outbox in
                    switch event.source {
                    case ContactsContract.service: try consumer.handle(event, db, outbox)
                    case SettingsContract.service: try UserIndexConsumer.handle(event, db, outbox)
                    default: return
                    }
                }
            ),
            snapshot: TelephonySnapshot.page,
            services: parts)
    }
}
