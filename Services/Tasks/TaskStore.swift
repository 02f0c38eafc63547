import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Tasks: created, changed, moved on the board, completed, reopened, deleted; each change checked
/// against the version it was made from and written once per request id, with its event.
struct TaskStore: Sendable {
    let database: ServiceDatabase

    static let columns = """
        task.id, task.title, task.description, task.status, task.owner_id, task.category_id, task.priority, task.due_date,
        task.due_at, task.due_zone, task.origin, task.caller_number, task.missed_calls, task.add_to_calendar, task.completed_at,
        task.position, task.version, task.created_at, task.updated_at, task.deleted_at, user.name AS owner_name,
        category.name AS category_name, category.colour AS category_colour
        """
    static let from = "task LEFT JOIN user ON user.id = task.owner_id LEFT JOIN category ON category.id = task.category_id"

    // MARK: - Reading

    func get(id: Int64, headers: BusHeaders) async throws -> TaskItem {
        try await database.read { db in
            guard try TasksAccess.of(headers, db).allows(task: id, db) else { throw BusError.notFound("task \(id) does not exist") }
            return try Self.load(db, id: id, deleted: nil)
        }
    }

    func list(_ request: ListTasksRequest, headers: BusHeaders) async throws -> Page<TaskItem> {
        let limit = min(max(request.limit ?? 50, 1), TasksContract.maxPageSize)
        let sort = request.sort ?? "due"
        guard ["due", "position"].contains(sort) else { throw BusError.invalid("sort is due or position, not '\(sort.prefix(20))'") }
        for status in request.statuses ?? [] where !TaskItem.statuses.contains(status) {
            throw BusError.invalid("status is one of \(TaskItem.statuses.joined(separator: ", ")), not '\(status.prefix(20))'")
        }
        if let origin = request.origin, !TaskItem.origins.contains(origin) {
            throw BusError.invalid("origin is manual, missed_call or follow_up")
        }
        let from = try request.dueFrom.map { try Self.day($0, "due_from") }
        let to = try request.dueTo.map { try Self.day($0, "due_to") }
        let start = try Self.position(of: request.cursor)
        return try await database.read { db in
            var (conditions, arguments) = try Self.scope(db, headers, deleted: request.deleted == true, owners: request.ownerIds)
            if let statuses = request.statuses, !statuses.isEmpty {
                conditions.append("task.status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))")
                arguments += StatementArguments(statuses)
            }
            if let category = request.categoryId {
                conditions.append("task.category_id = ?")
                arguments += [category]
            }
            if let origin = request.origin {
                conditions.append("task.origin = ?")
                arguments += [origin]
            }
            if let from {
                conditions.append("task.due_sort >= ?")
                arguments += [Double(from) * 86_400]
            }
            if let to {
                conditions.append("task.due_sort < ?")
                arguments += [Double(to + 1) * 86_400]
            }
            for (kind, id) in [("company", request.companyId), ("contact", request.contactId), ("deal", request.dealId)] {
                guard let id else { continue }
                conditions.append("task.id IN (SELECT task_id FROM task_link WHERE kind = ? AND target_id = ?)")
                arguments += [kind, id]
            }
            let key = sort == "due" ? "task.due_sort" : "task.position"
            if let after = start {
                conditions.append("(\(key) > ? OR (\(key) = ? AND task.id > ?))")
                arguments += [after.0, after.0, after.1]
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.columns), \(key) AS sort_key FROM \(Self.from) WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY \(key), task.id LIMIT ?
                    """, arguments: arguments + [limit + 1])
            let items = try Self.tasks(from: Array(rows.prefix(limit)), db)
            let next = rows.count > limit ? rows[limit - 1] : nil
            return Page(items: items, nextCursor: next.map { Cursor(id: $0["id"], keys: [String($0["sort_key"] as Double)]).text })
        }
    }

    /// The board: a column per status (open, in progress, done; cancelled too when asked), each
    /// with its count and first cards in board order.
    func board(_ request: TaskBoardRequest, headers: BusHeaders) async throws -> TaskBoard {
        let limit = min(max(request.limit ?? 30, 1), TasksContract.maxPageSize)
        if let column = request.column, !TaskItem.statuses.contains(column) { throw BusError.invalid("column is a task status") }
        let start = try Self.position(of: request.cursor)
        return try await database.read { db in
            var (conditions, arguments) = try Self.scope(
                db, headers, deleted: false, owners: request.ownerIds ?? headers.userId.map { [$0] })
            if let category = request.categoryId {
                conditions.append("task.category_id = ?")
                arguments += [category]
            }
            let statuses =
                request.column.map { [$0] } ?? (request.closed == true ? TaskItem.statuses : ["open", "in_progress", "done"])
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT task.status, COUNT(*) AS n FROM task WHERE \(conditions.joined(separator: " AND "))
                        AND task.status IN (\(statuses.map { _ in "?" }.joined(separator: ","))) GROUP BY task.status
                    """, arguments: arguments + StatementArguments(statuses))
            {
                counts[row["status"]] = row["n"]
            }
            var columns: [TaskColumn] = []
            for status in statuses {
                var where_ = conditions + ["task.status = ?"]
                var args = arguments + [status]
                if let after = start {
                    where_.append("(task.position > ? OR (task.position = ? AND task.id > ?))")
                    args += [after.0, after.0, after.1]
                }
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.columns) FROM \(Self.from) WHERE \(where_.joined(separator: " AND "))
                        ORDER BY task.position, task.id LIMIT ?
                        """, arguments: args + [limit + 1])
                let cards = try Self.tasks(from: Array(rows.prefix(limit)), db)
                let next = rows.count > limit ? cards.last.map { Cursor(id: $0.id, keys: [String($0.position)]).text } : nil
                columns.append(TaskColumn(status: status, count: counts[status] ?? 0, cards: cards, nextCursor: next))
            }
            return TaskBoard(columns: columns)
        }
    }

    /// A cursor's place: the sort key and id it handed out after (a key it cannot read starts
    /// at the beginning).
    static func position(of cursor: String?) throws -> (Double, Int64)? {
        guard let text = cursor else { return nil }
        guard let cursor = Cursor(text: text) else { throw BusError.invalid("cursor is not one this list handed out") }
        return (Double(cursor.key(0)).flatMap { $0.isFinite ? $0 : nil } ?? -1e15, cursor.id)
    }

    /// What every list and board starts from: deleted or not, what the caller may see, whose tasks.
    static func scope(_ db: Database, _ headers: BusHeaders, deleted: Bool, owners: [Int64]?) throws -> ([String], StatementArguments) {
        var conditions = [deleted ? "task.deleted_at IS NOT NULL" : "task.deleted_at IS NULL"]
        let (access, arguments) = try TasksAccess.of(headers, db).taskCondition
        conditions.append(access)
        var all = arguments
        if let owners, !owners.isEmpty {
            conditions.append("task.owner_id IN (\(owners.map { _ in "?" }.joined(separator: ",")))")
            all += StatementArguments(owners)
        }
        return (conditions, all)
    }

    // MARK: - Writing

    func create(_ request: CreateTaskRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let title = try Self.title(request.title)
        try Self.checkText(request.description)
        let status = try Self.status(request.status ?? "open")
        let priority = try Self.priority(request.priority ?? "normal")
        let origin = request.origin ?? "manual"
        guard ["manual", "follow_up"].contains(origin) else { throw BusError.invalid("origin of a new task is manual or follow_up") }
        let due = try Self.due(date: request.dueDate, at: request.dueAt, zone: request.dueZone)
        let links = try Self.links(request.companyIds, request.contactIds, request.dealIds)
        return try await database.idempotentWrite(requestId: requestId, method: TasksContract.Method.createTask) { db, outbox in
            let now = Date()
            var task = TaskItem()
            task.title = title
            task.description = request.description?.nilIfBlank
            task.status = status
            task.ownerId = try Self.user(db, request.ownerId ?? headers.userId)
            task.categoryId = try Self.category(db, request.categoryId)
            task.priority = priority
            (task.dueDate, task.dueAt, task.dueZone) = due
            (task.companyIds, task.contactIds, task.dealIds) = links ?? ([], [], [])
            try Self.checkCustomers(db, task, headers: headers)
            task.origin = origin
            task.addToCalendar = request.addToCalendar ?? (origin == "follow_up")
            if status == "done" { task.completedAt = now }
            task.createdAt = now
            task.updatedAt = now
            return try Self.insert(db, outbox, task, actor: headers.actor)
        }
    }

    func update(_ request: UpdateTaskRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let title = try request.title.map(Self.title)
        try Self.checkText(request.description)
        let status = try request.status.map(Self.status)
        let priority = try request.priority.map(Self.priority)
        if let date = request.dueDate, !date.isEmpty { _ = try Self.day(date, "due_date") }
        if let zone = request.dueZone { _ = try Self.zone(zone) }
        let links = try Self.links(request.companyIds, request.contactIds, request.dealIds)
        return try await database.idempotentWrite(requestId: requestId, method: TasksContract.Method.updateTask) { db, outbox in
            let before = try Self.loadForChange(db, id: request.id, version: request.version, headers: headers)
            var task = before
            if let title { task.title = title }
            if let description = request.description { task.description = description.nilIfBlank }
            if let owner = request.ownerId { task.ownerId = owner == 0 ? nil : try Self.user(db, owner) }
            if let category = request.categoryId { task.categoryId = category == 0 ? nil : try Self.category(db, category) }
            if let priority { task.priority = priority }
            if request.clearDueAt == true {
                task.dueAt = nil
                task.dueZone = nil
            }
            if let date = request.dueDate {
                task.dueDate = date.nilIfBlank
                if task.dueDate != nil {
                    task.dueAt = nil
                    task.dueZone = nil
                }
            }
            if let at = request.dueAt {
                task.dueAt = at
                task.dueDate = nil
                task.dueZone = request.dueZone ?? task.dueZone ?? "UTC"
            } else if let zone = request.dueZone, task.dueAt != nil {
                task.dueZone = zone
            }
            (task.dueDate, task.dueAt, task.dueZone) = try Self.due(date: task.dueDate, at: task.dueAt, zone: task.dueZone)
            if let links { (task.companyIds, task.contactIds, task.dealIds) = links }
            if links != nil { try Self.checkCustomers(db, task, headers: headers) }
            if let add = request.addToCalendar { task.addToCalendar = add }
            if let status { Self.setStatus(&task, status) }
            return try Self.save(db, outbox, before: before, after: task, actor: headers.actor)
        }
    }

    func move(_ request: MoveTaskRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let status = try Self.status(request.status)
        return try await database.idempotentWrite(requestId: requestId, method: TasksContract.Method.moveTask) { db, outbox in
            let before = try Self.loadForChange(db, id: request.id, version: request.version, headers: headers)
            var task = before
            Self.setStatus(&task, status)
            task.position = try Self.position(db, task, before: request.beforeId, after: request.afterId)
            return try Self.save(db, outbox, before: before, after: task, actor: headers.actor)
        }
    }

    /// Complete, reopen, delete.
    func change(_ request: TaskVersionRequest, to action: String, headers: BusHeaders, requestId: String) async throws -> Data {
        let method =
            switch action {
            case "complete": TasksContract.Method.completeTask
            case "reopen": TasksContract.Method.reopenTask
            default: TasksContract.Method.deleteTask
            }
        return try await database.idempotentWrite(requestId: requestId, method: method) { db, outbox in
            let before = try Self.loadForChange(db, id: request.id, version: request.version, headers: headers)
            var task = before
            switch action {
            case "complete":
                guard task.status != "done" else { throw BusError.conflict("task \(task.id) is done already") }
                Self.setStatus(&task, "done")
            case "reopen":
                guard task.status == "done" || task.status == "cancelled" else {
                    throw BusError.conflict("task \(task.id) is not done or cancelled")
                }
                Self.setStatus(&task, "open")
            default:
                task.deletedAt = Date()
            }
            return try Self.save(db, outbox, before: before, after: task, actor: headers.actor)
        }
    }

    // MARK: - Rows

    static func load(_ db: Database, id: Int64, deleted: Bool? = false) throws -> TaskItem {
        var sql = "SELECT \(columns) FROM \(from) WHERE task.id = ?"
        if let deleted { sql += deleted ? " AND task.deleted_at IS NOT NULL" : " AND task.deleted_at IS NULL" }
        guard let row = try Row.fetchOne(db, sql: sql, arguments: [id]) else { throw BusError.notFound("task \(id) does not exist") }
        return try tasks(from: [row], db)[0]
    }

    static func loadForChange(_ db: Database, id: Int64, version: Int64, headers: BusHeaders) throws -> TaskItem {
        guard try TasksAccess.of(headers, db).allows(task: id, db) else { throw BusError.notFound("task \(id) does not exist") }
        let task = try load(db, id: id)
        guard task.version == version else {
            throw BusError.conflict("task \(id) changed since version \(version) (now \(task.version)); read it again")
        }
        return task
    }

    static func tasks(from rows: [Row], _ db: Database) throws -> [TaskItem] {
        var tasks = rows.map { row -> TaskItem in
            var task = TaskItem()
            task.id = row["id"]
            task.title = row["title"]
            task.description = row["description"]
            task.status = row["status"]
            task.ownerId = row["owner_id"]
            task.ownerName = row["owner_name"]
            task.categoryId = row["category_id"]
            task.categoryName = row["category_name"]
            task.categoryColour = row["category_colour"]
            task.priority = row["priority"]
            task.dueDate = row["due_date"]
            task.dueAt = row["due_at"]
            task.dueZone = row["due_zone"]
            task.origin = row["origin"]
            task.callerNumber = row["caller_number"]
            task.missedCalls = row["missed_calls"]
            task.addToCalendar = row["add_to_calendar"]
            task.completedAt = row["completed_at"]
            task.position = row["position"]
            task.version = row["version"]
            task.createdAt = row["created_at"]
            task.updatedAt = row["updated_at"]
            task.deletedAt = row["deleted_at"]
            return task
        }
        guard !tasks.isEmpty else { return tasks }
        // Every page's links in one query.
        var index: [Int64: Int] = [:]
        for (position, task) in tasks.enumerated() { index[task.id] = position }
        let ids = tasks.map(\.id)
        for row in try Row.fetchAll(
            db,
            sql:
                "SELECT task_id, kind, target_id FROM task_link WHERE task_id IN (\(ids.map { _ in "?" }.joined(separator: ","))) ORDER BY rowid",
            arguments: StatementArguments(ids))
        {
            guard let position = index[row["task_id"]] else { continue }
            let target: Int64 = row["target_id"]
            switch row["kind"] as String {
            case "company": tasks[position].companyIds.append(target)
            case "contact": tasks[position].contactIds.append(target)
            default: tasks[position].dealIds.append(target)
            }
        }
        return tasks
    }

    static func dueSort(_ task: TaskItem) -> Double {
        if let at = task.dueAt { return at.timeIntervalSince1970 }
        if let date = task.dueDate, let day = CivilDate.parse(date) { return Double(day) * 86_400 }
        return 1e12
    }

    static func insert(_ db: Database, _ outbox: Outbox, _ new: TaskItem, actor: String?) throws -> TaskItem {
        var task = new
        task.position = try endOfColumn(db, task)
        try db.execute(
            sql: """
                INSERT INTO task (title, description, status, owner_id, category_id, priority, due_date, due_at, due_zone, due_sort,
                    origin, caller_number, missed_calls, add_to_calendar, completed_at, position, version, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                """,
            arguments: [
                task.title, task.description, task.status, task.ownerId, task.categoryId, task.priority, task.dueDate,
                DatabaseDate.string(task.dueAt), task.dueZone, dueSort(task), task.origin, task.callerNumber, task.missedCalls,
                task.addToCalendar, DatabaseDate.string(task.completedAt), task.position, DatabaseDate.string(task.createdAt),
                DatabaseDate.string(task.updatedAt),
            ])
        task.id = db.lastInsertedRowID
        try storeLinks(db, task)
        let saved = try load(db, id: task.id, deleted: nil)
        try outbox.append(db, type: TasksContract.Event.taskCreated, payload: TaskChanged(task: saved, actor: actor))
        return saved
    }

    /// Writes a change as the next version, with its event: completed, deleted, or updated.
    static func save(_ db: Database, _ outbox: Outbox, before: TaskItem, after: TaskItem, actor: String?) throws -> TaskItem {
        var task = after
        task.version = before.version + 1
        task.updatedAt = Date()
        if task.status != before.status && task.status != "done" { task.completedAt = nil }
        if task.status != before.status, before.position == task.position {
            task.position = try endOfColumn(db, task)
        }
        try db.execute(
            sql: """
                UPDATE task SET title = ?, description = ?, status = ?, owner_id = ?, category_id = ?, priority = ?, due_date = ?,
                    due_at = ?, due_zone = ?, due_sort = ?, caller_number = ?, missed_calls = ?, add_to_calendar = ?, completed_at = ?,
                    position = ?, version = ?, updated_at = ?, deleted_at = ?
                WHERE id = ?
                """,
            arguments: [
                task.title, task.description, task.status, task.ownerId, task.categoryId, task.priority, task.dueDate,
                DatabaseDate.string(task.dueAt), task.dueZone, dueSort(task), task.callerNumber, task.missedCalls, task.addToCalendar,
                DatabaseDate.string(task.completedAt), task.position, task.version, DatabaseDate.string(task.updatedAt),
                DatabaseDate.string(task.deletedAt), task.id,
            ])
        if (task.companyIds, task.contactIds, task.dealIds) != (before.companyIds, before.contactIds, before.dealIds) {
            try db.execute(sql: "DELETE FROM task_link WHERE task_id = ?", arguments: [task.id])
            try storeLinks(db, task)
        }
        let saved = try load(db, id: task.id, deleted: nil)
        let type =
            if saved.deletedAt != nil && before.deletedAt == nil {
                TasksContract.Event.taskDeleted
            } else if saved.status == "done" && before.status != "done" {
                TasksContract.Event.taskCompleted
            } else {
                TasksContract.Event.taskUpdated
            }
        try outbox.append(
            db, type: type, payload: TaskChanged(task: saved, actor: actor, fromStatus: before.status != saved.status ? before.status : nil)
        )
        return saved
    }

    static func storeLinks(_ db: Database, _ task: TaskItem) throws {
        for (kind, ids) in [("company", task.companyIds), ("contact", task.contactIds), ("deal", task.dealIds)] {
            for id in ids {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO task_link (task_id, kind, target_id) VALUES (?, ?, ?)", arguments: [task.id, kind, id])
            }
        }
    }

    static func setStatus(_ task: inout TaskItem, _ status: String) {
        guard task.status != status else { return }
        task.status = status
        task.completedAt = status == "done" ? Date() : nil
    }

    static func endOfColumn(_ db: Database, _ task: TaskItem) throws -> Double {
        let last = try Double.fetchOne(
            db, sql: "SELECT MAX(position) FROM task WHERE owner_id IS ? AND status = ? AND deleted_at IS NULL",
            arguments: [task.ownerId, task.status])
        return (last ?? 0) + 1024
    }

    /// Between the neighbours it was dropped between, in its column.
    static func position(_ db: Database, _ task: TaskItem, before: Int64?, after: Int64?) throws -> Double {
        func place(_ id: Int64?) throws -> Double? {
            guard let id, id != task.id else { return nil }
            guard
                let position = try Double.fetchOne(
                    db, sql: "SELECT position FROM task WHERE id = ? AND deleted_at IS NULL", arguments: [id])
            else { throw BusError.conflict("task \(id) is not on the board any more; read the board again") }
            return position
        }
        let (upper, lower) = (try place(before), try place(after))
        switch (lower, upper) {
        case let (lower?, upper?): return (lower + upper) / 2
        case let (lower?, nil): return lower + 1024
        case let (nil, upper?): return upper - 1024
        default: return try endOfColumn(db, task)
        }
    }

    // MARK: - Checks

    static func title(_ text: String) throws -> String {
        let title = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= 300 else { throw BusError.invalid("title: 1 to 300 characters") }
        return title
    }

    static func checkText(_ text: String?) throws {
        if let text, text.count > 10_000 { throw BusError.invalid("description is at most 10,000 characters") }
    }

    static func status(_ text: String) throws -> String {
        guard TaskItem.statuses.contains(text) else {
            throw BusError.invalid("status is one of \(TaskItem.statuses.joined(separator: ", ")), not '\(text.prefix(20))'")
        }
        return text
    }

    static func priority(_ text: String) throws -> String {
        guard TaskItem.priorities.contains(text) else { throw BusError.invalid("priority is low, normal or high") }
        return text
    }

    static func day(_ text: String, _ field: String) throws -> Int64 {
        guard let day = CivilDate.parse(text) else { throw BusError.invalid("\(field) is a date (YYYY-MM-DD), not '\(text.prefix(20))'") }
        return day
    }

    static func zone(_ name: String) throws -> TimeZone {
        guard name.count <= 64, !name.isEmpty, let zone = TimeZone(identifier: name) else {
            throw BusError.invalid("'\(name.prefix(64))' is not an IANA time zone such as Europe/Oslo")
        }
        return zone
    }

    static func due(date: String?, at: Date?, zone: String?) throws -> (String?, Date?, String?) {
        if let date = date?.nilIfBlank {
            guard at == nil else { throw BusError.conflict("a task is due on a day (due_date) or at an instant (due_at), not both") }
            _ = try day(date, "due_date")
            return (date, nil, nil)
        }
        guard let at else { return (nil, nil, nil) }
        guard at.timeIntervalSince1970.isFinite, abs(at.timeIntervalSince1970) < 253_402_300_799 else {
            throw BusError.conflict("due_at is out of range")
        }
        return (nil, at, try self.zone(zone ?? "UTC").identifier)
    }

    static func links(_ companies: [Int64]?, _ contacts: [Int64]?, _ deals: [Int64]?) throws -> ([Int64], [Int64], [Int64])? {
        guard companies != nil || contacts != nil || deals != nil else { return nil }
        for list in [companies, contacts, deals] {
            guard (list?.count ?? 0) <= 50, (list ?? []).allSatisfy({ $0 > 0 }) else {
                throw BusError.invalid("links: at most 50 of each kind, ids from 1")
            }
        }
        return (unique(companies ?? []), unique(contacts ?? []), unique(deals ?? []))
    }

    static func unique(_ ids: [Int64]) -> [Int64] {
        var seen = Set<Int64>()
        return ids.filter { seen.insert($0).inserted }
    }

    static func user(_ db: Database, _ id: Int64?) throws -> Int64? {
        guard let id else { return nil }
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE id = ?", arguments: [id]) != nil else {
            throw BusError.conflict("user \(id) does not exist")
        }
        return id
    }

    static func category(_ db: Database, _ id: Int64?) throws -> Int64? {
        guard let id else { return nil }
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM category WHERE id = ? AND active = 1", arguments: [id]) != nil else {
            throw BusError.conflict("task category \(id) does not exist or is not active")
        }
        return id
    }

    /// The companies and contacts named exist (and the caller may see them).
    static func checkCustomers(_ db: Database, _ task: TaskItem, headers: BusHeaders) throws {
        try Customers.check(db, companies: task.companyIds, contacts: task.contactIds, headers: headers)
    }
}

/// The customers a task or appointment names, from contacts' read model.
enum Customers {
    static func check(_ db: Database, companies: [Int64], contacts: [Int64], headers: BusHeaders) throws {
        let access = try TasksAccess.of(headers, db)
        for (kind, ids) in [("company", companies), ("contact", contacts)] {
            for id in ids {
                let row = try Row.fetchOne(
                    db, sql: "SELECT owner_id FROM customer WHERE kind = ? AND id = ? AND deleted = 0", arguments: [kind, id])
                guard let row else { throw BusError.conflict("\(kind) \(id) does not exist") }
                if let user = access.restrictedTo, (row["owner_id"] as Int64?) != user {
                    throw BusError.conflict("\(kind) \(id) does not exist")
                }
            }
        }
    }
}

extension String {
    var nilIfBlank: String? { trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : self }
}
