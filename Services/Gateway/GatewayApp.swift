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
    static let configuration = CommandConfiguration(commandName: "gateway", abstract: "The CRM's HTTP API gateway.")

    @OptionGroup var options: CommonOptions

    @Flag(name: .customLong("print-openapi"), help: "Print the OpenAPI document and exit.")
    var printOpenAPI = false

    func run() async throws {
        var config = try ServiceConfig.load(options: options)
        // Printing the document talks to nobody: it needs no bus identity.
        if printOpenAPI { config.identities = false }
        LogSetup.bootstrap(level: config.logLevel)
        let runtime = try ServiceRuntime(name: "gateway", config: config)
        let api = APIForwarder(
            client: runtime.client, timeout: config.requestTimeout, maxBody: config.httpMaxBody, maxImport: config.httpMaxImport)
        let authenticator = Authenticator(client: runtime.client, timeout: config.requestTimeout)
        let router = Router(context: GatewayContext.self)
        router.middlewares.add(ErrorMiddleware(logger: runtime.logger))
        router.middlewares.add(AuthMiddleware(authenticator: authenticator, publicURL: config.publicURL))
        let allowedMethods = AllowedMethods()
        router.middlewares.add(MethodMiddleware(allowed: allowedMethods))
        var routes = APIRouter(router: router, maxBody: config.httpMaxBody)
        HealthRoutes(client: runtime.client).register(on: &routes)
        AccountRoutes(api: api, authenticator: authenticator, publicURL: config.publicURL).register(on: &routes)
        SettingsRoutes(api: api).register(on: &routes)
        OrganisationRoutes(api: api).register(on: &routes)
        ContactRoutes(api: api).register(on: &routes)
        CompanyRoutes(api: api).register(on: &routes)
        NoteRoutes(api: api).register(on: &routes)
        ExchangeRoutes(api: api).register(on: &routes)
        DuplicateRoutes(api: api).register(on: &routes)
        FileRoutes(api: api, maxBytes: config.filesMaxBytes).register(on: &routes)
        TelephonyRoutes(api: api, signatures: ProviderSignature.load()).register(on: &routes)
        let document = OpenAPIRoutes.register(on: &routes)
        allowedMethods.set(routes.routes)
        if printOpenAPI {
            FileHandle.standardOutput.write(document)
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
