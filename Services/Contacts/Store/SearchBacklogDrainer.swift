import ServiceLifecycle
import Storage
import Synchronization

/// Runs `SearchBacklog.drain`, one drain at a time: at start-up (for what a stop cut short) and
/// after every big import. An import that commits while a drain runs has that drain go round
/// once more instead of starting a second one beside it. On shutdown the drain in progress is
/// cancelled between two batches (each batch is its own transaction, and the backlog is
/// durable, so the next start picks up there) and waited for.
final class SearchBacklogDrainer: Service, Sendable {
    private struct State {
        var running: Task<Void, Never>?
        var again = false
        var stopped = false
    }

    private let database: ServiceDatabase
    private let state = Mutex(State())

    init(database: ServiceDatabase) {
        self.database = database
    }

    /// Asks for a drain: starts one, or has the one running go round again when it is done.
    func nudge() {
        state.withLock { state in
            guard !state.stopped else { return }
            if state.running != nil {
                state.again = true
            } else {
                state.running = Task { await self.drainUntilQuiet() }
            }
        }
    }

    /// Waits until no drain runs (for tests and for a caller that needs the search rows).
    func idle() async {
        while let task = state.withLock({ $0.running }) { await task.value }
    }

    private func drainUntilQuiet() async {
        repeat {
            // After rows were built: the planner's statistics, which a big import leaves far
            // behind (or missing, on a new database), and the search index's segments, which
            // its batches multiply.
            if await SearchBacklog.drain(database) > 0, !Task.isCancelled {
                _ = try? await database.refreshStatistics()
                _ = try? await database.tidyFullTextIndexes()
            }
        } while state.withLock { state in
            if state.again && !state.stopped {
                state.again = false
                return true
            }
            state.running = nil
            return false
        }
    }

    /// The service's life: a drain at start, then on graceful shutdown the running one stops.
    func run() async throws {
        nudge()
        try? await gracefulShutdown()
        let task = state.withLock { state in
            state.stopped = true
            return state.running
        }
        task?.cancel()
        await task?.value
    }
}
