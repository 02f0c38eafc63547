import Foundation

/// The settings service's bus contract: users and sign-in, employee groups and budgets, the
/// reference data an administrator edits, CRM processes, custom fields, configuration and the
/// audit trail. Request and reply types live in the `Settings+*.swift` files beside this one.
public enum SettingsContract {
    /// Contact fields GDPR anonymisation may scrub besides the name (the GDPR configuration's
    /// `anonymize_fields` takes these).
    public static let personalFields = [
        "title", "emails", "phones", "address", "birthday", "picture", "notes", "bank_details", "custom_fields", "history",
    ]
    public static let service = "settings"

    /// Method names.
    public enum Method {
        public static let login = "settings.auth.login"
        public static let verify = "settings.auth.verify"
        public static let logout = "settings.auth.logout"

        public static let listUsers = "settings.users.list"
        public static let getUser = "settings.users.get"
        public static let createUser = "settings.users.create"
        public static let updateUser = "settings.users.update"
        /// A boss (or the command line) sets or resets another user's password.
        public static let setPassword = "settings.users.set_password"
        /// A user changes their own password, giving the current one.
        public static let changePassword = "settings.users.change_password"

        public static let listTokens = "settings.tokens.list"
        public static let createToken = "settings.tokens.create"
        public static let revokeToken = "settings.tokens.revoke"

        public static let listReference = "settings.reference.list"
        public static let getReference = "settings.reference.get"
        public static let createReference = "settings.reference.create"
        public static let updateReference = "settings.reference.update"
        public static let deleteReference = "settings.reference.delete"
        public static let referenceUsage = "settings.reference.usage"
        public static let moveCustomers = "settings.reference.move_customers"

        public static let listGroups = "settings.groups.list"
        public static let getGroup = "settings.groups.get"
        public static let createGroup = "settings.groups.create"
        public static let updateGroup = "settings.groups.update"
        public static let deleteGroup = "settings.groups.delete"
        public static let setMember = "settings.groups.set_member"
        public static let removeMember = "settings.groups.remove_member"
        public static let listSalesPeople = "settings.groups.sales_people"

        public static let listBudgets = "settings.budgets.list"
        public static let setBudget = "settings.budgets.set"
        public static let deleteBudget = "settings.budgets.delete"

        public static let listProcesses = "settings.processes.list"
        public static let getProcess = "settings.processes.get"
        public static let createProcess = "settings.processes.create"
        public static let updateProcess = "settings.processes.update"
        public static let deleteProcess = "settings.processes.delete"

        public static let listFields = "settings.fields.list"
        public static let getField = "settings.fields.get"
        public static let createField = "settings.fields.create"
        public static let updateField = "settings.fields.update"
        public static let deleteField = "settings.fields.delete"

        public static let getConfiguration = "settings.configuration.get"
        public static let setConfiguration = "settings.configuration.set"

        public static let listAudit = "settings.audit.list"
    }

    /// Event types the service publishes. Each carries a `SettingsChange`.
    public enum Event {
        public static let userCreated = "user.created"
        public static let userUpdated = "user.updated"
        public static let passwordChanged = "user.password_changed"
        public static let signedIn = "user.signed_in"
        public static let signedOut = "user.signed_out"
        public static let tokenCreated = "token.created"
        public static let tokenRevoked = "token.revoked"
        public static let referenceCreated = "reference.created"
        public static let referenceUpdated = "reference.updated"
        /// Carries `replacement_id` or `clear` in `details`: what owners do with the records that used it.
        public static let referenceDeleted = "reference.deleted"
        public static let customersMoved = "reference.customers_moved"
        public static let groupCreated = "group.created"
        public static let groupUpdated = "group.updated"
        public static let groupDeleted = "group.deleted"
        public static let memberSet = "group.member_set"
        public static let memberRemoved = "group.member_removed"
        public static let budgetSet = "budget.set"
        public static let budgetDeleted = "budget.deleted"
        public static let processCreated = "process.created"
        public static let processUpdated = "process.updated"
        public static let processDeleted = "process.deleted"
        public static let fieldCreated = "custom_field.created"
        public static let fieldUpdated = "custom_field.updated"
        public static let fieldDeleted = "custom_field.deleted"
        public static let configurationUpdated = "configuration.updated"
    }

    /// The most items one page holds.
    public static let maxPageSize = 200
}

/// What a user may do: `boss` administers settings and sees everything; `user` works with
/// customers as the visibility setting allows.
public enum Rank: String, Codable, Sendable, CaseIterable {
    case boss
    case user
}

/// Permissions a token carries. A session from signing in carries `*` (everything the user's
/// rank allows); an API token carries only the scopes it was made with.
public enum Scope {
    public static let all = "*"
    public static let contactsRead = "contacts:read"
    public static let contactsWrite = "contacts:write"
    public static let callsRead = "calls:read"
    public static let telephonyIngest = "telephony:ingest"
    public static let settingsRead = "settings:read"
    public static let settingsWrite = "settings:write"
    /// One's own account: password, tokens.
    public static let account = "account"

    /// Every scope a token may be given.
    public static let known: [String] = [
        contactsRead, contactsWrite, callsRead, telephonyIngest, settingsRead, settingsWrite, account,
    ]
}

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

/// A request naming one thing by id.
public struct IdRequest: Codable, Sendable {
    public var id: Int64
    public init(id: Int64) { self.id = id }
}

/// A request that takes no parameters.
public struct NoParameters: Codable, Sendable {
    public init() {}
}
