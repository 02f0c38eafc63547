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
    /// The fields below are there only when the request asked `{"detail": true}` (`crm status`).
    /// Per source this service follows: events it has not applied yet (newest seen minus its
    /// checkpoint).
    public var lags: [String: Int64]?
    /// The newest event in its outbox, and per subscriber (bus role) how many events after
    /// the last position it asked for.
    public var outboxSequence: Int64?
    public var subscribersBehind: [String: Int64]?
    /// Work waiting in the service's own queues (such as messages to send), by name.
    public var queues: [String: Int64]?
    /// Resident memory of the process, in bytes.
    public var residentBytes: Int64?
    /// Where its `/metrics` is served, when it is.
    public var metrics: String?

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
