import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Signing in and out, one's own account, users, API tokens and the audit trail.
struct AccountRoutes: Sendable {
    typealias M = SettingsContract.Method

    let api: APIForwarder
    let authenticator: Authenticator
    /// `CRM_PUBLIC_URL`: cookies are `Secure` when it is https.
    var publicURL: String?
    var cookies: SessionCookies { SessionCookies(publicURL: publicURL) }

    func register(on routes: inout APIRouter) {

        routes.add(
            .post, "/api/v1/auth/login", .open, tag: "auth", summary: "Sign in: a token, and a session cookie for the web UI",
            body: "LoginRequest", reply: "LoginReply", login)
        routes.add(.post, "/api/v1/auth/logout", .signedIn, tag: "auth", summary: "Sign out: end this session or token", logout)
        routes.add(.get, "/api/v1/auth/me", .signedIn, tag: "auth", summary: "Who this token speaks for, and its scopes", me)
        routes.add(
            .post, "/api/v1/auth/password", .scope(Scope.account), tag: "auth",
            summary: "Change one's own password", body: "ChangePasswordRequest", changePassword)

        // Users.
        routes.add(
            .get, "/api/v1/users", .scope(Scope.settingsRead), tag: "users", summary: "The users", query: ["active", "rank", "q"], listUsers
        )
        routes.add(.get, "/api/v1/users/:id", .scope(Scope.settingsRead), tag: "users", summary: "One user", getUser)
        routes.add(
            .post, "/api/v1/users", .boss(Scope.settingsWrite), tag: "users",
            summary: "Add a user (without a password, one is generated and answered once)", body: "CreateUserRequest",
            reply: "UserWithPassword", status: .created, createUser)
        routes.add(
            .patch, "/api/v1/users/:id", .boss(Scope.settingsWrite), tag: "users", summary: "Change a user", body: "UpdateUserRequest",
            reply: "User", updateUser)
        routes.add(
            .post, "/api/v1/users/:id/password", .boss(Scope.settingsWrite), tag: "users",
            summary: "Reset a user's password (without one, a new one is generated and answered once); ends their sessions",
            body: "SetPasswordRequest", reply: "UserWithPassword", setPassword)

        // API tokens.
        routes.add(
            .get, "/api/v1/tokens", .scope(Scope.account), tag: "tokens",
            summary: "API tokens: one's own; a boss may ask for a user's (user_id) or all", query: ["user_id", "all", "include_revoked"],
            listTokens)
        routes.add(
            .post, "/api/v1/tokens", .scope(Scope.account), tag: "tokens",
            summary: "Create an API token with scopes; the token is in this answer only", body: "CreateTokenRequest",
            reply: "CreatedToken", status: .created, createToken)
        routes.add(.delete, "/api/v1/tokens/:id", .scope(Scope.account), tag: "tokens", summary: "Revoke a token", revokeToken)

        routes.add(
            .get, "/api/v1/settings/audit", .boss(Scope.settingsRead), tag: "audit",
            summary: "The audit trail of settings: who changed what, when, before and after",
            query: ["entity", "entity_id", "actor", "cursor", "limit"], audit)
    }

    @Sendable func login(_ request: Request, context: GatewayContext) async throws -> Response {
        let raw = try await api.body(of: request)
        guard var object = (try? JSONSerialization.jsonObject(with: raw)) as? [String: Any],
            object["username"] is String, object["password"] is String
        else {
            throw BusError.badRequest("the body must be {\"username\": \"...\", \"password\": \"...\"}")
        }
        object["client"] = context.clientAddress
        let reply = try await api.call(
            request, context: context, method: M.login, body: try JSONSerialization.data(withJSONObject: object))
        let login = try Wire.decode(LoginReply.self, from: reply)
        var response = APIForwarder.json(status: .ok, body: reply)
        let maxAge = max(0, Int(login.expiresAt.timeIntervalSinceNow))
        for cookie in cookies.signedIn(token: login.token, maxAge: maxAge) {
            response.headers.append(HTTPField(name: .setCookie, value: cookie))
        }
        return response
    }

    @Sendable func logout(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = context.token ?? ""
        _ = try await api.call(
            request, context: context, method: M.logout, body: try Wire.encode(TokenRequest(token: token)))
        await authenticator.forget(token: token)
        var response = APIForwarder.json(status: .ok, body: Data("{\"ok\":true}".utf8))
        for cookie in cookies.signedOut { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return response
    }

    @Sendable func me(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = context.principal!
        let user = try await api.call(
            request, context: context, method: M.getUser, body: try Wire.encode(IdRequest(id: principal.userId)))
        let body = try JSONSerialization.data(
            withJSONObject: [
                "user": try JSONSerialization.jsonObject(with: user), "scopes": principal.scopes, "token_id": principal.tokenId,
            ], options: [.sortedKeys])
        return APIForwarder.json(status: .ok, body: body)
    }

    @Sendable func changePassword(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.changePassword, body: try await api.body(of: request))
    }

    @Sendable func listUsers(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.boolean("active", from: request)
        query.text("rank", from: request)
        query.text("q", from: request)
        return try await api.forward(request, context: context, method: M.listUsers, query: query)
    }

    @Sendable func getUser(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.getUser, query: try QueryBody(id: "id", from: context))
    }

    @Sendable func createUser(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.createUser, body: try await api.body(of: request), status: .created)
    }

    @Sendable func updateUser(_ request: Request, context: GatewayContext) async throws -> Response {
        let id = try pathID(context)
        let response = try await api.forwardMerged(
            request, context: context, method: M.updateUser, fields: ["id": id])
        await authenticator.forget { $0.userId == id }
        return response
    }

    @Sendable func setPassword(_ request: Request, context: GatewayContext) async throws -> Response {
        let id = try pathID(context)
        let response = try await api.forwardMerged(
            request, context: context, method: M.setPassword, fields: ["id": id])
        await authenticator.forget { $0.userId == id }
        return response
    }

    @Sendable func listTokens(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        try query.integer("user_id", from: request)
        try query.boolean("all", from: request)
        try query.boolean("include_revoked", from: request)
        return try await api.forward(request, context: context, method: M.listTokens, query: query)
    }

    @Sendable func createToken(_ request: Request, context: GatewayContext) async throws -> Response {
        try await api.forward(
            request, context: context, method: M.createToken, body: try await api.body(of: request), status: .created)
    }

    @Sendable func revokeToken(_ request: Request, context: GatewayContext) async throws -> Response {
        let id = try pathID(context)
        let response = try await api.forward(
            request, context: context, method: M.revokeToken, query: try QueryBody(id: "id", from: context))
        await authenticator.forget { $0.tokenId == id }
        return response
    }

    @Sendable func audit(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        query.text("entity", from: request)
        try query.integer("entity_id", from: request)
        query.text("actor", from: request)
        try query.page(from: request)
        return try await api.forward(request, context: context, method: M.listAudit, query: query)
    }
}
