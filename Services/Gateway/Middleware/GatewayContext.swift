import Bus
import Contracts
import Hummingbird

/// The request context of the gateway: Hummingbird's core context plus who is asking.
struct GatewayContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Who the request's token speaks for, set by `AuthMiddleware` from a verified token and
    /// nothing else; its name, id and rank go to services in the bus headers.
    var principal: Principal?
    /// The token as presented (for signing out).
    var token: String?
    /// Why the credentials presented could not be accepted (refused, or settings did not
    /// answer), for the route that needs them to report.
    var authError: BusError?
    /// The client's address, for slowing down password guessing.
    let clientAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }
}
