import Foundation

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
