import Foundation
import ServiceKit

/// The settings service's own configuration, read once at start from the environment.
struct SettingsOptions: Sendable {
    /// The first administrator's password (`CRM_ADMIN_PASSWORD`); generated when unset.
    var adminPassword: String?
    /// bcrypt's cost (`CRM_BCRYPT_COST`, 4...16, default 12).
    var bcryptCost: UInt8 = 12
    /// How long a session lasts (`CRM_SESSION_HOURS`, default 12).
    var sessionLifetime: TimeInterval = 12 * 3600

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SettingsOptions {
        var options = SettingsOptions()
        options.adminPassword = environment["CRM_ADMIN_PASSWORD"]?.nilIfEmpty
        if let value = environment["CRM_BCRYPT_COST"] {
            guard let cost = UInt8(value), (4...16).contains(cost) else { throw ConfigError("CRM_BCRYPT_COST '\(value)' must be 4 to 16") }
            options.bcryptCost = cost
        }
        if let value = environment["CRM_SESSION_HOURS"] {
            guard let hours = Double(value), hours > 0, hours <= 24 * 90 else {
                throw ConfigError("CRM_SESSION_HOURS '\(value)' must be a number of hours up to 2160")
            }
            options.sessionLifetime = hours * 3600
        }
        return options
    }
}
