import Foundation

/// `sales.board`: the whole sales board of a filter in one answer.
public struct BoardRequest: Codable, Sendable, Equatable {
    public var filter: DealFilter?
    /// Extra columns: `won`, `lost`, `postponed`, `unprocessed` (owned customers of the project
    /// with no deal).
    public var extra: [String]?
    /// Cards per column (1...200, default 25).
    public var limit: Int?
    /// One column's next page: its key (`status:12`, `won`, ...) and cursor. Only that column
    /// is answered.
    public var column: String?
    public var cursor: String?
    public init(
        filter: DealFilter? = nil, extra: [String]? = nil, limit: Int? = nil, column: String? = nil, cursor: String? = nil
    ) {
        self.filter = filter
        self.extra = extra
        self.limit = limit
        self.column = column
        self.cursor = cursor
    }
}

/// An amount in one currency, in its minor units. Different currencies are never added up.
public struct MoneyTotal: Codable, Sendable, Equatable {
    public var currency: String
    public var amount: Int64
    public init(currency: String, amount: Int64) {
        self.currency = currency
        self.amount = amount
    }
}

/// One card on the board.
public struct BoardCard: Codable, Sendable, Equatable {
    public var id: Int64
    public var customerKind: String
    public var customerId: Int64
    public var customerName: String
    public var subject: String
    public var ownerId: Int64?
    public var value: Int64
    public var currency: String
    public var probability: Int
    public var weightedValue: Int64
    public var expectedClose: String?
    public var closedOn: String?
    public var statusId: Int64
    public var version: Int64
    public init(
        id: Int64, customerKind: String, customerId: Int64, customerName: String, subject: String, ownerId: Int64?, value: Int64,
        currency: String, probability: Int, weightedValue: Int64, expectedClose: String?, closedOn: String?, statusId: Int64,
        version: Int64
    ) {
        self.id = id
        self.customerKind = customerKind
        self.customerId = customerId
        self.customerName = customerName
        self.subject = subject
        self.ownerId = ownerId
        self.value = value
        self.currency = currency
        self.probability = probability
        self.weightedValue = weightedValue
        self.expectedClose = expectedClose
        self.closedOn = closedOn
        self.statusId = statusId
        self.version = version
    }
}

/// A customer of the project's owners with no deal yet (the "unprocessed customers" column).
public struct BoardCustomer: Codable, Sendable, Equatable {
    public var customerKind: String
    public var customerId: Int64
    public var name: String
    public var ownerId: Int64?
    public init(customerKind: String, customerId: Int64, name: String, ownerId: Int64?) {
        self.customerKind = customerKind
        self.customerId = customerId
        self.name = name
        self.ownerId = ownerId
    }
}

/// One column: an open status of the process, or won, lost, postponed, unprocessed.
public struct BoardColumn: Codable, Sendable, Equatable {
    /// `status:<id>`, `won`, `lost`, `postponed`, `unprocessed`.
    public var key: String
    public var name: String
    public var statusId: Int64?
    public var probability: Int?
    public var count: Int
    public var projected: [MoneyTotal]
    public var weighted: [MoneyTotal]
    public var cards: [BoardCard]
    /// Only in the unprocessed column.
    public var customers: [BoardCustomer]?
    public var nextCursor: String?
    public init(
        key: String, name: String, statusId: Int64?, probability: Int?, count: Int, projected: [MoneyTotal], weighted: [MoneyTotal],
        cards: [BoardCard], customers: [BoardCustomer]? = nil, nextCursor: String?
    ) {
        self.key = key
        self.name = name
        self.statusId = statusId
        self.probability = probability
        self.count = count
        self.projected = projected
        self.weighted = weighted
        self.cards = cards
        self.customers = customers
        self.nextCursor = nextCursor
    }
}

/// A sales person's budget for a period against what they won in it.
public struct BudgetLine: Codable, Sendable, Equatable {
    public var userId: Int64
    public var period: String
    public var currency: String
    /// In minor units.
    public var budget: Int64
    public var actual: Int64
    public init(userId: Int64, period: String, currency: String, budget: Int64, actual: Int64) {
        self.userId = userId
        self.period = period
        self.currency = currency
        self.budget = budget
        self.actual = actual
    }
}

/// The board's header: the filter's values, per currency.
public struct BoardTotals: Codable, Sendable, Equatable {
    public var projected: [MoneyTotal]
    public var weighted: [MoneyTotal]
    /// Won deals' actual values.
    public var actual: [MoneyTotal]
    public init(projected: [MoneyTotal], weighted: [MoneyTotal], actual: [MoneyTotal]) {
        self.projected = projected
        self.weighted = weighted
        self.actual = actual
    }
}

/// The answer to `sales.board`.
public struct Board: Codable, Sendable, Equatable {
    public var project: SalesProject
    public var processId: Int64
    public var processName: String
    public var columns: [BoardColumn]
    public var totals: BoardTotals
    /// For the filter's owners (or everyone with a budget) and the periods the filter spans.
    public var budgets: [BudgetLine]
    public init(
        project: SalesProject, processId: Int64, processName: String, columns: [BoardColumn], totals: BoardTotals,
        budgets: [BudgetLine]
    ) {
        self.project = project
        self.processId = processId
        self.processName = processName
        self.columns = columns
        self.totals = totals
        self.budgets = budgets
    }
}

/// The answer to `sales.deals.move`: the deal, and the new totals of the columns it left and
/// entered (no cards) and of the header, for the board it was moved on.
public struct MovedDeal: Codable, Sendable, Equatable {
    public var deal: Deal
    public var columns: [BoardColumn]
    public var totals: BoardTotals?
    public init(deal: Deal, columns: [BoardColumn], totals: BoardTotals?) {
        self.deal = deal
        self.columns = columns
        self.totals = totals
    }
}
