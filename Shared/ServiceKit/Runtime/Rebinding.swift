import Logging
import ServiceLifecycle

/// Binding an address the instance this one replaces still holds (`crm restart` starts the new
/// process before it stops the old): tried again until it is free, for up to `limit`.
public enum Rebinding {
    public static func retry<T: Sendable>(
        _ what: String, logger: Logger, limit: Duration = .seconds(60), _ start: @Sendable () async throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now + limit
        var warned = false
        while true {
            do {
                return try await start()
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully || ContinuousClock.now >= deadline { throw error }
                if !warned {
                    logger.warning("\(what) is taken (by the instance this one replaces?); trying again", metadata: ["error": "\(error)"])
                    warned = true
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
