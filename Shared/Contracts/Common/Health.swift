import Foundation

/// The reply of every `<service>.health` method.
public struct HealthReport: Codable, Sendable {
    public var service: String
    public var instance: String
    /// `ok`, or `degraded` when a dependency (the database) fails.
    public var status: String
    public var pid: Int
    public var startedAt: Date
    public var uptimeSeconds: Int
    /// `ok`, `none`, or the error the database gave.
    public var database: String

    public init(
        service: String, instance: String, status: String, pid: Int, startedAt: Date, uptimeSeconds: Int,
        database: String
    ) {
        self.service = service
        self.instance = instance
        self.status = status
        self.pid = pid
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.database = database
    }
}
