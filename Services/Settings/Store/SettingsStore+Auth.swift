import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Signing in, sessions and API tokens. Tokens are stored as their SHA-256 only; the secret is in
// the reply that creates it and nowhere else, so these replies are never kept for replay.
extension SettingsStore {
    func login(_ request: LoginRequest) async throws -> LoginReply {
        let username = request.username.trimmed.lowercased()
        let keys = LoginThrottle.keys(username: username, client: request.client)
        let now = clock.now
        // Counted (and the username held) before the password is checked: parallel guesses get one check.
        if let wait = try await database.write({ db, _ in try LoginThrottle.begin(db, keys: keys, now: now) }) {
            throw BusError.rateLimited("too many sign-in attempts; try again in \(wait) s", retryAfter: wait)
        }
        let found = try await database.read { db -> (User, String)? in
            guard let user = try User.filter(Column("username").collating(.nocase) == username).fetchOne(db),
                let hash = try String.fetchOne(db, sql: "SELECT password_hash FROM user WHERE id = ?", arguments: [user.id])
            else { return nil }
            return (user, hash)
        }
        var valid = false
        if let (user, hash) = found {
            valid = await hasher.verify(request.password, hash: hash) && user.active
        } else {
            await hasher.verifyNothing(request.password)
        }
        guard valid, let user = found?.0 else {
            try await database.write { db, _ in try LoginThrottle.failed(db, keys: keys) }
            throw BusError.unauthorized("wrong username or password")
        }
        let token = TokenSecret.generate()
        let expiresAt = now.addingTimeInterval(sessionLifetime)
        try await database.write { db, outbox in
            try LoginThrottle.succeeded(db, keys: keys)
            let id = try Self.insertToken(
                db, userId: user.id, name: "session", kind: "session", scopes: [Scope.all], token: token, expiresAt: expiresAt)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.signedIn, entity: "user", id: user.id, actor: user.username,
                before: nil, after: .object(["token_id": .int(id), "client": request.client.map(JSONValue.string) ?? .null]))
        }
        return LoginReply(token: token, expiresAt: expiresAt, user: user)
    }

    /// Who a token speaks for; `unauthorized` for unknown, revoked or expired tokens and inactive users.
    func verify(_ request: TokenRequest) async throws -> Principal {
        let hash = TokenSecret.hash(request.token)
        let now = clock.now
        let found = try await database.read { db -> (APIToken, User)? in
            guard let token = try APIToken.filter(Column("token_hash") == hash).fetchOne(db),
                let user = try User.fetchOne(db, key: token.userId)
            else { return nil }
            return (token, user)
        }
        guard let (token, user) = found else { throw BusError.unauthorized("the token is not valid") }
        if token.revokedAt != nil { throw BusError.unauthorized("the token was revoked") }
        if let expires = token.expiresAt, expires <= now { throw BusError.unauthorized("the token has expired") }
        guard user.active else { throw BusError.unauthorized("the user \(user.username) is deactivated") }
        // last_used_at to the minute: one write per token per minute, not one per request.
        if token.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await database.write { db, _ in
                try db.execute(sql: "UPDATE api_token SET last_used_at = ? WHERE id = ?", arguments: [DatabaseDate.string(now), token.id])
            }
        }
        return Principal(
            userId: user.id, username: user.username, rank: user.rank, scopes: token.scopes, tokenId: token.id,
            expiresAt: token.expiresAt)
    }

    /// Ends the session (or revokes the token) presented.
    func logout(_ request: TokenRequest) async throws -> Done {
        let hash = TokenSecret.hash(request.token)
        try await database.write { db, outbox in
            guard let token = try APIToken.filter(Column("token_hash") == hash).fetchOne(db), token.revokedAt == nil else { return }
            try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE id = ?", arguments: [DatabaseDate.string(Date()), token.id])
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.signedOut, entity: "token", id: token.id,
                actor: try User.fetchOne(db, key: token.userId)?.username, before: nil, after: nil)
        }
        return Done()
    }

    // MARK: - API tokens

    func createToken(_ request: CreateTokenRequest, headers: BusHeaders) async throws -> CreatedToken {
        guard let name = request.name.trimmed.nilIfEmpty, name.count <= 100 else {
            throw BusError.invalid("a token needs a name of up to 100 characters (what uses it: 'office PBX')")
        }
        let scopes = Array(Set(request.scopes.map(\.trimmed))).sorted()
        guard !scopes.isEmpty else { throw BusError.invalid("a token needs at least one scope: " + Scope.known.joined(separator: ", ")) }
        if let unknown = scopes.first(where: { !Scope.known.contains($0) }) {
            throw BusError.invalid("'\(unknown)' is not a scope; scopes are " + Scope.known.joined(separator: ", "))
        }
        if let expires = request.expiresAt, expires <= clock.now { throw BusError.conflict("expires_at is in the past") }
        // A token makes tokens only within its own scopes: a PBX's telephony:ingest token with
        // `account` cannot mint itself settings:write.
        if let own = headers.scopes, !own.contains(Scope.all), let beyond = scopes.first(where: { !own.contains($0) }) {
            throw BusError.forbidden(
                "this token cannot give a new token '\(beyond)': a token gets at most the scopes of the one that makes it")
        }
        let token = TokenSecret.generate()
        let info = try await database.write { db, outbox -> APIToken in
            // The owner is named in the body, not the path: 409, not 404 (ADR 008).
            let owner = try BusError.recoding(.notFound, as: .conflict) { try Self.tokenOwner(db, request: request, headers: headers) }
            guard owner.active else { throw BusError.conflict("\(owner.username) is deactivated") }
            let id = try Self.insertToken(
                db, userId: owner.id, name: name, kind: "api", scopes: scopes, token: token, expiresAt: request.expiresAt)
            let info = try APIToken.fetchOne(db, key: id)!
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.tokenCreated, entity: "token", id: id, actor: headers.actor,
                before: nil, after: snapshot(info))
            return info
        }
        return CreatedToken(token: token, info: info)
    }

    func listTokens(_ request: ListTokensRequest, headers: BusHeaders) async throws -> [APIToken] {
        try await database.read { db in
            var query = APIToken.order(Column("id").desc)
            if request.all == true {
                try Self.requireBoss(headers)
            } else if let userId = request.userId ?? headers.userId {
                if userId != headers.userId { try Self.requireBoss(headers) }
                query = query.filter(Column("user_id") == userId)
            } else {
                throw BusError.invalid("name the user whose tokens to list")
            }
            if request.includeRevoked != true { query = query.filter(Column("revoked_at") == nil) }
            return try query.fetchAll(db)
        }
    }

    func revokeToken(id: Int64, headers: BusHeaders) async throws -> APIToken {
        try await database.write { db, outbox in
            guard let token = try APIToken.fetchOne(db, key: id) else { throw BusError.notFound("token \(id) does not exist") }
            if token.userId != headers.userId { try Self.requireBoss(headers) }
            guard token.revokedAt == nil else { return token }
            try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE id = ?", arguments: [DatabaseDate.string(Date()), id])
            let after = try APIToken.fetchOne(db, key: id)!
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.tokenRevoked, entity: "token", id: id, actor: headers.actor,
                before: snapshot(token), after: snapshot(after))
            return after
        }
    }

    private static func tokenOwner(_ db: Database, request: CreateTokenRequest, headers: BusHeaders) throws -> User {
        let owner: User
        if let id = request.userId {
            owner = try user(db, id: id)
        } else if let username = request.username {
            owner = try user(db, username: username)
        } else if let id = headers.userId {
            owner = try user(db, id: id)
        } else {
            throw BusError.invalid("name the user the token is for (user_id or username)")
        }
        if owner.id != headers.userId { try requireBoss(headers) }
        return owner
    }

    private static func insertToken(
        _ db: Database, userId: Int64, name: String, kind: String, scopes: [String], token: String, expiresAt: Date?
    ) throws -> Int64 {
        let scopesJSON = String(decoding: try JSONEncoder().encode(scopes), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO api_token (user_id, name, kind, scopes, prefix, token_hash, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                userId, name, kind, scopesJSON, TokenSecret.prefix(token), TokenSecret.hash(token),
                DatabaseDate.string(Date()), DatabaseDate.string(expiresAt),
            ])
        return db.lastInsertedRowID
    }
}
