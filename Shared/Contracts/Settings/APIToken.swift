import Foundation

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
