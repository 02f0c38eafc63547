import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// For a boss: the users (added, changed, switched off, given a new password) and every
/// user's API tokens (made for a user, such as a VOIP system's, and revoked). A generated
/// password and a new token's secret are shown once, on the page that made them.
struct UserPages: Sendable {
    typealias M = SettingsContract.Method
    let ui: WebUI
    var settings: SettingsPages { SettingsPages(ui: ui) }

    func register(on router: Router<GatewayContext>) {
        router.get("/settings/users", use: users)
        router.post("/settings/users", use: addUser)
        router.post("/settings/users/:id", use: updateUser)
        router.post("/settings/users/:id/password", use: newPassword)
        router.post("/settings/tokens", use: createToken)
        router.post("/settings/tokens/:id/revoke", use: revokeToken)
    }

    @Sendable func users(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in try await page(request, context, session: session) }
    }

    func page(
        _ request: Request, _ context: GatewayContext, session: UISession, values extra: [String: Any] = [:],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        try await settings.show("users", title: "Users and tokens", session: session, extra: extra, status: status) {
            async let people = ui.call(M.listUsers, ListUsersRequest(), request, context)
            async let allTokens = ui.call(M.listTokens, ListTokensRequest(all: true), request, context)
            let (users, tokens) = try await (people, allTokens)
            let names = Dictionary(users.map { ($0.id, $0.name.isEmpty ? $0.username : $0.name) }, uniquingKeysWith: { first, _ in first })
            var values: [String: Any] = [
                "users": users.map { user -> [String: Any] in
                    [
                        "user_id": user.id, "username": user.username, "name": user.name, "email": user.email ?? "",
                        "extension": user.extensionNumber ?? "", "rank": user.rank.rawValue, "boss": user.rank == .boss,
                        "active": user.active, "can_export": user.permissions.contains("export"), "shown": names[user.id] ?? user.username,
                    ]
                },
                "tokens": tokens.filter { $0.kind == "api" }.map { token -> [String: Any] in
                    [
                        "token_id": token.id, "token_name": token.name, "owner": names[token.userId] ?? "user \(token.userId)",
                        "prefix": token.prefix, "scopes": token.scopes.joined(separator: ", "),
                        "used": token.lastUsedAt.map { Timestamp.string(from: $0) } ?? "never",
                    ]
                },
                "scopes": Scope.known.filter { $0 != Scope.all }.map {
                    ["scope": $0, "scope_id": "user-scope-" + $0.replacingOccurrences(of: ":", with: "-")]
                },
            ]
            values["no_tokens"] = (values["tokens"] as? [Any])?.isEmpty ?? true
            return values
        }
    }

    private func refused(_ error: BusError) -> Bool { [.invalid, .conflict, .notFound, .forbidden].contains(error.code) }

    @Sendable func addUser(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context)
            func field(_ name: String) -> String? {
                fields[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            let ask = CreateUserRequest(
                username: field("username") ?? "", name: field("name"), email: field("email"), extensionNumber: field("extension"),
                rank: fields["rank"] == "boss" ? .boss : .user)
            do {
                let made = try await ui.call(M.createUser, ask, request, context)
                var values: [String: Any] = ["made_user": made.user.username]
                if let password = made.generatedPassword { values["made_password"] = password }
                return try await page(request, context, session: session, values: values)
            } catch let error as BusError where refused(error) {
                return try await page(
                    request, context, session: session, values: ["error_user": error.message], status: .unprocessableContent)
            }
        }
    }

    @Sendable func updateUser(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such user"), session: session)
            }
            func field(_ name: String) -> String { (fields[name] ?? "").trimmingCharacters(in: .whitespaces) }
            var ask = UpdateUserRequest(id: id, name: field("name"), email: field("email"), extensionNumber: field("extension"))
            ask.rank = fields["rank"] == "boss" ? .boss : .user
            ask.active = fields["active"] == "on"
            ask.permissions = fields["export"] == "on" ? ["export"] : []
            do {
                _ = try await ui.call(M.updateUser, ask, request, context)
                return PageRenderer.redirect("/settings/users")
            } catch let error as BusError where refused(error) {
                return try await page(
                    request, context, session: session, values: ["error_users": error.message], status: .unprocessableContent)
            }
        }
    }

    /// A new generated password for a user (their sessions end); shown once.
    @Sendable func newPassword(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such user"), session: session)
            }
            do {
                let changed = try await ui.call(M.setPassword, SetPasswordRequest(id: id), request, context)
                var values: [String: Any] = ["made_user": changed.user.username]
                if let password = changed.generatedPassword { values["made_password"] = password }
                return try await page(request, context, session: session, values: values)
            } catch let error as BusError where refused(error) {
                return try await page(
                    request, context, session: session, values: ["error_users": error.message], status: .unprocessableContent)
            }
        }
    }

    @Sendable func createToken(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let pairs = try await ui.formPairs(request, context, limit: 1 << 16)
            let name = (pairs.first { $0.name == "name" }?.value ?? "").trimmingCharacters(in: .whitespaces)
            var ask = CreateTokenRequest(name: name, scopes: pairs.filter { $0.name == "scope" }.map(\.value))
            ask.userId = pairs.first { $0.name == "user_id" }.flatMap { Int64($0.value) }
            do {
                let created = try await ui.call(M.createToken, ask, request, context)
                return try await page(
                    request, context, session: session, values: ["new_token": created.token, "new_name": created.info.name])
            } catch let error as BusError where refused(error) {
                return try await page(
                    request, context, session: session, values: ["error_token": error.message], status: .unprocessableContent)
            }
        }
    }

    @Sendable func revokeToken(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such token"), session: session)
            }
            do {
                _ = try await ui.call(M.revokeToken, IdRequest(id: id), request, context)
                return PageRenderer.redirect("/settings/users#tokens")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
