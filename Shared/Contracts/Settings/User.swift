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
    /// What a user may do beyond their rank: `export` (a board's customers as CSV).
    public var permissions: [String]

    /// The permissions a user can be given.
    public static let knownPermissions = ["export"]

    public init(
        id: Int64, username: String, name: String, email: String?, phone: String?, extensionNumber: String?, rank: Rank,
        active: Bool, createdAt: Date, updatedAt: Date, passwordChangedAt: Date?, permissions: [String] = []
    ) {
        self.permissions = permissions
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
        case id, username, name, email, phone, rank, active, createdAt, updatedAt, passwordChangedAt, permissions
        case extensionNumber = "extension"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int64.self, forKey: .id)
        username = try container.decode(String.self, forKey: .username)
        name = try container.decode(String.self, forKey: .name)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        phone = try container.decodeIfPresent(String.self, forKey: .phone)
        extensionNumber = try container.decodeIfPresent(String.self, forKey: .extensionNumber)
        rank = try container.decode(Rank.self, forKey: .rank)
        active = try container.decode(Bool.self, forKey: .active)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        updatedAt = try container.decode(Date.self, forKey: .updatedAt)
        passwordChangedAt = try container.decodeIfPresent(Date.self, forKey: .passwordChangedAt)
        // Users stored (and events published) before permissions existed have none.
        permissions = try container.decodeIfPresent([String].self, forKey: .permissions) ?? []
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
    public var permissions: [String]?

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
        case username, name, email, phone, rank, active, password, permissions
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
    /// Replaces the list.
    public var permissions: [String]?

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
        case id, username, name, email, phone, rank, active, permissions
        case extensionNumber = "extension"
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
