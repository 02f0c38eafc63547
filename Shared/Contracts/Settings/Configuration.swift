/// The sections of the configuration, each read and replaced as a whole.
public enum ConfigurationSection: String, Codable, Sendable, CaseIterable {
    case search
    case gdpr
    case visibility
}

/// `settings.configuration.get` (without `section`, all of them) and `settings.configuration.set`.
public struct ConfigurationRequest: Codable, Sendable {
    public var section: ConfigurationSection?
    public var value: JSONValue?

    public init(section: ConfigurationSection? = nil, value: JSONValue? = nil) {
        self.section = section
        self.value = value
    }
}

/// Which fields users may search on, and how each is offered.
public struct SearchConfiguration: Codable, Sendable, Equatable {
    public struct Field: Codable, Sendable, Equatable {
        /// A field of companies or contacts (`city`, `industry`, a custom field's key...).
        public var field: String
        /// `dropdown` (values taken from the field) or `text`.
        public var mode: String
        public init(field: String, mode: String) {
            self.field = field
            self.mode = mode
        }
    }
    public var fields: [Field]
    public init(fields: [Field]) { self.fields = fields }
}

/// What GDPR anonymisation scrubs, and when a contact is listed for review.
public struct GDPRConfiguration: Codable, Sendable, Equatable {
    /// Contact fields scrubbed besides the name (`emails`, `phones`, `address`, `birthday`, ...).
    public var anonymizeFields: [String]
    /// A contact without activity for this many days is listed for review.
    public var reviewAfterDays: Int
    public init(anonymizeFields: [String], reviewAfterDays: Int) {
        self.anonymizeFields = anonymizeFields
        self.reviewAfterDays = reviewAfterDays
    }
}

/// Whether customer cards are shared, or each user sees only the customers they own.
public struct VisibilityConfiguration: Codable, Sendable, Equatable {
    public var sharedCustomerCards: Bool
    public init(sharedCustomerCards: Bool) { self.sharedCustomerCards = sharedCustomerCards }
}
