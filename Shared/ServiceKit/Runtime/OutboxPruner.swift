import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Prunes the outbox (see `ServiceDatabase.pruneOutbox`): at start and then every quarter of the
/// retention period, at most hourly.
struct OutboxPruner: Service {
    let database: ServiceDatabase
    let retention: TimeInterval
    let logger: Logger

    func run() async throws {
        let interval = Duration.seconds(max(1, min(3600, retention / 4)))
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let removed = try await database.pruneOutbox(retention: retention)
                    if removed > 0 { logger.info("pruned published events", metadata: ["count": "\(removed)"]) }
                } catch is CancellationError {
                    break
                } catch {
                    logger.warning("pruning the outbox failed; will try again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
