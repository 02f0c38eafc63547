import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Employee groups (a tree to any depth) with their members, and the sales budgets of the
// members of sales groups.
extension SettingsStore {
    func listGroups(_ request: ListGroupsRequest) async throws -> [EmployeeGroup] {
        if let type = request.type { try Self.checkGroupType(type) }
        return try await database.read { db in
            let groups = try Self.loadGroups(db)
            if request.tree == true {
                return Self.tree(of: groups, under: nil).filter { request.type == nil || $0.type == request.type }
            }
            return groups.filter { request.type == nil || $0.type == request.type }
        }
    }

    func group(id: Int64) async throws -> EmployeeGroup {
        try await database.read { db in
            let groups = try Self.loadGroups(db)
            guard var group = groups.first(where: { $0.id == id }) else { throw BusError.notFound("group \(id) does not exist") }
            group.children = Self.tree(of: groups, under: id)
            return group
        }
    }

    func createGroup(_ request: CreateGroupRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        let name = try Self.checkGroupName(request.name)
        let type = request.type ?? "standard"
        try Self.checkGroupType(type)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.createGroup) { db, outbox in
            if let parent = request.parentId, try GroupRecord.fetchOne(db, key: parent) == nil {
                throw BusError.conflict("the parent group \(parent) does not exist")
            }
            let now = Date()
            let record = GroupRecord(
                id: try db.nextId("employee_group"), parentId: request.parentId, name: name,
                description: request.description?.trimmed.nilIfEmpty, type: type, createdAt: now, updatedAt: now)
            try record.insert(db)
            let group = try Self.loadGroup(db, id: record.id)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.groupCreated, entity: "group", id: record.id, actor: headers.actor,
                before: nil, after: snapshot(group))
            return group
        }
    }

    /// Renames, retypes or moves a group (under another, or to the root); a group cannot move
    /// under itself or one of its own subgroups.
    func updateGroup(_ request: UpdateGroupRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        let name = try request.name.map(Self.checkGroupName)
        if let type = request.type { try Self.checkGroupType(type) }
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.updateGroup) { db, outbox in
            guard var record = try GroupRecord.fetchOne(db, key: request.id) else {
                throw BusError.notFound("group \(request.id) does not exist")
            }
            let before = try Self.loadGroup(db, id: record.id)
            if let name { record.name = name }
            if let description = request.description { record.description = description.trimmed.nilIfEmpty }
            if let type = request.type { record.type = type }
            if request.moveToRoot == true || request.parentId == 0 {
                record.parentId = nil
            } else if let parent = request.parentId {
                guard try GroupRecord.fetchOne(db, key: parent) != nil else {
                    throw BusError.conflict("the parent group \(parent) does not exist")
                }
                let below = try Self.subtreeIds(db, root: record.id)
                if below.contains(parent) {
                    throw BusError.conflict("a group cannot move under itself or one of its subgroups")
                }
                record.parentId = parent
            }
            record.updatedAt = Date()
            try record.update(db)
            let after = try Self.loadGroup(db, id: record.id)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.groupUpdated, entity: "group", id: record.id, actor: headers.actor,
                before: snapshot(before), after: snapshot(after),
                details: before.parentId != after.parentId ? ["moved": .bool(true)] : nil)
            return after
        }
    }

    /// Deletes a group; one with subgroups only when `recursive` (then the whole subtree goes).
    func deleteGroup(_ request: DeleteGroupRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.deleteGroup) { db, outbox in
            guard try GroupRecord.fetchOne(db, key: request.id) != nil else {
                throw BusError.notFound("group \(request.id) does not exist")
            }
            let subtree = try Self.subtreeIds(db, root: request.id)
            let subgroups = subtree.count - 1
            if subgroups > 0 && request.recursive != true {
                throw BusError(
                    code: .conflict,
                    message: "the group has \(subgroups) subgroup(s); delete them first or ask for recursive=true",
                    details: ["count": subgroups])
            }
            // Deepest first, so no row ever points to a deleted parent.
            for id in subtree.reversed() {
                let group = try Self.loadGroup(db, id: id)
                try db.execute(sql: "DELETE FROM group_member WHERE group_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM employee_group WHERE id = ?", arguments: [id])
                try Self.recordChange(
                    db, outbox, event: SettingsContract.Event.groupDeleted, entity: "group", id: id, actor: headers.actor,
                    before: snapshot(group), after: nil)
            }
            return GroupsDeleted(deleted: subtree)
        }
    }

    func setMember(_ request: GroupMemberRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        let role = request.role?.trimmed.nilIfEmpty
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.setMember) { db, outbox in
            let before = try Self.loadGroup(db, id: request.groupId)
            _ = try Self.user(db, id: request.userId)
            try db.execute(
                sql: """
                    INSERT INTO group_member (group_id, user_id, role) VALUES (?, ?, ?)
                    ON CONFLICT(group_id, user_id) DO UPDATE SET role = excluded.role
                    """,
                arguments: [request.groupId, request.userId, role])
            let after = try Self.loadGroup(db, id: request.groupId)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.memberSet, entity: "group", id: request.groupId, actor: headers.actor,
                before: snapshot(before.members), after: snapshot(after.members), details: ["user_id": .int(request.userId)])
            return after
        }
    }

    func removeMember(_ request: GroupMemberRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.removeMember) { db, outbox in
            let before = try Self.loadGroup(db, id: request.groupId)
            guard before.members.contains(where: { $0.userId == request.userId }) else {
                throw BusError.notFound("user \(request.userId) is not a member of group \(request.groupId)")
            }
            try db.execute(
                sql: "DELETE FROM group_member WHERE group_id = ? AND user_id = ?", arguments: [request.groupId, request.userId])
            let after = try Self.loadGroup(db, id: request.groupId)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.memberRemoved, entity: "group", id: request.groupId,
                actor: headers.actor, before: snapshot(before.members), after: snapshot(after.members),
                details: ["user_id": .int(request.userId)])
            return after
        }
    }

    /// The sales people: active members of sales groups.
    func salesPeople() async throws -> [User] {
        try await database.read { db in
            try User.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT user.* FROM user
                    JOIN group_member ON group_member.user_id = user.id
                    JOIN employee_group ON employee_group.id = group_member.group_id
                    WHERE employee_group.type = 'sales' AND user.active
                    ORDER BY user.username COLLATE NOCASE
                    """)
        }
    }

    // MARK: - Loading

    static func loadGroups(_ db: Database) throws -> [EmployeeGroup] {
        let members = try Row.fetchAll(
            db,
            sql: """
                SELECT group_member.group_id, group_member.role, user.id, user.username, user.name
                FROM group_member JOIN user ON user.id = group_member.user_id ORDER BY user.username
                """)
        let byGroup = Dictionary(grouping: members, by: { $0["group_id"] as Int64 })
        return try GroupRecord.order(Column("name").collating(.nocase)).fetchAll(db).map { record in
            EmployeeGroup(
                id: record.id, parentId: record.parentId, name: record.name, description: record.description, type: record.type,
                members: (byGroup[record.id] ?? []).map {
                    GroupMember(userId: $0["id"], username: $0["username"], name: $0["name"], role: $0["role"])
                },
                children: nil, createdAt: record.createdAt, updatedAt: record.updatedAt)
        }
    }

    static func loadGroup(_ db: Database, id: Int64) throws -> EmployeeGroup {
        guard let group = try loadGroups(db).first(where: { $0.id == id }) else {
            throw BusError.notFound("group \(id) does not exist")
        }
        return group
    }

    /// The group and every group below it, parents before children.
    static func subtreeIds(_ db: Database, root: Int64) throws -> [Int64] {
        try Int64.fetchAll(
            db,
            sql: """
                WITH RECURSIVE below(id, depth) AS (
                    SELECT id, 0 FROM employee_group WHERE id = ?
                    UNION ALL SELECT employee_group.id, below.depth + 1 FROM employee_group JOIN below ON employee_group.parent_id = below.id
                ) SELECT id FROM below ORDER BY depth, id
                """,
            arguments: [root])
    }

    static func tree(of groups: [EmployeeGroup], under parent: Int64?) -> [EmployeeGroup] {
        groups.filter { $0.parentId == parent }.map { group in
            var node = group
            node.children = tree(of: groups, under: group.id)
            return node
        }
    }

    static func checkGroupName(_ raw: String) throws -> String {
        guard let name = raw.trimmed.nilIfEmpty, name.count <= 100 else {
            throw BusError.invalid("a group needs a name of up to 100 characters")
        }
        return name
    }

    static func checkGroupType(_ type: String) throws {
        guard ["standard", "sales"].contains(type) else { throw BusError.invalid("a group's type is standard or sales, not '\(type)'") }
    }
}
