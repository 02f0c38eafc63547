import Foundation

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
