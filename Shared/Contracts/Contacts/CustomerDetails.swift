/// A postal or visiting address.
public struct Address: Codable, Sendable, Equatable {
    public var street: String?
    public var postalCode: String?
    public var city: String?
    /// ISO 3166-1 alpha-2 (`NO`).
    public var country: String?
    public init(street: String? = nil, postalCode: String? = nil, city: String? = nil, country: String? = nil) {
        self.street = street
        self.postalCode = postalCode
        self.city = city
        self.country = country
    }
    public var isEmpty: Bool { [street, postalCode, city, country].allSatisfy { $0 == nil } }
}

/// Bank details of a company or a consumer.
public struct BankDetails: Codable, Sendable, Equatable {
    public var accountNumber: String?
    public var iban: String?
    public var bic: String?
    public var bankName: String?
    public init(accountNumber: String? = nil, iban: String? = nil, bic: String? = nil, bankName: String? = nil) {
        self.accountNumber = accountNumber
        self.iban = iban
        self.bic = bic
        self.bankName = bankName
    }
    public var isEmpty: Bool { [accountNumber, iban, bic, bankName].allSatisfy { $0 == nil } }
}

/// How a customer is invoiced.
public struct CustomerSettings: Codable, Sendable, Equatable {
    /// ISO 4217.
    public var currency: String?
    /// Days until an invoice is due.
    public var paymentTermsDays: Int?
    /// ISO 639-1 (`nb`, `en`).
    public var language: String?
    public init(currency: String? = nil, paymentTermsDays: Int? = nil, language: String? = nil) {
        self.currency = currency
        self.paymentTermsDays = paymentTermsDays
        self.language = language
    }
    public var isEmpty: Bool { currency == nil && paymentTermsDays == nil && language == nil }
}
