import ArgumentParser
import Bus
import Contracts
import Foundation
import ServiceKit
import Storage

/// The sales service: projects and deals, the sales board, forecasts and reports, kept in step
/// with settings (processes, reference lists, budgets, users) and contacts (customers).
@main
struct SalesApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sales", abstract: "The CRM's sales service.",
        discussion: ServiceEnvironment.discussion(
            [("CRM_SALES_CURRENCY", "the currency of a deal created without one (NOK)")]))

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let currency = ProcessInfo.processInfo.environment["CRM_SALES_CURRENCY"].flatMap { $0.isEmpty ? nil : $0.uppercased() } ?? "NOK"
        guard Money.isKnown(currency) else { throw ConfigError("CRM_SALES_CURRENCY '\(currency)' is not an ISO 4217 code") }
        let start = try ServiceStart(SalesContract.service, options: options, migrations: SalesMigrations.register)
        let deals = DealStore(database: start.database, defaultCurrency: currency)
        try await start.runtime.run(
            methods: SalesHandlers(deals: deals).methods, database: start.database,
            subscriptions: (
                sources: [SettingsContract.service, ContactsContract.service],
                handler: { event, db, outbox in
                    switch event.source {
                    case SettingsContract.service: try SettingsConsumer.handle(event, db, outbox)
                    case ContactsContract.service: try CustomersConsumer.handle(event, db, outbox)
                    default: return
                    }
                }
            ),
            snapshot: SalesSnapshot.page)
    }
}
