import Dispatch
import Foundation
import GRDB
import Synchronization

/// Copies a database's write-ahead log into the database file from a connection and a thread of
/// its own, so that no commit pays for it.
///
/// SQLite's default is that the commit which takes the WAL past 1,000 pages runs the checkpoint
/// itself before it returns: a 100,000-row import into a million contacts spent 1.1 of its 5 s in
/// that checkpoint, inside its reply. The writer now has `wal_autocheckpoint = 0` and this runs
/// a PASSIVE checkpoint every `interval` (it waits for nobody; a reader in the way only leaves
/// part of the log for the next round). Once a round has copied the whole log, the next write
/// starts the log over, so the file stays as large as the writes of one round. Rounds are short
/// (ServiceDatabase: 100 ms) so each copies little: once a second, telephony's synchronous HTTP
/// ingest fell from 15,000 to 9,400-11,500 events/s, its commits waiting behind large copies;
/// at 100 ms it is back at 14,700 (docs/performance.md). An idle round costs microseconds.
/// Durability is unchanged: every commit is already synced in the WAL (`synchronous = FULL`).
final class WALCheckpointer: @unchecked Sendable {
    // The timer is only touched in init and deinit.
    private let timer: DispatchSourceTimer
    /// Rounds that copied the whole log (the next write starts it over), for operators and for
    /// tests that wait for one instead of sleeping.
    let completedRounds = Mutex(0)

    init(path: String, interval: DispatchTimeInterval) throws {
        var configuration = Configuration()
        configuration.label = "wal-checkpointer"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "wal-checkpointer"))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        self.timer = timer
        timer.setEventHandler { [weak self] in
            // A failure (the file gone in a test's teardown, an I/O error) is tried again next round.
            let row = try? connection.writeWithoutTransaction { db in try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            // (busy, frames in the log, frames copied): all copied when the last two agree.
            if let row, let log: Int = row[1], let copied: Int = row[2], log == copied, log > 0 {
                self?.completedRounds.withLock { $0 += 1 }
            }
        }
        timer.resume()
    }

    deinit { timer.cancel() }
}
