import Foundation

/// An employee who signs in. The password hash never leaves the settings service.
public struct User: Codable, Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var name: String
    public var email: String?
    public var phone: String?
    /// The telephone extension; telephony maps calls to users with it.
    public var extensionNumber: String?
    public var rank: Rank
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var passwordChangedAt: Date?

    public init(
        id: Int64, username: String, name: String, email: String?, phone: String?, extensionNumber: String?, rank: Rank,
        active: Bool, createdAt: Date, updatedAt: Date, passwordChangedAt: Date?
    ) {
        self.id = id
        self.username = username
        self.name = name
        self.email = email
        self.phone = phone
        self.extensionNumber = extensionNumber
        self.rank = rank
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.passwordChangedAt = passwordChangedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, username, name, email, phone, rank, active, createdAt, updatedAt, passwordChangedAt
        case extensionNumber = "extension"
    }
}

/// `settings.users.create`. Without a password one is generated and answered once.
public struct CreateUserRequest: Codable, Sendable {
    public var username: String
    public var name: String?
    public var email: String?
    public var phone: String?
    public var extensionNumber: String?
    public var rank: Rank?
    public var active: Bool?
    public var password: String?

    public init(
        username: String, name: String? = nil, email: String? = nil, phone: String? = nil, extensionNumber: String? = nil,
        rank: Rank? = nil, active: Bool? = nil, password: String? = nil
    ) {
        self.username = username
        self.name = name
        self.email = email
        self.phone = phone
        self.extensionNumber = extensionNumber
        self.rank = rank
        self.active = active
        self.password = password
    }

    enum CodingKeys: String, CodingKey {
        case username, name, email, phone, rank, active, password
        case extensionNumber = "extension"
    }
}

/// `settings.users.update`: only the fields present change (an empty string clears).
public struct UpdateUserRequest: Codable, Sendable {
    public var id: Int64
    public var username: String?
    public var name: String?
    public var email: String?
    public var phone: String?
    public var extensionNumber: String?
    public var rank: Rank?
    public var active: Bool?

    public init(
        id: Int64, username: String? = nil, name: String? = nil, email: String? = nil, phone: String? = nil, extensionNumber: String? = nil,
        rank: Rank? = nil, active: Bool? = nil
    ) {
        self.id = id
        self.username = username
        self.name = name
        self.email = email
        self.phone = phone
        self.extensionNumber = extensionNumber
        self.rank = rank
        self.active = active
    }

    enum CodingKeys: String, CodingKey {
        case id, username, name, email, phone, rank, active
        case extensionNumber = "extension"
    }
}

/// A user, with the password that was generated for them (shown this once).
public struct UserWithPassword: Codable, Sendable {
    public var user: User
    public var generatedPassword: String?
    public init(user: User, generatedPassword: String?) {
        self.user = user
        self.generatedPassword = generatedPassword
    }
}

/// `settings.users.set_password`: by id or username; without a password one is generated.
public struct SetPasswordRequest: Codable, Sendable {
    public var id: Int64?
    public var username: String?
    public var password: String?
    public init(id: Int64? = nil, username: String? = nil, password: String? = nil) {
        self.id = id
        self.username = username
        self.password = password
    }
}

/// `settings.users.change_password`: the signed-in user, proving the current password.
public struct ChangePasswordRequest: Codable, Sendable {
    public var currentPassword: String
    public var newPassword: String

    public init(currentPassword: String, newPassword: String) {
        self.currentPassword = currentPassword
        self.newPassword = newPassword
    }
}

/// `settings.users.list`.
public struct ListUsersRequest: Codable, Sendable {
    public var active: Bool?
    public var rank: Rank?
    public var q: String?

    public init(active: Bool? = nil, rank: Rank? = nil, q: String? = nil) {
        self.active = active
        self.rank = rank
        self.q = q
    }
}

/// `settings.auth.login`. `client` is the caller's address, for slowing down guessing.
public struct LoginRequest: Codable, Sendable {
    public var username: String
    public var password: String
    public var client: String?

    public init(username: String, password: String, client: String? = nil) {
        self.username = username
        self.password = password
        self.client = client
    }
}

/// A session token (shown once) and who it belongs to.
public struct LoginReply: Codable, Sendable {
    public var token: String
    public var expiresAt: Date
    public var user: User
    public init(token: String, expiresAt: Date, user: User) {
        self.token = token
        self.expiresAt = expiresAt
        self.user = user
    }
}

/// `settings.auth.verify` and `settings.auth.logout`: the token as presented.
public struct TokenRequest: Codable, Sendable {
    public var token: String
    public init(token: String) { self.token = token }
}

/// Who a valid token speaks for and what it may do. The gateway sends the user's id, name and
/// rank to services in the bus headers.
public struct Principal: Codable, Sendable, Equatable {
    public var userId: Int64
    public var username: String
    public var rank: Rank
    public var scopes: [String]
    public var tokenId: Int64
    public var expiresAt: Date?

    public init(userId: Int64, username: String, rank: Rank, scopes: [String], tokenId: Int64, expiresAt: Date?) {
        self.userId = userId
        self.username = username
        self.rank = rank
        self.scopes = scopes
        self.tokenId = tokenId
        self.expiresAt = expiresAt
    }

    /// Whether the token carries `scope` (a session carries every scope).
    public func has(_ scope: String) -> Bool { scopes.contains(Scope.all) || scopes.contains(scope) }
}

/// An API token as listed: never the secret itself.
public struct APIToken: Codable, Sendable, Equatable {
    public var id: Int64
    public var userId: Int64
    public var name: String
    /// `session` (from signing in) or `api`.
    public var kind: String
    public var scopes: [String]
    /// The first characters of the token, to tell tokens apart.
    public var prefix: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: Int64, userId: Int64, name: String, kind: String, scopes: [String], prefix: String, createdAt: Date,
        expiresAt: Date?, lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.userId = userId
        self.name = name
        self.kind = kind
        self.scopes = scopes
        self.prefix = prefix
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// `settings.tokens.create`: for the caller, or (a boss) for `user_id` / `username`.
public struct CreateTokenRequest: Codable, Sendable {
    public var name: String
    public var scopes: [String]
    public var userId: Int64?
    public var username: String?
    public var expiresAt: Date?

    public init(name: String, scopes: [String], userId: Int64? = nil, username: String? = nil, expiresAt: Date? = nil) {
        self.name = name
        self.scopes = scopes
        self.userId = userId
        self.username = username
        self.expiresAt = expiresAt
    }
}

/// A new token: the secret is in this reply and nowhere else, ever.
public struct CreatedToken: Codable, Sendable {
    public var token: String
    public var info: APIToken
    public init(token: String, info: APIToken) {
        self.token = token
        self.info = info
    }
}

/// `settings.tokens.list`: the caller's tokens, or (a boss) another user's or everybody's.
public struct ListTokensRequest: Codable, Sendable {
    public var userId: Int64?
    public var all: Bool?
    public var includeRevoked: Bool?

    public init(userId: Int64? = nil, all: Bool? = nil, includeRevoked: Bool? = nil) {
        self.userId = userId
        self.all = all
        self.includeRevoked = includeRevoked
    }
}
