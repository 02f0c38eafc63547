import Foundation

/// `sales.forecast`: deals by month or quarter of their expected close (open deals) or close
/// (won deals), per owner and currency.
public struct ForecastRequest: Codable, Sendable {
    public var filter: DealFilter?
    /// `month` (default) or `quarter`.
    public var by: String?
    public init(filter: DealFilter? = nil, by: String? = nil) {
        self.filter = filter
        self.by = by
    }
}

/// One period, owner and currency of a forecast.
public struct ForecastRow: Codable, Sendable, Equatable {
    /// `2026-11` or `2026-Q4`.
    public var period: String
    /// The deal's sales person.
    public var ownerId: Int64?
    public var currency: String
    /// Open deals expected to close in the period: their values and weighted values.
    public var projected: Int64
    public var weighted: Int64
    /// Deals won in the period: their actual values.
    public var won: Int64
    public var openCount: Int
    public var wonCount: Int
    public init(
        period: String, ownerId: Int64?, currency: String, projected: Int64, weighted: Int64, won: Int64, openCount: Int, wonCount: Int
    ) {
        self.period = period
        self.ownerId = ownerId
        self.currency = currency
        self.projected = projected
        self.weighted = weighted
        self.won = won
        self.openCount = openCount
        self.wonCount = wonCount
    }
}

public struct Forecast: Codable, Sendable, Equatable {
    public var by: String
    public var rows: [ForecastRow]
    public init(by: String, rows: [ForecastRow]) {
        self.by = by
        self.rows = rows
    }
}

/// `sales.reports.summary`: how the filter's deals went.
public struct SalesReportRequest: Codable, Sendable {
    public var filter: DealFilter?
    public init(filter: DealFilter? = nil) { self.filter = filter }
}

/// How long deals stayed in one status (from the stage history).
public struct StatusTime: Codable, Sendable, Equatable {
    public var statusId: Int64
    public var name: String
    /// Stays counted (finished ones and those still running until now).
    public var stays: Int
    public var averageSeconds: Int64
    public init(statusId: Int64, name: String, stays: Int, averageSeconds: Int64) {
        self.statusId = statusId
        self.name = name
        self.stays = stays
        self.averageSeconds = averageSeconds
    }
}

/// How often a win or loss reason was given, and the values it concerned per currency.
public struct ReasonCount: Codable, Sendable, Equatable {
    /// nil: no reason given.
    public var reasonId: Int64?
    public var count: Int
    public var values: [MoneyTotal]
    public init(reasonId: Int64?, count: Int, values: [MoneyTotal]) {
        self.reasonId = reasonId
        self.count = count
        self.values = values
    }
}

public struct SalesReport: Codable, Sendable, Equatable {
    public var open: Int
    public var won: Int
    public var lost: Int
    /// won / (won + lost), 0...1; nil when nothing was closed.
    public var winRate: Double?
    /// Won deals' average actual value per currency.
    public var averageDeal: [MoneyTotal]
    /// Days from creation to close of won deals, on average.
    public var averageCycleDays: Double?
    public var timeInStatus: [StatusTime]
    public var winReasons: [ReasonCount]
    public var lossReasons: [ReasonCount]
    public var budgets: [BudgetLine]
    public init(
        open: Int, won: Int, lost: Int, winRate: Double?, averageDeal: [MoneyTotal], averageCycleDays: Double?,
        timeInStatus: [StatusTime], winReasons: [ReasonCount], lossReasons: [ReasonCount], budgets: [BudgetLine]
    ) {
        self.open = open
        self.won = won
        self.lost = lost
        self.winRate = winRate
        self.averageDeal = averageDeal
        self.averageCycleDays = averageCycleDays
        self.timeInStatus = timeInStatus
        self.winReasons = winReasons
        self.lossReasons = lossReasons
        self.budgets = budgets
    }
}

/// `sales.customers.deals`: a customer's deals (the card's "Sales opportunities" tab), or for a
/// contact the deals they take part in (its "Project participation" tab).
public struct CustomerDealsRequest: Codable, Sendable {
    public var customerKind: String
    public var customerId: Int64
    public init(customerKind: String, customerId: Int64) {
        self.customerKind = customerKind
        self.customerId = customerId
    }
}

/// A contact's part in a deal: the deal and the role.
public struct Participation: Codable, Sendable, Equatable {
    public var dealId: Int64
    public var projectId: Int64
    public var projectName: String
    public var subject: String
    public var customerName: String
    public var outcome: String
    public var role: String?
    public init(
        dealId: Int64, projectId: Int64, projectName: String, subject: String, customerName: String, outcome: String, role: String?
    ) {
        self.dealId = dealId
        self.projectId = projectId
        self.projectName = projectName
        self.subject = subject
        self.customerName = customerName
        self.outcome = outcome
        self.role = role
    }
}

public struct CustomerDeals: Codable, Sendable, Equatable {
    public var deals: [Deal]
    public var participation: [Participation]
    public init(deals: [Deal], participation: [Participation]) {
        self.deals = deals
        self.participation = participation
    }
}

/// One customer of an export: the deals of the board's filter it has, and their values.
public struct ExportedCustomer: Codable, Sendable, Equatable {
    public var customerKind: String
    public var customerId: Int64
    public var name: String
    public var ownerId: Int64?
    public var ownerName: String?
    public var deals: Int
    public var values: [MoneyTotal]
    public init(
        customerKind: String, customerId: Int64, name: String, ownerId: Int64?, ownerName: String?, deals: Int, values: [MoneyTotal]
    ) {
        self.customerKind = customerKind
        self.customerId = customerId
        self.name = name
        self.ownerId = ownerId
        self.ownerName = ownerName
        self.deals = deals
        self.values = values
    }
}

/// `sales.board.export`: the board's customers, one each; recorded in the export audit.
public struct BoardExport: Codable, Sendable, Equatable {
    public var customers: [ExportedCustomer]
    public init(customers: [ExportedCustomer]) { self.customers = customers }
}

/// `sales.board.sms_recipients`: who a batch SMS to the board's customers goes to: consumer
/// customers themselves, and for a company the contacts linked to its deals.
public struct SMSRecipients: Codable, Sendable, Equatable {
    public var contactIds: [Int64]
    /// Company customers with no contact linked to their deals (nobody to text).
    public var companiesWithoutContact: Int
    public init(contactIds: [Int64], companiesWithoutContact: Int) {
        self.contactIds = contactIds
        self.companiesWithoutContact = companiesWithoutContact
    }
}

/// One export of a board's customers, as the audit keeps it.
public struct ExportAuditEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var actor: String?
    public var filter: String
    public var customers: Int
    public init(id: Int64, at: Date, actor: String?, filter: String, customers: Int) {
        self.id = id
        self.at = at
        self.actor = actor
        self.filter = filter
        self.customers = customers
    }
}
