import Bus
import Contracts
import Foundation
import ServiceKit

/// Signing in, users, tokens and the audit trail.
struct AccountHandlers: Sendable {
    let store: SettingsStore

    var all: [String: BusMethodHandler] {
        let store = store
        typealias M = SettingsContract.Method
        return [
            M.login: jsonHandler(LoginRequest.self) { body, _ in try await store.login(body) },
            M.verify: jsonHandler(TokenRequest.self) { body, _ in try await store.verify(body) },
            M.logout: jsonHandler(TokenRequest.self) { body, _ in try await store.logout(body) },
            M.listUsers: jsonHandler(ListUsersRequest.self) { body, _ in try await store.listUsers(body) },
            M.getUser: jsonHandler(IdRequest.self) { body, _ in try await store.user(id: body.id) },
            M.createUser: jsonHandler(CreateUserRequest.self) { body, request in
                try await store.createUser(body, headers: request.headers)
            },
            M.updateUser: writeHandler(UpdateUserRequest.self) { try await store.updateUser($0, headers: $1, requestId: $2) },
            M.setPassword: jsonHandler(SetPasswordRequest.self) { body, request in
                try await store.setPassword(body, headers: request.headers)
            },
            M.changePassword: jsonHandler(ChangePasswordRequest.self) { body, request in
                try await store.changePassword(body, headers: request.headers)
            },
            M.listTokens: jsonHandler(ListTokensRequest.self) { body, request in
                try await store.listTokens(body, headers: request.headers)
            },
            M.createToken: jsonHandler(CreateTokenRequest.self) { body, request in
                try await store.createToken(body, headers: request.headers)
            },
            M.revokeToken: jsonHandler(IdRequest.self) { body, request in
                try await store.revokeToken(id: body.id, headers: request.headers)
            },
            M.listAudit: jsonHandler(ListAuditRequest.self) { body, request in
                guard request.headers.isBoss else { throw BusError.forbidden("only a user with rank boss may read the audit trail") }
                return try await store.audit(body)
            },
        ]
    }
}
