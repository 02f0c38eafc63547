import Foundation

/// A sales opportunity: a customer's possible purchase, moving through the statuses of its
/// project's CRM process (settings) until it is won or lost.
public struct Deal: Codable, Sendable, Equatable {
    public var id: Int64
    /// `company` or `contact` (a consumer customer).
    public var customerKind: String
    public var customerId: Int64
    /// The customer's name as last heard from contacts (empty once anonymised).
    public var customerName: String
    /// The user who owns the customer record: the board's owner filter is by this.
    public var customerOwnerId: Int64?
    public var projectId: Int64
    public var processId: Int64
    /// The sales person responsible for the deal.
    public var ownerId: Int64?
    public var subject: String
    public var statusId: Int64
    public var statusName: String
    /// `open`, `won`, `lost` or `postponed`.
    public var outcome: String
    public var stageId: Int64?
    public var categoryId: Int64?
    public var sourceId: Int64?
    /// In minor units of `currency` (øre, cents): 1250000 NOK is 12,500.00.
    public var value: Int64
    /// ISO 4217.
    public var currency: String
    /// 0...100.
    public var probability: Int
    /// Where the probability came from: `status` (follows the status), `manual` (set by hand,
    /// survives status changes), `won` (100) or `lost` (0).
    public var probabilitySource: String
    /// One of the process's weight labels, when it has them and one was chosen.
    public var weightLabel: String?
    /// `value * probability / 100`, rounded down, in minor units.
    public var weightedValue: Int64
    /// `YYYY-MM-DD`.
    public var expectedClose: String?
    /// The day it was won or lost, `YYYY-MM-DD`.
    public var closedOn: String?
    /// What the customer bought, in minor units of `currency` (won deals).
    public var actualValue: Int64?
    /// A win reason (won) or a loss reason (lost) from settings.
    public var reasonId: Int64?
    public var reasonNote: String?
    /// The next follow-up, an instant or a date.
    public var nextFollowUp: String?
    public var contacts: [DealPerson]
    public var colleagues: [DealPerson]
    /// Order within its column on the board (lower first).
    public var position: Double
    /// Raised by every change; a change names the version it was made from (409 when stale).
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date
    public var deletedAt: Date?

    public init(
        id: Int64, customerKind: String, customerId: Int64, customerName: String, customerOwnerId: Int64?, projectId: Int64,
        processId: Int64, ownerId: Int64?, subject: String, statusId: Int64, statusName: String, outcome: String, stageId: Int64?,
        categoryId: Int64?, sourceId: Int64?, value: Int64, currency: String, probability: Int, probabilitySource: String,
        weightLabel: String?, weightedValue: Int64, expectedClose: String?, closedOn: String?, actualValue: Int64?, reasonId: Int64?,
        reasonNote: String?, nextFollowUp: String?, contacts: [DealPerson], colleagues: [DealPerson], position: Double,
        version: Int64, createdAt: Date, updatedAt: Date, deletedAt: Date?
    ) {
        self.id = id
        self.customerKind = customerKind
        self.customerId = customerId
        self.customerName = customerName
        self.customerOwnerId = customerOwnerId
        self.projectId = projectId
        self.processId = processId
        self.ownerId = ownerId
        self.subject = subject
        self.statusId = statusId
        self.statusName = statusName
        self.outcome = outcome
        self.stageId = stageId
        self.categoryId = categoryId
        self.sourceId = sourceId
        self.value = value
        self.currency = currency
        self.probability = probability
        self.probabilitySource = probabilitySource
        self.weightLabel = weightLabel
        self.weightedValue = weightedValue
        self.expectedClose = expectedClose
        self.closedOn = closedOn
        self.actualValue = actualValue
        self.reasonId = reasonId
        self.reasonNote = reasonNote
        self.nextFollowUp = nextFollowUp
        self.contacts = contacts
        self.colleagues = colleagues
        self.position = position
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
    }
}

/// A contact of the customer (`id` a contact id) or a colleague (`id` a user id) linked to a
/// deal, with their role in it ("decision maker", "technical contact", "pre-sales").
public struct DealPerson: Codable, Sendable, Equatable {
    public var id: Int64
    public var role: String?
    public init(id: Int64, role: String? = nil) {
        self.id = id
        self.role = role
    }
}

/// One stay of a deal in a status: when it entered, when it left (nil while there), who moved it.
public struct DealStage: Codable, Sendable, Equatable {
    public var statusId: Int64
    public var statusName: String
    public var processId: Int64
    public var projectId: Int64
    public var enteredAt: Date
    public var leftAt: Date?
    public var seconds: Int64
    public var movedBy: String?
    public init(
        statusId: Int64, statusName: String, processId: Int64, projectId: Int64, enteredAt: Date, leftAt: Date?, seconds: Int64,
        movedBy: String?
    ) {
        self.statusId = statusId
        self.statusName = statusName
        self.processId = processId
        self.projectId = projectId
        self.enteredAt = enteredAt
        self.leftAt = leftAt
        self.seconds = seconds
        self.movedBy = movedBy
    }
}

/// A sales project: the CRM process its deals follow, whether batch SMS is allowed, its members.
public struct SalesProject: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// The process's id; nil follows settings' default process.
    public var processId: Int64?
    public var active: Bool
    public var smsEnabled: Bool
    /// Users who work in it (user ids).
    public var members: [Int64]
    public var isDefault: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public init(
        id: Int64, name: String, processId: Int64?, active: Bool, smsEnabled: Bool, members: [Int64], isDefault: Bool,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.processId = processId
        self.active = active
        self.smsEnabled = smsEnabled
        self.members = members
        self.isDefault = isDefault
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The payload of every deal event: the deal after the change, and for a move where it came from.
public struct DealChanged: Codable, Sendable {
    public var deal: Deal
    public var fromStatusId: Int64?
    public var fromStatusName: String?
    public var actor: String?
    public init(deal: Deal, fromStatusId: Int64? = nil, fromStatusName: String? = nil, actor: String?) {
        self.deal = deal
        self.fromStatusId = fromStatusId
        self.fromStatusName = fromStatusName
        self.actor = actor
    }
}
