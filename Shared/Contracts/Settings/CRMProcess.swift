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
    /// For statuses `statuses` leaves out: the remaining status that takes their deals. A removed
    /// status without one hands its deals to the open status at its place, else to the first
    /// open status.
    public var statusReplacements: [StatusReplacement]?

    public init(
        id: Int64, name: String? = nil, statuses: [ProcessStatus]? = nil, isDefault: Bool? = nil, subjectLabels: [String]? = nil,
        weightLabels: [String]? = nil, statusReplacements: [StatusReplacement]? = nil
    ) {
        self.statusReplacements = statusReplacements
        self.id = id
        self.name = name
        self.statuses = statuses
        self.isDefault = isDefault
        self.subjectLabels = subjectLabels
        self.weightLabels = weightLabels
    }
}

/// A removed status (`from`) and the status of the same process that takes its deals (`to`).
public struct StatusReplacement: Codable, Sendable, Equatable {
    public var from: Int64
    public var to: Int64
    public init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }
}
