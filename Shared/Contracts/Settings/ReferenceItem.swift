import Foundation

/// The collections of reference data an administrator edits. The raw value is the collection's
/// name in the API (`/api/v1/settings/<raw value>`) and in events.
public enum ReferenceKind: String, Codable, Sendable, CaseIterable {
    case categories
    case sources
    case industries
    case roles
    case companyStatuses = "company-statuses"
    case taskCategories = "task-categories"
    case salesCategories = "sales-categories"
    case salesStatuses = "sales-statuses"
    case salesStages = "sales-stages"
    case winReasons = "win-reasons"
    case lossReasons = "loss-reasons"

    /// The services whose records use items of this kind: they answer how many records use an
    /// item, and move or clear them when settings says so.
    public var owners: [String] {
        switch self {
        case .categories, .industries, .roles, .companyStatuses: return [ContactsContract.service]
        case .sources: return [ContactsContract.service, SalesContract.service]
        case .salesCategories, .salesStages, .winReasons, .lossReasons: return [SalesContract.service]
        case .taskCategories: return [TasksContract.service]
        case .salesStatuses: return []
        }
    }

    /// A singular word for messages.
    public var itemName: String {
        switch self {
        case .categories: return "category"
        case .sources: return "source"
        case .industries: return "industry"
        case .roles: return "role description"
        case .companyStatuses: return "company status"
        case .taskCategories: return "task category"
        case .salesCategories: return "sales category"
        case .salesStatuses: return "sales status"
        case .salesStages: return "sales stage"
        case .winReasons: return "win reason"
        case .lossReasons: return "loss reason"
        }
    }
}

/// One item of reference data (an industry, a category, a sales status...).
public struct ReferenceItem: Codable, Sendable, Equatable {
    public var id: Int64
    public var kind: ReferenceKind
    public var name: String
    /// `#RRGGBB`, or nil.
    public var colour: String?
    public var sortOrder: Int
    public var active: Bool
    /// Locked items (the four fixed sales statuses) cannot be deleted.
    public var locked: Bool
    /// Categories only: `company`, `contact` or `both`.
    public var appliesTo: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, kind: ReferenceKind, name: String, colour: String?, sortOrder: Int, active: Bool, locked: Bool,
        appliesTo: String?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.colour = colour
        self.sortOrder = sortOrder
        self.active = active
        self.locked = locked
        self.appliesTo = appliesTo
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// `settings.reference.list`.
public struct ListReferenceRequest: Codable, Sendable {
    public var kind: ReferenceKind
    public var active: Bool?
    /// Categories: those that apply to `company` or `contact` (items for `both` included).
    public var appliesTo: String?

    public init(kind: ReferenceKind, active: Bool? = nil, appliesTo: String? = nil) {
        self.kind = kind
        self.active = active
        self.appliesTo = appliesTo
    }
}

/// `settings.reference.create`.
public struct CreateReferenceRequest: Codable, Sendable {
    public var kind: ReferenceKind
    public var name: String
    public var colour: String?
    public var sortOrder: Int?
    public var active: Bool?
    public var appliesTo: String?

    public init(
        kind: ReferenceKind, name: String, colour: String? = nil, sortOrder: Int? = nil, active: Bool? = nil, appliesTo: String? = nil
    ) {
        self.kind = kind
        self.name = name
        self.colour = colour
        self.sortOrder = sortOrder
        self.active = active
        self.appliesTo = appliesTo
    }
}

/// `settings.reference.update`: only the fields present change.
public struct UpdateReferenceRequest: Codable, Sendable {
    public var kind: ReferenceKind
    public var id: Int64
    public var name: String?
    public var colour: String?
    public var sortOrder: Int?
    public var active: Bool?
    public var appliesTo: String?

    public init(
        kind: ReferenceKind, id: Int64, name: String? = nil, colour: String? = nil, sortOrder: Int? = nil, active: Bool? = nil,
        appliesTo: String? = nil
    ) {
        self.kind = kind
        self.id = id
        self.name = name
        self.colour = colour
        self.sortOrder = sortOrder
        self.active = active
        self.appliesTo = appliesTo
    }
}

/// `settings.reference.get`, `settings.reference.usage`.
public struct ReferenceIdRequest: Codable, Sendable {
    public var kind: ReferenceKind
    public var id: Int64
    public init(kind: ReferenceKind, id: Int64) {
        self.kind = kind
        self.id = id
    }
}

/// `settings.reference.delete`. If records use the item the delete is refused (409 with the
/// count) unless the caller names a replacement or asks to clear it from those records.
public struct DeleteReferenceRequest: Codable, Sendable {
    public var kind: ReferenceKind
    public var id: Int64
    public var replacementId: Int64?
    public var clear: Bool?

    public init(kind: ReferenceKind, id: Int64, replacementId: Int64? = nil, clear: Bool? = nil) {
        self.kind = kind
        self.id = id
        self.replacementId = replacementId
        self.clear = clear
    }
}

/// The answer to a delete of reference data: what was deleted and what became of its records.
public struct ReferenceDeleted: Codable, Sendable {
    public var kind: ReferenceKind
    public var id: Int64
    /// Records that used the item and were moved to the replacement or cleared.
    public var recordsAffected: Int
    public var replacementId: Int64?
    public var cleared: Bool
    public init(kind: ReferenceKind, id: Int64, recordsAffected: Int, replacementId: Int64?, cleared: Bool) {
        self.kind = kind
        self.id = id
        self.recordsAffected = recordsAffected
        self.replacementId = replacementId
        self.cleared = cleared
    }
}

/// `settings.reference.move_customers`: move every record from one item to another. Without
/// `confirm` it is a dry run that answers how many would move.
public struct MoveCustomersRequest: Codable, Sendable {
    public var kind: ReferenceKind
    public var id: Int64
    public var to: Int64
    public var confirm: Bool?

    public init(kind: ReferenceKind, id: Int64, to: Int64, confirm: Bool? = nil) {
        self.kind = kind
        self.id = id
        self.to = to
        self.confirm = confirm
    }
}

/// How many records use an item, per owning service and in total; or how many were moved.
public struct UsageReply: Codable, Sendable, Equatable {
    public var count: Int
    public var byService: [String: Int]
    public var moved: Bool
    public init(count: Int, byService: [String: Int], moved: Bool = false) {
        self.count = count
        self.byService = byService
        self.moved = moved
    }
}
