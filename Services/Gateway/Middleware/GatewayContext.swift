import Hummingbird

/// The request context of the gateway: Hummingbird's core context plus who is asking.
struct GatewayContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The authenticated actor, set by `ActorMiddleware`; sent to services in the bus headers.
    var actor: String?

    init(source: Source) {
        coreContext = .init(source: source)
        actor = nil
    }
}
