import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Reads the credentials of a request (`Authorization: Bearer <token>`, or the session cookie
/// the web UI gets at sign-in) and, if they are valid, sets the context's principal. It refuses
/// nothing itself: each route's `RoutePolicy` decides, so login and health checks work without
/// credentials and a stale cookie does not block signing in again.
///
/// A write that a valid session cookie authenticates must also show it comes from our own pages
/// (cross-site request forgery): an `Origin` (or, without one, a `Referer`) of the gateway's own
/// origin, or an `X-CSRF-Token` header equal to the `crm_csrf` cookie set at sign-in. A bearer
/// token is never sent by a browser on its own, so it needs neither.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    let authenticator: Authenticator
    /// `CRM_PUBLIC_URL`, when users reach the gateway by another address than its own.
    var publicURL: String?
    static let cookieName = "crm_session"
    static let csrfCookieName = "crm_csrf"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let (token, fromCookie) = Self.credentials(of: request) {
            context.token = token
            do {
                context.principal = try await authenticator.principal(for: token)
            } catch let error as BusError {
                // Refused (401), or not checkable now (settings unavailable: 503 for routes that
                // need a token; open routes such as /healthz still answer).
                context.authError = error
            }
            if fromCookie, context.principal != nil, ![.get, .head, .options].contains(request.method),
                !Self.sameOrigin(request, publicURL: publicURL)
            {
                throw BusError.forbidden(
                    "a write with the session cookie must come from this site's pages (Origin, or the X-CSRF-Token header)")
            }
        }
        return try await next(request, context)
    }

    /// The bearer token, else the session cookie (and whether it was the cookie).
    static func credentials(of request: Request) -> (String, Bool)? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                return token.isEmpty ? nil : (token, false)
            }
            return nil
        }
        return request.cookies[cookieName].map { ($0.value, true) }
    }

    /// Whether a cookie-authenticated write comes from our own pages.
    static func sameOrigin(_ request: Request, publicURL: String?) -> Bool {
        if let token = request.headers[HTTPField.Name("X-CSRF-Token")!], let cookie = request.cookies[csrfCookieName]?.value,
            !cookie.isEmpty, token == cookie
        {
            return true
        }
        let claimed =
            request.headers[HTTPField.Name("Origin")!]
            ?? request.headers[HTTPField.Name("Referer")!].flatMap { referer -> String? in
                guard let url = URL(string: referer), let scheme = url.scheme, let host = url.host else { return nil }
                return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
            }
        guard let claimed, claimed != "null" else { return false }
        if let publicURL { return claimed.lowercased() == publicURL.lowercased() }
        // No public URL configured: the origin's host and port must be the Host the request was sent to.
        guard let host = request.head.authority ?? request.headers[HTTPField.Name("Host")!],
            let separator = claimed.range(of: "://")
        else { return false }
        return claimed[separator.upperBound...].lowercased() == host.lowercased()
    }
}
