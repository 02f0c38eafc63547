import Hummingbird

/// Decides who is making the request. This is where authentication plugs in (the settings
/// issue): it will read the bearer token or session cookie, answer 401/403, and set the actor
/// from the verified identity. Until then every request acts as `anonymous`; the actor never
/// comes from anything the client can set.
struct ActorMiddleware: RouterMiddleware {
    typealias Context = GatewayContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.actor = "anonymous"
        return try await next(request, context)
    }
}
