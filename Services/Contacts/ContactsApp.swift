import ArgumentParser
import Contracts
import ServiceKit
import Storage

/// The contacts service: the customer database. Composes its store, bus methods and event
/// consumers and runs them; the behaviour lives in Handlers/, Store/ and Events/.
@main
struct ContactsApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts", abstract: "The CRM's contacts service.",
        discussion: ServiceEnvironment.discussion(
            []))

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let start = try ServiceStart(ContactsContract.service, options: options, migrations: ContactsMigrations.register)
        let (config, runtime, database) = (start.config, start.runtime, start.database)
        let filesDirectory = try config.dataFolder(for: ContactsContract.service) + "/files"
        let store = ContactStore(
            database: database, phones: PhoneNormalizer(defaultCountry: config.defaultCountry),
            calls: BusPersonCalls(client: runtime.client, timeout: config.requestTimeout), filesDirectory: filesDirectory)
        let files = try FileStore(database: database, directory: filesDirectory, maxBytes: config.filesMaxBytes)
        try await files.collectGarbage()
        try await runtime.run(
            methods: ContactHandlers(store: store).methods.merging(FileHandlers(files: files).methods),
            database: database,
            subscriptions: (
                sources: [
                    TelephonyContract.service, SettingsContract.service, NotificationsContract.service, SalesContract.service,
                    TasksContract.service,
                ],
                handler: ContactsEvents.handle
            ),
            snapshot: ContactsSnapshot.page,
            // Search rows of big imports (and those a stop cut short), one drain at a time.
            services: [store.backlog])
    }
}
