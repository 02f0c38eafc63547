import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Signing in and out from the browser.
struct SessionPages: Sendable {
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/signin", use: signInForm)
        router.post("/signin", use: signIn)
        router.post("/signout", use: signOut)
    }

    @Sendable func signInForm(_ request: Request, context: GatewayContext) async throws -> Response {
        if context.principal != nil { return PageRenderer.redirect("/contacts") }
        // The form's token before there is a session: the same cookie the session keeps.
        let existing = request.cookies[AuthMiddleware.csrfCookieName]?.value ?? ""
        let csrf = existing.isEmpty ? SessionCookies.newCSRFToken() : existing
        var response = ui.renderer.page(
            "signin", title: "Sign in", values: ["next": Self.next(request) as Any, "csrf_token": csrf], session: nil)
        if existing.isEmpty {
            response.headers.append(HTTPField(name: .setCookie, value: ui.cookies.csrfOnly(csrf)))
        }
        return response
    }

    @Sendable func signIn(_ request: Request, context: GatewayContext) async throws -> Response {
        let fields = try await ui.form(request, context)
        let username = fields["username"] ?? "", password = fields["password"] ?? ""
        let next = Self.next(request, fields["next"])
        func again(_ message: String, status: HTTPResponse.Status) -> Response {
            ui.renderer.page(
                "signin", title: "Sign in",
                values: ["error": message, "username": username, "next": next as Any, "csrf_token": fields["csrf"] ?? ""],
                session: nil, status: status)
        }
        guard !username.isEmpty, !password.isEmpty else { return again("Give your username and password.", status: .unprocessableContent) }
        let reply: LoginReply
        do {
            reply = try await ui.call(
                SettingsContract.Method.login, LoginRequest(username: username, password: password, client: context.clientAddress),
                request, context)
        } catch let error as BusError where [.unauthorized, .rateLimited, .invalid].contains(error.code) {
            return again(
                error.message.prefix(1).uppercased() + error.message.dropFirst() + ".", status: ErrorMiddleware.status(for: error.code))
        }
        let maxAge = max(0, Int(reply.expiresAt.timeIntervalSinceNow))
        return PageRenderer.redirect(
            next ?? "/contacts",
            cookies: ui.cookies.signedIn(token: reply.token, maxAge: maxAge))
    }

    @Sendable func signOut(_ request: Request, context: GatewayContext) async throws -> Response {
        _ = try await ui.form(request, context)
        if let token = context.token {
            _ = try? await ui.call(SettingsContract.Method.logout, TokenRequest(token: token), request, context)
        }
        return PageRenderer.redirect(
            "/signin",
            cookies: ui.cookies.signedOut)
    }

    /// Where to go after signing in: a path of this site only (never another site's address).
    static func next(_ request: Request, _ given: String? = nil) -> String? {
        guard let value = given ?? request.uri.queryParameters.get("next")?.removingPercentEncoding,
            value.hasPrefix("/"), !value.hasPrefix("//"), !value.contains("\\")
        else { return nil }
        return value
    }
}
