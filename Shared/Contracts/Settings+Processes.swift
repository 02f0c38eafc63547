import Foundation

/// A CRM process: the ordered statuses a deal goes through, each with the probability that a
/// deal in it is won; final statuses close the deal as won or lost.
public struct CRMProcess: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var isDefault: Bool
    public var statuses: [ProcessStatus]
    /// When set, a deal's subject must be one of these (no free text).
    public var subjectLabels: [String]?
    /// When set, a deal's weight must be one of these labels.
    public var weightLabels: [String]?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, name: String, isDefault: Bool, statuses: [ProcessStatus], subjectLabels: [String]?,
        weightLabels: [String]?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.isDefault = isDefault
        self.statuses = statuses
        self.subjectLabels = subjectLabels
        self.weightLabels = weightLabels
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One status of a process.
public struct ProcessStatus: Codable, Sendable, Equatable {
    /// Kept when a process is edited with the same id, so deals in the status stay in it.
    public var id: Int64?
    public var name: String
    /// 0...100, the weight of a deal in this status.
    public var probability: Int
    /// nil while open; `won` or `lost` for a final status.
    public var final: String?

    public init(id: Int64?, name: String, probability: Int, final: String?) {
        self.id = id
        self.name = name
        self.probability = probability
        self.final = final
    }
}

/// `settings.processes.create`.
public struct CreateProcessRequest: Codable, Sendable {
    public var name: String
    public var statuses: [ProcessStatus]
    public var isDefault: Bool?
    public var subjectLabels: [String]?
    public var weightLabels: [String]?

    public init(
        name: String, statuses: [ProcessStatus], isDefault: Bool? = nil, subjectLabels: [String]? = nil, weightLabels: [String]? = nil
    ) {
        self.name = name
        self.statuses = statuses
        self.isDefault = isDefault
        self.subjectLabels = subjectLabels
        self.weightLabels = weightLabels
    }
}

/// `settings.processes.update`: fields present change; `statuses` replaces the list (statuses
/// keep their identity by `id`).
public struct UpdateProcessRequest: Codable, Sendable {
    public var id: Int64
    public var name: String?
    public var statuses: [ProcessStatus]?
    public var isDefault: Bool?
    /// An empty list removes the fixed labels (free text again).
    public var subjectLabels: [String]?
    public var weightLabels: [String]?

    public init(
        id: Int64, name: String? = nil, statuses: [ProcessStatus]? = nil, isDefault: Bool? = nil, subjectLabels: [String]? = nil,
        weightLabels: [String]? = nil
    ) {
        self.id = id
        self.name = name
        self.statuses = statuses
        self.isDefault = isDefault
        self.subjectLabels = subjectLabels
        self.weightLabels = weightLabels
    }
}

/// An additional-information field (custom field) of companies or contacts.
public struct CustomField: Codable, Sendable, Equatable {
    public var id: Int64
    /// `company` or `contact`.
    public var appliesTo: String
    /// The key values are stored under (`origin_of_contact`).
    public var key: String
    public var label: String
    /// `text`, `number`, `date`, `yes_no`, `choice` or `multiple_choice`.
    public var type: String
    /// The options of a choice or multiple-choice field.
    public var options: [String]
    public var required: Bool
    /// Shown on a tab of its own rather than with the other fields.
    public var ownTab: Bool
    public var sortOrder: Int
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, appliesTo: String, key: String, label: String, type: String, options: [String], required: Bool,
        ownTab: Bool, sortOrder: Int, active: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.appliesTo = appliesTo
        self.key = key
        self.label = label
        self.type = type
        self.options = options
        self.required = required
        self.ownTab = ownTab
        self.sortOrder = sortOrder
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static let types = ["text", "number", "date", "yes_no", "choice", "multiple_choice"]
}

/// `settings.fields.list`.
public struct ListFieldsRequest: Codable, Sendable {
    public var appliesTo: String?
    public var active: Bool?
    public init(appliesTo: String? = nil, active: Bool? = nil) {
        self.appliesTo = appliesTo
        self.active = active
    }
}

/// `settings.fields.create`.
public struct CreateFieldRequest: Codable, Sendable {
    public var appliesTo: String
    public var label: String
    public var key: String?
    public var type: String
    public var options: [String]?
    public var required: Bool?
    public var ownTab: Bool?
    public var sortOrder: Int?
    public var active: Bool?

    public init(
        appliesTo: String, label: String, key: String? = nil, type: String, options: [String]? = nil, required: Bool? = nil,
        ownTab: Bool? = nil, sortOrder: Int? = nil, active: Bool? = nil
    ) {
        self.appliesTo = appliesTo
        self.label = label
        self.key = key
        self.type = type
        self.options = options
        self.required = required
        self.ownTab = ownTab
        self.sortOrder = sortOrder
        self.active = active
    }
}

/// `settings.fields.update`: only the fields present change (the key and type stay: values
/// already stored depend on them).
public struct UpdateFieldRequest: Codable, Sendable {
    public var id: Int64
    public var label: String?
    public var options: [String]?
    public var required: Bool?
    public var ownTab: Bool?
    public var sortOrder: Int?
    public var active: Bool?

    public init(
        id: Int64, label: String? = nil, options: [String]? = nil, required: Bool? = nil, ownTab: Bool? = nil, sortOrder: Int? = nil,
        active: Bool? = nil
    ) {
        self.id = id
        self.label = label
        self.options = options
        self.required = required
        self.ownTab = ownTab
        self.sortOrder = sortOrder
        self.active = active
    }
}

/// The sections of the configuration, each read and replaced as a whole.
public enum ConfigurationSection: String, Codable, Sendable, CaseIterable {
    case search
    case gdpr
    case visibility
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

/// `settings.configuration.get` (without `section`, all of them) and `settings.configuration.set`.
public struct ConfigurationRequest: Codable, Sendable {
    public var section: ConfigurationSection?
    public var value: JSONValue?

    public init(section: ConfigurationSection? = nil, value: JSONValue? = nil) {
        self.section = section
        self.value = value
    }
}
