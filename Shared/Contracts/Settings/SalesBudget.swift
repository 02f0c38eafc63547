import Foundation

/// A sales budget of one sales person for one period.
public struct SalesBudget: Codable, Sendable, Equatable {
    public var id: Int64
    public var userId: Int64
    /// `month`, `quarter` or `year`.
    public var periodType: String
    /// `2026-11`, `2026-Q4` or `2026`.
    public var period: String
    /// The amount in the currency's main unit, as entered (12500.50).
    public var amount: Double
    /// ISO 4217, `NOK`.
    public var currency: String
    public var updatedAt: Date

    public init(
        id: Int64, userId: Int64, periodType: String, period: String, amount: Double, currency: String, updatedAt: Date
    ) {
        self.id = id
        self.userId = userId
        self.periodType = periodType
        self.period = period
        self.amount = amount
        self.currency = currency
        self.updatedAt = updatedAt
    }
}

/// `settings.budgets.set`: creates or replaces the budget of a user for a period.
public struct SetBudgetRequest: Codable, Sendable {
    public var userId: Int64
    public var period: String
    public var amount: Double
    public var currency: String?

    public init(userId: Int64, period: String, amount: Double, currency: String? = nil) {
        self.userId = userId
        self.period = period
        self.amount = amount
        self.currency = currency
    }
}

/// `settings.budgets.list`: optionally one user, one year (`2026` matches all its periods).
public struct ListBudgetsRequest: Codable, Sendable {
    public var userId: Int64?
    public var year: Int?

    public init(userId: Int64? = nil, year: Int? = nil) {
        self.userId = userId
        self.year = year
    }
}
