import Foundation

/// `sales.deals.create`.
public struct CreateDealRequest: Codable, Sendable {
    /// `company` or `contact`.
    public var customerKind: String
    public var customerId: Int64
    /// Nil: the default project.
    public var projectId: Int64?
    /// Nil: the caller (when a user), else the customer's owner.
    public var ownerId: Int64?
    public var subject: String
    /// Nil: the first open status of the project's process.
    public var statusId: Int64?
    public var stageId: Int64?
    public var categoryId: Int64?
    public var sourceId: Int64?
    public var value: Int64?
    public var currency: String?
    /// Given: set by hand (survives status changes).
    public var probability: Int?
    public var weightLabel: String?
    public var expectedClose: String?
    public var nextFollowUp: String?
    public var contacts: [DealPerson]?
    public var colleagues: [DealPerson]?

    public init(
        customerKind: String, customerId: Int64, projectId: Int64? = nil, ownerId: Int64? = nil, subject: String,
        statusId: Int64? = nil, stageId: Int64? = nil, categoryId: Int64? = nil, sourceId: Int64? = nil, value: Int64? = nil,
        currency: String? = nil, probability: Int? = nil, weightLabel: String? = nil, expectedClose: String? = nil,
        nextFollowUp: String? = nil, contacts: [DealPerson]? = nil, colleagues: [DealPerson]? = nil
    ) {
        self.customerKind = customerKind
        self.customerId = customerId
        self.projectId = projectId
        self.ownerId = ownerId
        self.subject = subject
        self.statusId = statusId
        self.stageId = stageId
        self.categoryId = categoryId
        self.sourceId = sourceId
        self.value = value
        self.currency = currency
        self.probability = probability
        self.weightLabel = weightLabel
        self.expectedClose = expectedClose
        self.nextFollowUp = nextFollowUp
        self.contacts = contacts
        self.colleagues = colleagues
    }
}

/// `sales.deals.update`: the fields present change (an id of 0 and an empty text clear);
/// `version` is the version the change was made from.
public struct UpdateDealRequest: Codable, Sendable {
    public var id: Int64
    public var version: Int64
    public var projectId: Int64?
    public var ownerId: Int64?
    public var subject: String?
    public var statusId: Int64?
    public var stageId: Int64?
    public var categoryId: Int64?
    public var sourceId: Int64?
    public var value: Int64?
    public var currency: String?
    /// A number sets it by hand; -1 gives it back to the status.
    public var probability: Int?
    public var weightLabel: String?
    public var expectedClose: String?
    public var actualValue: Int64?
    public var reasonId: Int64?
    public var reasonNote: String?
    public var nextFollowUp: String?
    public var contacts: [DealPerson]?
    public var colleagues: [DealPerson]?

    public init(
        id: Int64, version: Int64, projectId: Int64? = nil, ownerId: Int64? = nil, subject: String? = nil, statusId: Int64? = nil,
        stageId: Int64? = nil, categoryId: Int64? = nil, sourceId: Int64? = nil, value: Int64? = nil, currency: String? = nil,
        probability: Int? = nil, weightLabel: String? = nil, expectedClose: String? = nil, actualValue: Int64? = nil,
        reasonId: Int64? = nil, reasonNote: String? = nil, nextFollowUp: String? = nil, contacts: [DealPerson]? = nil,
        colleagues: [DealPerson]? = nil
    ) {
        self.id = id
        self.version = version
        self.projectId = projectId
        self.ownerId = ownerId
        self.subject = subject
        self.statusId = statusId
        self.stageId = stageId
        self.categoryId = categoryId
        self.sourceId = sourceId
        self.value = value
        self.currency = currency
        self.probability = probability
        self.weightLabel = weightLabel
        self.expectedClose = expectedClose
        self.actualValue = actualValue
        self.reasonId = reasonId
        self.reasonNote = reasonNote
        self.nextFollowUp = nextFollowUp
        self.contacts = contacts
        self.colleagues = colleagues
    }
}

/// `sales.deals.move`: the board's drag and drop. `status_id` a status of the deal's process
/// (a final one wins or loses it); `before_id`/`after_id` the neighbours it was dropped between.
public struct MoveDealRequest: Codable, Sendable {
    public var id: Int64
    public var version: Int64
    public var statusId: Int64
    public var beforeId: Int64?
    public var afterId: Int64?
    /// The board the move was made on: the answer carries its changed columns' totals.
    public var board: BoardRequest?
    public init(id: Int64, version: Int64, statusId: Int64, beforeId: Int64? = nil, afterId: Int64? = nil, board: BoardRequest? = nil) {
        self.id = id
        self.version = version
        self.statusId = statusId
        self.beforeId = beforeId
        self.afterId = afterId
        self.board = board
    }
}

/// `sales.deals.win`, `sales.deals.lose`, `sales.deals.postpone`, `sales.deals.reopen`.
public struct CloseDealRequest: Codable, Sendable {
    public var id: Int64
    public var version: Int64
    /// Win: the final won status (nil: the process's first); lose: its lost status; reopen:
    /// the open status it returns to (nil: the one it was in last).
    public var statusId: Int64?
    public var reasonId: Int64?
    public var reasonNote: String?
    /// Win: what was sold, in minor units (nil: the deal's value).
    public var actualValue: Int64?
    /// `YYYY-MM-DD`, nil: today.
    public var closedOn: String?
    public init(
        id: Int64, version: Int64, statusId: Int64? = nil, reasonId: Int64? = nil, reasonNote: String? = nil, actualValue: Int64? = nil,
        closedOn: String? = nil
    ) {
        self.id = id
        self.version = version
        self.statusId = statusId
        self.reasonId = reasonId
        self.reasonNote = reasonNote
        self.actualValue = actualValue
        self.closedOn = closedOn
    }
}

/// `sales.deals.delete`, `sales.deals.restore`: `version` as last read.
public struct DealVersionRequest: Codable, Sendable {
    public var id: Int64
    public var version: Int64?
    public init(id: Int64, version: Int64? = nil) {
        self.id = id
        self.version = version
    }
}

/// `sales.deals.list`: a filter (as the board's) and a cursor page, newest first.
public struct ListDealsRequest: Codable, Sendable {
    public var filter: DealFilter?
    public var customerKind: String?
    public var customerId: Int64?
    /// `open`, `won`, `lost`, `postponed`.
    public var outcome: String?
    public var deleted: Bool?
    public var cursor: String?
    public var limit: Int?
    public init(
        filter: DealFilter? = nil, customerKind: String? = nil, customerId: Int64? = nil, outcome: String? = nil, deleted: Bool? = nil,
        cursor: String? = nil, limit: Int? = nil
    ) {
        self.filter = filter
        self.customerKind = customerKind
        self.customerId = customerId
        self.outcome = outcome
        self.deleted = deleted
        self.cursor = cursor
        self.limit = limit
    }
}

/// What a board, a list, an export or a batch SMS is narrowed to.
public struct DealFilter: Codable, Sendable, Equatable {
    public var projectId: Int64?
    /// The owners of the customers (as the seed says: the user who owns the customer record).
    public var ownerIds: [Int64]?
    /// The deal's own sales person.
    public var dealOwnerIds: [Int64]?
    /// `YYYY-MM-DD`, inclusive: open deals expected to close in it, closed deals closed in it.
    public var from: String?
    public var to: String?
    public var categoryId: Int64?
    public var stageId: Int64?
    public var sourceId: Int64?
    /// Words in the subject or the customer's name.
    public var text: String?
    public init(
        projectId: Int64? = nil, ownerIds: [Int64]? = nil, dealOwnerIds: [Int64]? = nil, from: String? = nil, to: String? = nil,
        categoryId: Int64? = nil, stageId: Int64? = nil, sourceId: Int64? = nil, text: String? = nil
    ) {
        self.projectId = projectId
        self.ownerIds = ownerIds
        self.dealOwnerIds = dealOwnerIds
        self.from = from
        self.to = to
        self.categoryId = categoryId
        self.stageId = stageId
        self.sourceId = sourceId
        self.text = text
    }
}

/// `sales.projects.create` and `sales.projects.update` (`id` given; fields present change).
public struct SaveProjectRequest: Codable, Sendable {
    public var id: Int64?
    public var name: String?
    /// 0: follow settings' default process.
    public var processId: Int64?
    public var active: Bool?
    public var smsEnabled: Bool?
    public var members: [Int64]?
    public var isDefault: Bool?
    public init(
        id: Int64? = nil, name: String? = nil, processId: Int64? = nil, active: Bool? = nil, smsEnabled: Bool? = nil,
        members: [Int64]? = nil, isDefault: Bool? = nil
    ) {
        self.id = id
        self.name = name
        self.processId = processId
        self.active = active
        self.smsEnabled = smsEnabled
        self.members = members
        self.isDefault = isDefault
    }
}
