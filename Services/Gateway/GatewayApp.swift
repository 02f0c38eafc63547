import ArgumentParser
import Bus
import Contracts
import Foundation
import Hummingbird
import Logging
import ServiceKit

/// The HTTP gateway: the JSON API under /api/v1 (and later the web UI), translated into bus
/// requests. It owns no data.
@main
struct GatewayApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway", abstract: "The CRM's HTTP API gateway.",
        discussion: ServiceEnvironment.discussion(
            [
                ("CRM_TWILIO_AUTH_TOKEN", "checks the signature of Twilio's webhooks"),
                ("CRM_VONAGE_SIGNATURE_SECRET", "checks the signature of Vonage's webhooks"),
            ]))

    @OptionGroup var options: CommonOptions

    @Flag(name: .customLong("print-openapi"), help: "Print the OpenAPI document and exit.")
    var printOpenAPI = false

    func run() async throws {
        var config = try ServiceConfig.load(options: options)
        // Printing the document talks to nobody: it needs no bus identity.
        if printOpenAPI { config.identities = false }
        LogSetup.bootstrap(config, service: "gateway")
        let runtime = try ServiceRuntime(name: "gateway", config: config)
        let gateway = GatewayRoutes(bus: runtime.client, config: config, logger: runtime.logger)
        let router = gateway.router, authenticator = gateway.authenticator, document = gateway.document
        if printOpenAPI {
            FileHandle.standardOutput.write(document.data)
            runtime.client.close()
            runtime.context.terminate()
            return
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(config.httpHost, port: config.httpPort), serverName: "crm-gateway"),
            logger: Logger(label: "gateway.http"))
        let credentialEvents = EventSubscriber(
            context: runtime.context, endpoint: config.eventsSubscribeEndpoint, client: runtime.client,
            sources: [SettingsContract.service],
            applier: CredentialEvents(client: runtime.client, authenticator: authenticator), curve: runtime.curve,
            logger: Logger(label: "gateway.subscriber"))
        try await runtime.run(
            methods: MethodTable(service: "gateway"),
            services: [credentialEvents, app])
    }
}
