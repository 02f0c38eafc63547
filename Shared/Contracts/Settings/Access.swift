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
    /// E-mail and SMS: reading what was sent, and sending.
    public static let messagesRead = "messages:read"
    public static let messagesSend = "messages:send"
    /// Deals, the sales board, forecasts: reading them, and changing them.
    public static let salesRead = "sales:read"
    public static let salesWrite = "sales:write"
    /// Tasks, appointments, calendars and feeds: reading them, and changing them.
    public static let tasksRead = "tasks:read"
    public static let tasksWrite = "tasks:write"

    /// Every scope a token may be given.
    public static let known: [String] = [
        contactsRead, contactsWrite, callsRead, telephonyIngest, settingsRead, settingsWrite, account, messagesRead, messagesSend,
        salesRead, salesWrite, tasksRead, tasksWrite,
    ]
}
