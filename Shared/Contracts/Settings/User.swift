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
