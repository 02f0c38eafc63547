import Foundation

/// A task: something a user is to do, by a date or an instant, perhaps about a customer or a
/// deal. Its status maps onto iCalendar's VTODO: open NEEDS-ACTION, in_progress IN-PROCESS,
/// done COMPLETED, cancelled CANCELLED.
public struct TaskItem: Codable, Sendable, Equatable {
    public var id: Int64 = 0
    public var title = ""
    public var description: String?
    /// `open`, `in_progress`, `done` or `cancelled`.
    public var status = "open"
    public var ownerId: Int64?
    public var ownerName: String?
    /// A settings task category, with its name and colour as last heard.
    public var categoryId: Int64?
    public var categoryName: String?
    public var categoryColour: String?
    /// `low`, `normal` or `high`.
    public var priority = "normal"
    /// Due on a day (`YYYY-MM-DD`), or at an instant (`due_at`, UTC) in a zone (`due_zone`, IANA).
    public var dueDate: String?
    public var dueAt: Date?
    public var dueZone: String?
    public var companyIds: [Int64] = []
    public var contactIds: [Int64] = []
    public var dealIds: [Int64] = []
    /// `manual`, `missed_call` or `follow_up`.
    public var origin = "manual"
    /// For a call-back: the caller's number and how many missed calls folded into the task.
    public var callerNumber: String?
    public var missedCalls: Int?
    /// Shown in the owner's calendar feed as an event (a follow-up "add to my calendar").
    public var addToCalendar = false
    public var completedAt: Date?
    /// Place on the task board, within its status column.
    public var position: Double = 0
    public var version: Int64 = 1
    public var createdAt = Date(timeIntervalSince1970: 0)
    public var updatedAt = Date(timeIntervalSince1970: 0)
    public var deletedAt: Date?

    public init() {}

    public static let statuses = ["open", "in_progress", "done", "cancelled"]
    public static let priorities = ["low", "normal", "high"]
    public static let origins = ["manual", "missed_call", "follow_up"]
}

/// `tasks.create`.
public struct CreateTaskRequest: Codable, Sendable {
    public var title: String
    public var description: String?
    public var status: String?
    /// Nil: the caller.
    public var ownerId: Int64?
    public var categoryId: Int64?
    public var priority: String?
    public var dueDate: String?
    public var dueAt: Date?
    public var dueZone: String?
    public var companyIds: [Int64]?
    public var contactIds: [Int64]?
    public var dealIds: [Int64]?
    /// `manual` (the default) or `follow_up`.
    public var origin: String?
    public var addToCalendar: Bool?

    public init(title: String) { self.title = title }
}

/// `tasks.update`: the fields given change; `version` is the one the change was made from.
public struct UpdateTaskRequest: Codable, Sendable {
    public var id: Int64
    public var version: Int64
    public var title: String?
    /// Empty clears it.
    public var description: String?
    public var status: String?
    /// 0 clears it.
    public var ownerId: Int64?
    /// 0 clears it.
    public var categoryId: Int64?
    public var priority: String?
    /// Empty clears the due date.
    public var dueDate: String?
    public var dueAt: Date?
    public var dueZone: String?
    /// True clears `due_at` and `due_zone`.
    public var clearDueAt: Bool?
    public var companyIds: [Int64]?
    public var contactIds: [Int64]?
    public var dealIds: [Int64]?
    public var addToCalendar: Bool?

    public init(id: Int64, version: Int64) {
        self.id = id
        self.version = version
    }
}

/// `tasks.complete`, `tasks.reopen`, `tasks.delete`, `tasks.restore`.
public struct TaskVersionRequest: Codable, Sendable {
    public var id: Int64
    public var version: Int64
    public init(id: Int64, version: Int64) {
        self.id = id
        self.version = version
    }
}

/// `tasks.move`: to a status column, between two neighbours (either may be absent).
public struct MoveTaskRequest: Codable, Sendable {
    public var id: Int64
    public var version: Int64
    public var status: String
    public var beforeId: Int64?
    public var afterId: Int64?
    public init(id: Int64, version: Int64, status: String, beforeId: Int64? = nil, afterId: Int64? = nil) {
        self.id = id
        self.version = version
        self.status = status
        self.beforeId = beforeId
        self.afterId = afterId
    }
}

/// `tasks.list`: every filter narrows; a link filter is a card's tab.
public struct ListTasksRequest: Codable, Sendable {
    public var ownerIds: [Int64]?
    public var statuses: [String]?
    public var categoryId: Int64?
    /// Due on or after / on or before these days (a task due at an instant counts on its UTC day).
    public var dueFrom: String?
    public var dueTo: String?
    public var companyId: Int64?
    public var contactId: Int64?
    public var dealId: Int64?
    public var origin: String?
    /// `due` (the default: soonest first, undated last) or `position` (the board's order).
    public var sort: String?
    public var deleted: Bool?
    public var cursor: String?
    public var limit: Int?
    public init() {}
}

/// `tasks.board`: a column per status, each with its count and first cards.
public struct TaskBoardRequest: Codable, Sendable {
    public var ownerIds: [Int64]?
    public var categoryId: Int64?
    /// Also the cancelled column (open, in progress and done are always there).
    public var closed: Bool?
    public var limit: Int?
    /// One column's next page.
    public var column: String?
    public var cursor: String?
    public init() {}
}

public struct TaskBoard: Codable, Sendable {
    public var columns: [TaskColumn]
    public init(columns: [TaskColumn]) { self.columns = columns }
}

public struct TaskColumn: Codable, Sendable {
    public var status: String
    public var count: Int
    public var cards: [TaskItem]
    public var nextCursor: String?
    public init(status: String, count: Int, cards: [TaskItem], nextCursor: String?) {
        self.status = status
        self.count = count
        self.cards = cards
        self.nextCursor = nextCursor
    }
}

/// Payload of every task event: the task as it is after the change, who made it.
public struct TaskChanged: Codable, Sendable {
    public var task: TaskItem
    public var actor: String?
    public var fromStatus: String?
    public init(task: TaskItem, actor: String?, fromStatus: String? = nil) {
        self.task = task
        self.actor = actor
        self.fromStatus = fromStatus
    }
}
