import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Storage

/// The settings service: users and sign-in, groups and budgets, reference data, processes,
/// custom fields, configuration and the audit trail. Composes its parts and runs them.
@main
struct SettingsApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "The CRM's settings service.",
        discussion: ServiceEnvironment.discussion(
            [
                ("CRM_ADMIN_PASSWORD", "the first administrator's password (else one is made and written to <data>)"),
                ("CRM_BCRYPT_COST", "bcrypt cost of stored passwords (12)"), ("CRM_SESSION_HOURS", "how long a sign-in lasts (12)"),
            ]))

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let settings = try SettingsOptions.load()
        let start = try ServiceStart(SettingsContract.service, options: options, migrations: SettingsMigrations.register)
        let (config, runtime, database) = (start.config, start.runtime, start.database)
        let hasher = PasswordHasher(cost: settings.bcryptCost)
        try await FirstStart.run(
            database: database, hasher: hasher, options: settings, dataDirectory: config.dataDirectory, logger: runtime.logger)
        let store = SettingsStore(
            database: database, hasher: hasher, sessionLifetime: settings.sessionLifetime,
            owners: BusReferenceOwners(client: runtime.client, timeout: config.requestTimeout))
        let methods = AccountHandlers(store: store).methods
            .merging(ReferenceHandlers(store: store).methods).merging(OrganisationHandlers(store: store).methods)
        try await runtime.run(methods: methods, database: database, snapshot: SettingsSnapshot.page)
    }
}
