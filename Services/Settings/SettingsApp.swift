import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Storage

/// The settings service: users and sign-in, groups and budgets, reference data, processes,
/// custom fields, configuration and the audit trail. Composes its parts and runs them.
@main
struct SettingsApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "settings", abstract: "The CRM's settings service.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try ServiceConfig.load(options: options)
        let settings = try SettingsOptions.load()
        LogSetup.bootstrap(level: config.logLevel)
        let runtime = try ServiceRuntime(name: SettingsContract.service, config: config)
        let database = try ServiceDatabase(
            path: try config.dataFolder(for: SettingsContract.service) + "/settings.sqlite",
            migrations: SettingsMigrations.register)
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
