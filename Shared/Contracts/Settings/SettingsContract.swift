/// The settings service's bus contract: users and sign-in, employee groups and budgets, the
/// reference data an administrator edits, CRM processes, custom fields, configuration and the
/// audit trail. Request and reply types live in the files beside this one, a type (or a small family) each.
public enum SettingsContract: ServiceContract {
    /// The fields search can offer (custom fields' keys are accepted too).
    public static let searchableFields = [
        "name", "first_name", "last_name", "company", "email", "phone", "city", "postal_code", "country", "kind", "category",
        "industry", "status", "source", "owner", "role", "title", "organisation_number", "customer_number",
    ]
    /// Contact fields GDPR anonymisation may scrub besides the name (the GDPR configuration's
    /// `anonymize_fields` takes these).
    public static let personalFields = [
        "title", "emails", "phones", "address", "birthday", "picture", "notes", "bank_details", "custom_fields", "history",
    ]
    public static let service = "settings"

    /// The methods, each with the types it takes and answers.
    public enum Method {
        public static let login = method("auth.login", LoginRequest.self, LoginReply.self)
        public static let verify = method("auth.verify", TokenRequest.self, Principal.self)
        public static let logout = method("auth.logout", TokenRequest.self, Done.self)

        public static let listUsers = method("users.list", ListUsersRequest.self, [User].self)
        public static let getUser = method("users.get", IdRequest.self, User.self)
        public static let createUser = method("users.create", CreateUserRequest.self, UserWithPassword.self)
        public static let updateUser = method("users.update", UpdateUserRequest.self, User.self)
        /// A boss (or the command line) sets or resets another user's password.
        public static let setPassword = method("users.set_password", SetPasswordRequest.self, UserWithPassword.self)
        /// A user changes their own password, giving the current one.
        public static let changePassword = method("users.change_password", ChangePasswordRequest.self, Done.self)

        public static let listTokens = method("tokens.list", ListTokensRequest.self, [APIToken].self)
        public static let createToken = method("tokens.create", CreateTokenRequest.self, CreatedToken.self)
        public static let revokeToken = method("tokens.revoke", IdRequest.self, APIToken.self)

        public static let listReference = method("reference.list", ListReferenceRequest.self, [ReferenceItem].self)
        public static let getReference = method("reference.get", ReferenceIdRequest.self, ReferenceItem.self)
        public static let createReference = method("reference.create", CreateReferenceRequest.self, ReferenceItem.self)
        public static let updateReference = method("reference.update", UpdateReferenceRequest.self, ReferenceItem.self)
        public static let deleteReference = method("reference.delete", DeleteReferenceRequest.self, ReferenceDeleted.self)
        public static let referenceUsage = method("reference.usage", ReferenceIdRequest.self, UsageReply.self)
        public static let moveCustomers = method("reference.move_customers", MoveCustomersRequest.self, UsageReply.self)

        public static let listGroups = method("groups.list", ListGroupsRequest.self, [EmployeeGroup].self)
        public static let getGroup = method("groups.get", IdRequest.self, EmployeeGroup.self)
        public static let createGroup = method("groups.create", CreateGroupRequest.self, EmployeeGroup.self)
        public static let updateGroup = method("groups.update", UpdateGroupRequest.self, EmployeeGroup.self)
        public static let deleteGroup = method("groups.delete", DeleteGroupRequest.self, GroupsDeleted.self)
        public static let setMember = method("groups.set_member", GroupMemberRequest.self, EmployeeGroup.self)
        public static let removeMember = method("groups.remove_member", GroupMemberRequest.self, EmployeeGroup.self)
        public static let listSalesPeople = method("groups.sales_people", NoParameters.self, [User].self)

        public static let listBudgets = method("budgets.list", ListBudgetsRequest.self, [SalesBudget].self)
        public static let setBudget = method("budgets.set", SetBudgetRequest.self, SalesBudget.self)
        public static let deleteBudget = method("budgets.delete", IdRequest.self, Done.self)

        public static let listProcesses = method("processes.list", NoParameters.self, [CRMProcess].self)
        public static let getProcess = method("processes.get", IdRequest.self, CRMProcess.self)
        public static let createProcess = method("processes.create", CreateProcessRequest.self, CRMProcess.self)
        public static let updateProcess = method("processes.update", UpdateProcessRequest.self, CRMProcess.self)
        public static let deleteProcess = method("processes.delete", IdRequest.self, Done.self)

        public static let listFields = method("fields.list", ListFieldsRequest.self, [CustomField].self)
        public static let getField = method("fields.get", IdRequest.self, CustomField.self)
        public static let createField = method("fields.create", CreateFieldRequest.self, CustomField.self)
        public static let updateField = method("fields.update", UpdateFieldRequest.self, CustomField.self)
        public static let deleteField = method("fields.delete", IdRequest.self, Done.self)

        /// One section (`section` given) or all of them, by section name.
        public static let getConfiguration = method("configuration.get", ConfigurationRequest.self, JSONValue.self)
        /// Answers the section as stored.
        public static let setConfiguration = method("configuration.set", ConfigurationRequest.self, JSONValue.self)

        public static let listAudit = method("audit.list", ListAuditRequest.self, Page<AuditEntry>.self)
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
