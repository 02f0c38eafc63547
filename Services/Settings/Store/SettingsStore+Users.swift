import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Users: the employees who sign in. Replies that carry a generated password are never stored
// for replay (a secret must not sit in the idempotency table), so creating a user is not
// idempotent by request id; a retry finds the username taken and says so.
extension SettingsStore {
    func listUsers(_ request: ListUsersRequest) async throws -> [User] {
        try await database.read { db in
            var query = User.order(Column("username").collating(.nocase))
            if let active = request.active { query = query.filter(Column("active") == active) }
            if let rank = request.rank { query = query.filter(Column("rank") == rank.rawValue) }
            if let text = request.q?.trimmed.nilIfEmpty {
                let pattern = "%\(text)%"
                query = query.filter(Column("username").like(pattern) || Column("name").like(pattern))
            }
            return try query.fetchAll(db)
        }
    }

    func user(id: Int64) async throws -> User {
        try await database.read { db in try Self.user(db, id: id) }
    }

    static func user(_ db: Database, id: Int64) throws -> User {
        guard let user = try User.fetchOne(db, key: id) else { throw BusError.notFound("user \(id) does not exist") }
        return user
    }

    static func user(_ db: Database, username: String) throws -> User {
        guard let user = try User.filter(Column("username").collating(.nocase) == username.trimmed).fetchOne(db) else {
            throw BusError.notFound("user '\(username)' does not exist")
        }
        return user
    }

    func createUser(_ request: CreateUserRequest, headers: BusHeaders) async throws -> UserWithPassword {
        try Self.requireBoss(headers)
        let username = try Self.checkUsername(request.username)
        let generated = request.password == nil ? PasswordHasher.generate() : nil
        let password = try PasswordHasher.check(request.password ?? generated!)
        let fields = try Self.checkContactFields(email: request.email, phone: request.phone, extension: request.extensionNumber)
        let name = request.name?.trimmed.nilIfEmpty ?? username
        let hash = await hasher.hash(password)
        let user = try await database.write { db, outbox in
            if try User.filter(Column("username").collating(.nocase) == username).fetchCount(db) > 0 {
                throw BusError.conflict("the username '\(username)' is taken")
            }
            try Self.checkExtensionFree(db, fields.extension, except: nil)
            let now = Date()
            let user = User(
                id: try db.nextId("user"), username: username, name: name, email: fields.email, phone: fields.phone,
                extensionNumber: fields.extension, rank: request.rank ?? .user, active: request.active ?? true,
                createdAt: now, updatedAt: now, passwordChangedAt: now, permissions: try Self.checkPermissions(request.permissions ?? []))
            try user.insert(db)
            try db.execute(sql: "UPDATE user SET password_hash = ? WHERE id = ?", arguments: [hash, user.id])
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.userCreated, entity: "user", id: user.id, actor: headers.actor,
                before: nil, after: snapshot(user))
            return user
        }
        return UserWithPassword(user: user, generatedPassword: generated)
    }

    func updateUser(_ request: UpdateUserRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        let username = try request.username.map(Self.checkUsername)
        let fields = try Self.checkContactFields(email: request.email, phone: request.phone, extension: request.extensionNumber)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.updateUser) { db, outbox in
            let before = try Self.user(db, id: request.id)
            var user = before
            if let username, username.lowercased() != user.username.lowercased() {
                if try User.filter(Column("username").collating(.nocase) == username).fetchCount(db) > 0 {
                    throw BusError.conflict("the username '\(username)' is taken")
                }
            }
            if let username { user.username = username }
            if let name = request.name {
                guard let name = name.trimmed.nilIfEmpty else { throw BusError.invalid("a user needs a name") }
                user.name = name
            }
            if request.email != nil { user.email = fields.email }
            if request.phone != nil { user.phone = fields.phone }
            if request.extensionNumber != nil {
                try Self.checkExtensionFree(db, fields.extension, except: user.id)
                user.extensionNumber = fields.extension
            }
            if let rank = request.rank { user.rank = rank }
            if let active = request.active { user.active = active }
            if let permissions = request.permissions { user.permissions = try Self.checkPermissions(permissions) }
            if before.rank == .boss && before.active && (user.rank != .boss || !user.active) {
                let bosses = try User.filter(Column("rank") == "boss" && Column("active") == true).fetchCount(db)
                if bosses <= 1 {
                    throw BusError.conflict("\(user.username) is the last active boss; make another user boss first")
                }
            }
            guard user != before else { return user }
            user.updatedAt = Date()
            try user.update(db)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.userUpdated, entity: "user", id: user.id, actor: headers.actor,
                before: snapshot(before), after: snapshot(user))
            return user
        }
    }

    /// Sets (or, without a password, generates) a user's password and ends their sessions.
    func setPassword(_ request: SetPasswordRequest, headers: BusHeaders) async throws -> UserWithPassword {
        try Self.requireBoss(headers)
        guard request.id != nil || request.username != nil else { throw BusError.invalid("name the user by id or username") }
        let generated = request.password == nil ? PasswordHasher.generate() : nil
        let password = try PasswordHasher.check(request.password ?? generated!)
        let hash = await hasher.hash(password)
        let user = try await database.write { db, outbox in
            let user = try request.id.map { try Self.user(db, id: $0) } ?? Self.user(db, username: request.username!)
            try Self.storePassword(db, outbox, user: user, hash: hash, actor: headers.actor)
            try db.execute(
                sql: "UPDATE api_token SET revoked_at = ? WHERE user_id = ? AND kind = 'session' AND revoked_at IS NULL",
                arguments: [DatabaseDate.string(Date()), user.id])
            return user
        }
        return UserWithPassword(user: user, generatedPassword: generated)
    }

    /// A signed-in user changes their own password, proving the current one.
    func changePassword(_ request: ChangePasswordRequest, headers: BusHeaders) async throws -> Done {
        guard let userId = headers.userId else { throw BusError.unauthorized("changing a password needs a signed-in user") }
        let password = try PasswordHasher.check(request.newPassword)
        let current = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM user WHERE id = ?", arguments: [userId])
        }
        guard let current, await hasher.verify(request.currentPassword, hash: current) else {
            throw BusError.forbidden("the current password is not right")
        }
        let hash = await hasher.hash(password)
        try await database.write { db, outbox in
            try Self.storePassword(db, outbox, user: try Self.user(db, id: userId), hash: hash, actor: headers.actor)
            // Whoever else was signed in as this user (a stolen session) is out now; this session stays.
            try db.execute(
                sql: """
                    UPDATE api_token SET revoked_at = ? WHERE user_id = ? AND kind = 'session' AND revoked_at IS NULL
                        AND id IS NOT ?
                    """,
                arguments: [DatabaseDate.string(Date()), userId, headers.tokenId])
        }
        return Done()
    }

    private static func storePassword(_ db: Database, _ outbox: Outbox, user: User, hash: String, actor: String?) throws {
        let now = Date()
        try db.execute(
            sql: "UPDATE user SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?",
            arguments: [hash, DatabaseDate.string(now), DatabaseDate.string(now), user.id])
        try recordChange(
            db, outbox, event: SettingsContract.Event.passwordChanged, entity: "user", id: user.id, actor: actor,
            before: nil, after: nil)
    }

    // MARK: - Validation

    static func checkUsername(_ raw: String) throws -> String {
        let username = raw.trimmed.lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
        guard (2...64).contains(username.count), username.allSatisfy(allowed.contains) else {
            throw BusError.invalid("a username is 2 to 64 letters, digits, '.', '_', '-' or '@' ('\(raw)' is not)")
        }
        return username
    }

    static func checkContactFields(
        email: String?, phone: String?, extension: String?
    ) throws -> (
        email: String?, phone: String?, extension: String?
    ) {
        let email = email?.trimmed.nilIfEmpty
        if let email, !looksLikeEmail(email) {
            throw BusError.invalid("'\(email)' is not an e-mail address")
        }
        let phone = phone?.trimmed.nilIfEmpty
        if let phone, !phone.allSatisfy({ $0.isNumber || " +-().".contains($0) }) {
            throw BusError.invalid("'\(phone)' is not a phone number")
        }
        let ext = `extension`?.trimmed.nilIfEmpty
        if let ext, !(ext.count <= 16 && ext.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") })) {
            throw BusError.invalid("an extension is up to 16 digits, '*' or '#' ('\(ext)' is not)")
        }
        return (email, phone, ext)
    }

    /// One "@" with something on either side, and no space. Read by bytes: an "@" that a
    /// combining mark follows is one Swift Character with the mark (found by schemathesis).
    static func looksLikeEmail(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1 else { return false }
        return bytes.lastIndex(of: UInt8(ascii: "@")) == at && !bytes.contains(UInt8(ascii: " "))
    }

    static func checkExtensionFree(_ db: Database, _ ext: String?, except id: Int64?) throws {
        guard let ext else { return }
        if let other = try User.filter(Column("extension") == ext).fetchOne(db), other.id != id {
            throw BusError.conflict("extension \(ext) already belongs to \(other.username)")
        }
    }

    /// Known permissions, each once, in a stable order.
    static func checkPermissions(_ permissions: [String]) throws -> [String] {
        for permission in permissions where !User.knownPermissions.contains(permission) {
            throw BusError.invalid("'\(permission)' is not a permission; there is \(User.knownPermissions.joined(separator: ", "))")
        }
        return User.knownPermissions.filter(permissions.contains)
    }
}
