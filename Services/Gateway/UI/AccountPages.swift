import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// My account: changing one's password, and one's API tokens (made, listed, revoked). A new
/// token's secret is shown once, on the page that made it.
struct AccountPages: Sendable {
    typealias M = SettingsContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/account", use: account)
        router.post("/account/password", use: changePassword)
        router.post("/account/tokens", use: createToken)
        router.post("/account/tokens/:id/revoke", use: revokeToken)
    }

    func page(
        _ request: Request, _ context: GatewayContext, session: UISession, values extra: [String: Any] = [:],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let tokens: [APIToken]
        do {
            tokens = try await ui.call(M.listTokens, ListTokensRequest(), request, context)
        } catch let error as BusError {
            return ui.errorPage(error, session: session)
        }
        var values: [String: Any] = [
            "username": session.principal.username,
            "tokens": tokens.filter { $0.kind == "api" }.map { token -> [String: Any] in
                [
                    "id": token.id, "name": token.name, "prefix": token.prefix, "scopes": token.scopes.joined(separator: ", "),
                    "created": Timestamp.string(from: token.createdAt),
                    "used": token.lastUsedAt.map { Timestamp.string(from: $0) } ?? "never",
                ]
            },
            "scopes": Scope.known.filter { $0 != Scope.all }.map {
                ["scope": $0, "id": "scope-" + $0.replacingOccurrences(of: ":", with: "-")]
            },
        ]
        values["no_tokens"] = (values["tokens"] as? [Any])?.isEmpty ?? true
        for (key, value) in extra { values[key] = value }
        return ui.renderer.page("account", title: "My account", values: values, session: session, status: status)
    }

    @Sendable func account(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in try await page(request, context, session: session) }
    }

    @Sendable func changePassword(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            let current = fields["current_password"] ?? "", new = fields["new_password"] ?? ""
            guard new == fields["repeat_password"] else {
                return try await page(
                    request, context, session: session, values: ["error_repeat": "The two new passwords differ."],
                    status: .unprocessableContent)
            }
            do {
                _ = try await ui.call(M.changePassword, ChangePasswordRequest(currentPassword: current, newPassword: new), request, context)
            } catch let error as BusError where [.invalid, .unauthorized, .conflict, .rateLimited].contains(error.code) {
                let key = error.code == .invalid ? "error_new" : "error_current"
                return try await page(request, context, session: session, values: [key: error.message], status: .unprocessableContent)
            }
            // Changing the password ends every session, this one too.
            return PageRenderer.redirect("/signin")
        }
    }

    @Sendable func createToken(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let pairs = try await ui.formPairs(request, context, limit: 1 << 16)
            let name = (pairs.first { $0.name == "name" }?.value ?? "").trimmingCharacters(in: .whitespaces)
            let scopes = pairs.filter { $0.name == "scope" }.map(\.value)
            do {
                let created = try await ui.call(M.createToken, CreateTokenRequest(name: name, scopes: scopes), request, context)
                return try await page(
                    request, context, session: session, values: ["new_token": created.token, "new_name": created.info.name])
            } catch let error as BusError where [.invalid, .conflict, .forbidden].contains(error.code) {
                return try await page(
                    request, context, session: session, values: ["error_token": error.message], status: .unprocessableContent)
            }
        }
    }

    @Sendable func revokeToken(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such token"), session: session)
            }
            do {
                _ = try await ui.call(M.revokeToken, IdRequest(id: id), request, context)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
            return PageRenderer.redirect("/account#tokens")
        }
    }
}
