import Bus
import Contracts
import Foundation
import ServiceKit

/// Signing in, users, tokens and the audit trail.
struct AccountHandlers: Sendable {
    let store: SettingsStore

    var methods: MethodTable {
        let store = store
        typealias M = SettingsContract.Method
        var table = MethodTable(service: SettingsContract.service)
        table.on(M.login) { body, _ in try await store.login(body) }
        table.on(M.verify) { body, _ in try await store.verify(body) }
        table.on(M.logout) { body, _ in try await store.logout(body) }
        table.on(M.listUsers) { body, _ in try await store.listUsers(body) }
        table.on(M.getUser) { body, _ in try await store.user(id: body.id) }
        table.on(M.createUser) { body, request in
            try await store.createUser(body, headers: request.headers)
        }
        table.write(M.updateUser) { try await store.updateUser($0, headers: $1, requestId: $2) }
        table.on(M.setPassword) { body, request in
            try await store.setPassword(body, headers: request.headers)
        }
        table.on(M.changePassword) { body, request in
            try await store.changePassword(body, headers: request.headers)
        }
        table.on(M.listTokens) { body, request in
            try await store.listTokens(body, headers: request.headers)
        }
        table.on(M.createToken) { body, request in
            try await store.createToken(body, headers: request.headers)
        }
        table.on(M.revokeToken) { body, request in
            try await store.revokeToken(id: body.id, headers: request.headers)
        }
        table.on(M.listAudit) { body, request in
            guard request.headers.isBoss else { throw BusError.forbidden("only a user with rank boss may read the audit trail") }
            return try await store.audit(body)
        }
        return table
    }
}
