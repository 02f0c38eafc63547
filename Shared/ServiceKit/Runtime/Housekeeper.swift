import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Periodic upkeep of a service's database: stored replies of idempotent requests are kept for a
/// day, then removed, so the table does not grow without bound; the query planner's statistics
/// are gathered at start and again for tables whose size has doubled or halved since; full-text
/// indexes whose segments have piled up are merged back into one (`tidyFullTextIndexes`).
struct Housekeeper: Service {
    let database: ServiceDatabase
    let interval: Duration
    let replyRetention: TimeInterval
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let removed = try await database.pruneIdempotency(olderThan: replyRetention)
                    if removed > 0 { logger.info("pruned stored replies", metadata: ["count": "\(removed)"]) }
                    let analysed = try await database.refreshStatistics()
                    if !analysed.isEmpty { logger.info("gathered planner statistics", metadata: ["tables": "\(analysed)"]) }
                    let started = ContinuousClock.now
                    let merged = try await database.tidyFullTextIndexes()
                    if !merged.isEmpty {
                        logger.info(
                            "merged full-text index segments",
                            metadata: ["tables": "\(merged)", "took": "\(ContinuousClock.now - started)"])
                    }
                } catch is CancellationError {
                    break  // stopping
                } catch {
                    logger.warning("housekeeping failed; will try again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
