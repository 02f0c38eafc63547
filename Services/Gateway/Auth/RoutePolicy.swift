import Bus
import Contracts

/// Who may call a route: anyone (login, health), anyone signed in, a token with a scope, a
/// boss's token with a scope (changing settings: "only for the user with rank Boss"), or a token
/// with a scope unless the request carries a VOIP provider's signature (the route checks it).
enum RoutePolicy: Sendable, Equatable {
    case open
    case signedIn
    case scope(String)
    case boss(String)
    case scopeOrSignature(String, ProviderSignature.Kind)

    /// Throws `unauthorized` (401) without valid credentials, `forbidden` (403) when the token
    /// lacks the scope or the user the rank.
    func check(_ context: GatewayContext) throws {
        if self == .open { return }
        guard let principal = context.principal else {
            if let error = context.authError {
                guard error.code == .unauthorized else { throw error }
                throw BusError.unauthorized("\(error.message); sign in again (POST /api/v1/auth/login)")
            }
            throw BusError.unauthorized(
                "this needs a token: sign in with POST /api/v1/auth/login and send Authorization: Bearer <token>")
        }
        switch self {
        case .open, .signedIn:
            return
        case .scope(let scope), .scopeOrSignature(let scope, _):
            guard principal.has(scope) else { throw BusError.forbidden("this token lacks the scope \(scope)") }
        case .boss(let scope):
            guard principal.has(scope) else { throw BusError.forbidden("this token lacks the scope \(scope)") }
            guard principal.rank == .boss else { throw BusError.forbidden("only a user with rank boss may do this") }
        }
    }

    /// The scope the route needs, if any.
    var scope: String? {
        switch self {
        case .open, .signedIn: return nil
        case .scope(let scope), .boss(let scope), .scopeOrSignature(let scope, _): return scope
        }
    }

    var needsBoss: Bool {
        if case .boss = self { return true }
        return false
    }
}
