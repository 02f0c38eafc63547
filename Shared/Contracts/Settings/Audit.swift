import Foundation

/// The event payload of every settings change: what changed, its state before and after (nil
/// when created or deleted), who did it, and anything else consumers need (`details`).
public struct SettingsChange: Codable, Sendable {
    /// user, token, reference, group, member, budget, process, custom_field, configuration.
    public var entity: String
    /// For reference data: its kind (industries, categories, ...).
    public var kind: String?
    public var id: Int64?
    public var actor: String?
    public var before: JSONValue?
    public var after: JSONValue?
    public var details: [String: JSONValue]?

    public init(
        entity: String, kind: String? = nil, id: Int64?, actor: String?, before: JSONValue?, after: JSONValue?,
        details: [String: JSONValue]? = nil
    ) {
        self.entity = entity
        self.kind = kind
        self.id = id
        self.actor = actor
        self.before = before
        self.after = after
        self.details = details
    }
}

/// One entry of the audit trail: who changed what, when, and the state before and after.
public struct AuditEntry: Codable, Sendable {
    public var id: Int64
    public var at: Date
    public var actor: String?
    public var action: String
    public var entity: String
    public var kind: String?
    public var entityId: Int64?
    public var before: JSONValue?
    public var after: JSONValue?

    public init(
        id: Int64, at: Date, actor: String?, action: String, entity: String, kind: String?, entityId: Int64?,
        before: JSONValue?, after: JSONValue?
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.entity = entity
        self.kind = kind
        self.entityId = entityId
        self.before = before
        self.after = after
    }
}

/// `settings.audit.list`: newest first, optionally one entity (and id) or one actor.
public struct ListAuditRequest: Codable, Sendable {
    public var entity: String?
    public var entityId: Int64?
    public var actor: String?
    public var limit: Int?
    public var cursor: String?

    public init(entity: String? = nil, entityId: Int64? = nil, actor: String? = nil, limit: Int? = nil, cursor: String? = nil) {
        self.entity = entity
        self.entityId = entityId
        self.actor = actor
        self.limit = limit
        self.cursor = cursor
    }
}
