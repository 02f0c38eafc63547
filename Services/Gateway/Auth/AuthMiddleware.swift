import Bus
import Contracts
import HTTPTypes
import Hummingbird

/// Reads the credentials of a request (`Authorization: Bearer <token>`, or the session cookie
/// the web UI gets at sign-in) and, if they are valid, sets the context's principal. It refuses
/// nothing itself: each route's `RoutePolicy` decides, so login and health checks work without
/// credentials and a stale cookie does not block signing in again.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    let authenticator: Authenticator
    static let cookieName = "crm_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = Self.token(of: request) {
            context.token = token
            do {
                context.principal = try await authenticator.principal(for: token)
            } catch let error as BusError {
                // Refused (401), or not checkable now (settings unavailable: 503 for routes that
                // need a token; open routes such as /healthz still answer).
                context.authError = error
            }
        }
        return try await next(request, context)
    }

    /// The bearer token, else the session cookie.
    static func token(of request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                return token.isEmpty ? nil : token
            }
            return nil
        }
        return request.cookies[cookieName]?.value
    }
}
