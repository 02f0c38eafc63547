import Bus
import Foundation
import Hummingbird
import Logging
import ServiceKit

/// The gateway's whole HTTP surface on a router: middleware (errors, credentials, methods) and
/// every resource's routes, talking to the services through `bus`. The executable passes the
/// bus client; the gateway's own tests pass a stand-in and run the routes in process.
struct GatewayRoutes {
    let router: Router<GatewayContext>
    /// The OpenAPI document of the routes.
    let document: OpenAPIText
    let authenticator: Authenticator

    init(
        bus: any BusRequester, config: ServiceConfig, signatures: ProviderSignature = .load(),
        logger: Logger = Logger(label: "gateway")
    ) {
        let api = APIForwarder(client: bus, timeout: config.requestTimeout, maxBody: config.httpMaxBody, maxImport: config.httpMaxImport)
        let authenticator = Authenticator(client: bus, timeout: config.requestTimeout)
        let router = Router(context: GatewayContext.self)
        router.middlewares.add(ErrorMiddleware(logger: logger))
        router.middlewares.add(AuthMiddleware(authenticator: authenticator, publicURL: config.publicURL))
        let allowedMethods = AllowedMethods()
        router.middlewares.add(MethodMiddleware(allowed: allowedMethods))
        var routes = APIRouter(router: router, maxBody: config.httpMaxBody)
        HealthRoutes(client: bus).register(on: &routes)
        AccountRoutes(api: api, authenticator: authenticator, publicURL: config.publicURL).register(on: &routes)
        SettingsRoutes(api: api).register(on: &routes)
        OrganisationRoutes(api: api).register(on: &routes)
        ContactRoutes(api: api).register(on: &routes)
        CompanyRoutes(api: api).register(on: &routes)
        NoteRoutes(api: api).register(on: &routes)
        ExchangeRoutes(api: api).register(on: &routes)
        DuplicateRoutes(api: api).register(on: &routes)
        FileRoutes(api: api, maxBytes: config.filesMaxBytes).register(on: &routes)
        TelephonyRoutes(api: api, signatures: signatures).register(on: &routes)
        MessageRoutes(api: api).register(on: &routes)
        SMSRoutes(api: api, signatures: signatures).register(on: &routes)
        SalesRoutes(api: api).register(on: &routes)
        TaskRoutes(api: api, publicURL: config.publicURL).register(on: &routes)
        document = OpenAPIRoutes.register(on: &routes)
        // The web UI beside the API, on the same address (its pages are not in the document).
        if let ui = try? WebUI(api: api, publicURL: config.publicURL, filesMaxBytes: config.filesMaxBytes) {
            ui.register(on: router)
        } else {
            logger.error("the web UI's templates or assets could not be loaded; serving the API only")
        }
        allowedMethods.set(routes.routes)
        self.router = router
        self.authenticator = authenticator
    }
}
