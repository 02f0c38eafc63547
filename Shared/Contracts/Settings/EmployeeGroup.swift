import Foundation

/// An employee group: a node of the organisation tree. Members of `sales` groups are the sales
/// people, who can have sales budgets.
public struct EmployeeGroup: Codable, Sendable, Equatable {
    public var id: Int64
    public var parentId: Int64?
    public var name: String
    public var description: String?
    /// `standard` or `sales`.
    public var type: String
    public var members: [GroupMember]
    /// Filled when the tree is asked for.
    public var children: [EmployeeGroup]?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, parentId: Int64?, name: String, description: String?, type: String, members: [GroupMember],
        children: [EmployeeGroup]?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.parentId = parentId
        self.name = name
        self.description = description
        self.type = type
        self.members = members
        self.children = children
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A user in a group, with the role they have there.
public struct GroupMember: Codable, Sendable, Equatable {
    public var userId: Int64
    public var username: String
    public var name: String
    public var role: String?
    public init(userId: Int64, username: String, name: String, role: String?) {
        self.userId = userId
        self.username = username
        self.name = name
        self.role = role
    }
}

/// `settings.groups.list`: flat (each with `parent_id`) or, with `tree`, nested from the roots.
public struct ListGroupsRequest: Codable, Sendable {
    public var tree: Bool?
    public var type: String?

    public init(tree: Bool? = nil, type: String? = nil) {
        self.tree = tree
        self.type = type
    }
}

/// `settings.groups.create`.
public struct CreateGroupRequest: Codable, Sendable {
    public var name: String
    public var description: String?
    public var type: String?
    public var parentId: Int64?

    public init(name: String, description: String? = nil, type: String? = nil, parentId: Int64? = nil) {
        self.name = name
        self.description = description
        self.type = type
        self.parentId = parentId
    }
}

/// `settings.groups.update`: only the fields present change; `parent_id` moves the group
/// (0 or `move_to_root` makes it a root).
public struct UpdateGroupRequest: Codable, Sendable {
    public var id: Int64
    public var name: String?
    public var description: String?
    public var type: String?
    public var parentId: Int64?
    public var moveToRoot: Bool?

    public init(
        id: Int64, name: String? = nil, description: String? = nil, type: String? = nil, parentId: Int64? = nil, moveToRoot: Bool? = nil
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.type = type
        self.parentId = parentId
        self.moveToRoot = moveToRoot
    }
}

/// `settings.groups.delete`: a group with subgroups is refused unless `recursive`.
public struct DeleteGroupRequest: Codable, Sendable {
    public var id: Int64
    public var recursive: Bool?

    public init(id: Int64, recursive: Bool? = nil) {
        self.id = id
        self.recursive = recursive
    }
}

/// `settings.groups.set_member` (add, or change the role) and `settings.groups.remove_member`.
public struct GroupMemberRequest: Codable, Sendable {
    public var groupId: Int64
    public var userId: Int64
    public var role: String?

    public init(groupId: Int64, userId: Int64, role: String? = nil) {
        self.groupId = groupId
        self.userId = userId
        self.role = role
    }
}

/// What a group delete removed: the group and, when recursive, its subgroups (ids).
public struct GroupsDeleted: Codable, Sendable {
    public var deleted: [Int64]
    public init(deleted: [Int64]) { self.deleted = deleted }
}
