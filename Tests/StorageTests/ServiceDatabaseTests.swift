import Foundation
import GRDB
import Synchronization
import TestKit
import Testing

@testable import Storage

private func notesSchema(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("v1") { db in
        try db.execute(sql: "CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    }
}

private struct NoteAdded: Codable { var noteId: Int64; var text: String }
private struct Boom: Error {}

@Suite("Storage kit")
struct ServiceDatabaseTests {
    @Test("a change and its event commit together")
    func changeAndEventCommitTogether() async throws {
        let store = try ServiceDatabase(inMemory: notesSchema)
        try await store.write { db, outbox in
            try db.execute(sql: "INSERT INTO note (text) VALUES ('hello')")
            try outbox.append(db, type: "note.added", payload: NoteAdded(noteId: db.lastInsertedRowID, text: "hello"))
        }
        let events = try await store.outboxEvents(after: 0, limit: 10)
        #expect(events.map(\.type) == ["note.added"])
        #expect(events.first?.seq == 1)
        let payload = String(decoding: events[0].payload, as: UTF8.self)
        #expect(payload.contains("\"note_id\":1"))
    }

    @Test("a failed change leaves neither the row nor the event behind")
    func rollbackDropsEvent() async throws {
        let store = try ServiceDatabase(inMemory: notesSchema)
        await #expect(throws: Boom.self) {
            try await store.write { db, outbox in
                try db.execute(sql: "INSERT INTO note (text) VALUES ('doomed')")
                try outbox.append(db, type: "note.added", payload: NoteAdded(noteId: 1, text: "doomed"))
                throw Boom()
            }
        }
        #expect(try await store.outboxEvents(after: 0, limit: 10).isEmpty)
        #expect(try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM note") } == 0)
    }

    @Test("commit listeners hear about committed events only")
    func commitListener() async throws {
        let store = try ServiceDatabase(inMemory: notesSchema)
        let fired = Fired()
        store.outbox.onCommit { fired.hit() }
        _ = try? await store.write { db, outbox in
            try outbox.append(db, type: "x", payload: ["a": 1])
            throw Boom()
        }
        #expect(fired.count == 0)
        _ = try await store.write { db, outbox in try outbox.append(db, type: "x", payload: ["a": 1]) }
        #expect(fired.count == 1)
    }

    @Test("sequence numbers are never reused, even after the newest event is deleted")
    func sequencesNeverReused() async throws {
        let store = try ServiceDatabase(inMemory: notesSchema)
        try await store.write { db, outbox in
            try outbox.append(db, type: "a", payload: [1])
            try outbox.append(db, type: "b", payload: [2])
            try db.execute(sql: "DELETE FROM outbox WHERE seq = 2")
        }
        let seq = try await store.write { db, outbox in try outbox.append(db, type: "c", payload: [3]) }
        #expect(seq == 3)
        #expect(try await store.lastOutboxSequence() == 3)
    }

    @Test("an event is applied once; replays and older events change nothing")
    func applyOnce() async throws {
        let store = try ServiceDatabase(inMemory: notesSchema)
        for sequence: Int64 in [1, 2, 2, 1, 3] {
            try await store.applyEvent(source: "other", sequence: sequence) { db, _ in
                try db.execute(sql: "INSERT INTO note (text) VALUES (?)", arguments: ["event \(sequence)"])
            }
        }
        #expect(try await store.checkpoint(source: "other") == 3)
        let texts = try await store.read { try String.fetchAll($0, sql: "SELECT text FROM note ORDER BY id") }
        #expect(texts == ["event 1", "event 2", "event 3"])
    }

    @Test("a run of events is applied in one transaction: all or nothing, the checkpoint at its end")
    func applyRun() async throws {
        let store = try ServiceDatabase(inMemory: notesSchema)
        try await store.applyEvent(source: "other", sequence: 2) { db, _ in try db.execute(sql: "INSERT INTO note (text) VALUES ('2')") }
        // A run whose third event fails leaves nothing behind.
        await #expect(throws: Boom.self) {
            try await store.applyEvents(source: "other", through: 5) { db, _, checkpoint in
                #expect(checkpoint == 2)
                try db.execute(sql: "INSERT INTO note (text) VALUES ('3')")
                try db.execute(sql: "INSERT INTO note (text) VALUES ('4')")
                throw Boom()
            }
        }
        #expect(try await store.checkpoint(source: "other") == 2)
        #expect(try await store.read { try String.fetchAll($0, sql: "SELECT text FROM note ORDER BY id") } == ["2"])
        let applied = try await store.applyEvents(source: "other", through: 4) { db, _, checkpoint in
            for sequence in (checkpoint + 1)...4 { try db.execute(sql: "INSERT INTO note (text) VALUES (?)", arguments: ["\(sequence)"]) }
        }
        #expect(applied)
        #expect(try await store.checkpoint(source: "other") == 4)
        // A run that ends at or below the checkpoint changes nothing.
        #expect(try await !store.applyEvents(source: "other", through: 3) { _, _, _ in throw Boom() })
        #expect(try await store.read { try String.fetchAll($0, sql: "SELECT text FROM note ORDER BY id") } == ["2", "3", "4"])
    }

    @Test("a failing handler does not move the checkpoint")
    func failedApplyKeepsCheckpoint() async throws {
        let store = try ServiceDatabase(inMemory: notesSchema)
        await #expect(throws: Boom.self) {
            try await store.applyEvent(source: "other", sequence: 1) { _, _ in throw Boom() }
        }
        #expect(try await store.checkpoint(source: "other") == 0)
    }

    @Test("a retried request gets the stored reply and the change happens once")
    func idempotentRetry() async throws {
        let store = try ServiceDatabase(inMemory: notesSchema)
        for _ in 0..<3 {
            let reply = try await store.idempotentWrite(requestId: "req-1", method: "notes.add") { db, _ in
                try db.execute(sql: "INSERT INTO note (text) VALUES ('once')")
                return Data("{\"id\":\(db.lastInsertedRowID)}".utf8)
            }
            #expect(reply == Data("{\"id\":1}".utf8))
        }
        #expect(try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM note") } == 1)
        await #expect(throws: StorageError.self) {
            _ = try await store.idempotentWrite(requestId: "req-1", method: "notes.delete") { _, _ in Data() }
        }
    }

    @Test("a failed request stores no reply, so its retry runs again")
    func failedRequestNotStored() async throws {
        let store = try ServiceDatabase(inMemory: notesSchema)
        await #expect(throws: Boom.self) {
            _ = try await store.idempotentWrite(requestId: "r", method: "m") { _, _ in throw Boom() }
        }
        let reply = try await store.idempotentWrite(requestId: "r", method: "m") { _, _ in Data("ok".utf8) }
        #expect(reply == Data("ok".utf8))
    }

    @Test("a file database runs in WAL mode with synchronous=FULL")
    func fileDatabasePragmas() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try ServiceDatabase(path: folder.appendingPathComponent("svc/db.sqlite").path, migrations: notesSchema)
        let (mode, sync) = try await store.write { db, _ in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "", try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
        }
        #expect(mode == "wal")
        #expect(sync == 2)  // FULL
    }

    @Test("the WAL is checkpointed behind the writer: commits never do it, yet the log does not grow")
    func checkpointsBehindTheWriter() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("svc/db.sqlite").path
        let store = try ServiceDatabase(path: path, checkpointInterval: .milliseconds(50), migrations: notesSchema)
        #expect(try await store.write { db, _ in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == 0)
        let text = String(repeating: "x", count: 1_000)
        func walBytes() throws -> Int { try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0 }
        var largest = 0
        for _ in 0..<10 {  // 10 rounds of ~2 MB: 20 MB of log if nothing moved it into the file
            _ = try await store.write { db, _ in
                for _ in 0..<2_000 { try db.execute(sql: "INSERT INTO note (text) VALUES (?)", arguments: [text]) }
            }
            largest = max(largest, try walBytes())
            // The next round starts once the checkpointer has copied this one's log whole.
            let before = store.completedCheckpoints
            try await Gate.within(.seconds(30)) { store.completedCheckpoints > before }
        }
        #expect(largest < 8_000_000)
        #expect(try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM note") } == 20_000)
    }

    @Test("planner statistics are gathered when missing or outgrown, and readers plan with them")
    func statistics() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try ServiceDatabase(path: folder.appendingPathComponent("svc/db.sqlite").path) { migrator in
            migrator.registerMigration("v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT NOT NULL, deleted_at TEXT);
                        CREATE INDEX person_live ON person(deleted_at, id);
                        CREATE INDEX person_name ON person(name, id);
                        """)
            }
        }
        func add(_ count: Int) async throws {
            try await store.write { db, _ in
                for n in 0..<count { try db.execute(sql: "INSERT INTO person (name) VALUES (?)", arguments: ["p\(n % 97)"]) }
            }
        }
        let pageByName = "SELECT id FROM person WHERE deleted_at IS NULL ORDER BY name, id LIMIT 50"
        func plan() async throws -> String {
            try await store.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + pageByName).map { $0["detail"] as String }.joined(separator: "; ")
            }
        }
        try await add(500)
        #expect(try await store.refreshStatistics().isEmpty)  // too small to matter
        try await add(1_500)
        // Without statistics SQLite takes deleted_at IS NULL for selective and sorts the lot.
        #expect(try await plan().contains("TEMP B-TREE"))
        #expect(try await store.refreshStatistics() == ["person"])
        #expect(try await plan().contains("person_name"))
        #expect(!(try await plan().contains("TEMP B-TREE")))
        #expect(try await store.refreshStatistics().isEmpty)  // up to date
        try await add(2_500)
        #expect(try await store.refreshStatistics() == ["person"])  // 4,500 rows against 2,000 measured
    }
}

private final class Fired: Sendable {
    private let value = Mutex(0)
    func hit() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

@Suite("Storage kit housekeeping")
struct HousekeepingTests {
    @Test("stored replies older than the retention are removed, recent ones kept")
    func pruneIdempotency() async throws {
        let store = try ServiceDatabase(inMemory: { _ in })
        _ = try await store.idempotentWrite(requestId: "old", method: "m") { _, _ in Data("1".utf8) }
        _ = try await store.idempotentWrite(requestId: "new", method: "m") { _, _ in Data("2".utf8) }
        try await store.write { db, _ in
            try db.execute(
                sql: "UPDATE idempotency SET created_at = ? WHERE request_id = 'old'",
                arguments: [Date().addingTimeInterval(-2 * 24 * 3600)])
        }
        #expect(try await store.pruneIdempotency(olderThan: 24 * 3600) == 1)
        let left = try await store.read { try String.fetchAll($0, sql: "SELECT request_id FROM idempotency") }
        #expect(left == ["new"])
    }

    @Test("a full-text index written by several big transactions is merged into one segment; a trickle of rows is left as it is")
    func tidyFullText() async throws {
        let store = try ServiceDatabase(inMemory: { migrator in
            migrator.registerMigration("search") { db in
                try db.execute(sql: "CREATE VIRTUAL TABLE thing_search USING fts5(text, tokenize = 'trigram')")
            }
        })
        func add(_ ids: Range<Int>) async throws {
            try await store.write { db, _ in
                for id in ids {
                    try db.execute(
                        sql: "INSERT INTO thing_search (rowid, text) VALUES (?, ?)",
                        arguments: [id, "Person\(id) person\(id * 7_919 % 100_003)@example.org"])
                }
            }
        }
        func segments() async throws -> [Int] {
            try await store.read { try Int.fetchAll($0, sql: "SELECT COUNT(*) FROM thing_search_idx GROUP BY segid ORDER BY 1 DESC") }
        }
        func found(_ text: String) async throws -> Int {
            try await store.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM thing_search WHERE thing_search MATCH ?", arguments: ["\"\(text)\""]) ?? 0
            }
        }
        for batch in 0..<3 { try await add(batch * 2_000..<(batch + 1) * 2_000) }
        #expect(try await segments().count >= 2)
        let stopped = Task { try await store.tidyFullTextIndexes(pagesPerStep: 1) }
        stopped.cancel()  // a stopping service: the merge gives up between steps
        await #expect(throws: CancellationError.self) { try await stopped.value }
        #expect(try await store.tidyFullTextIndexes() == ["thing_search"])
        #expect(try await segments().count == 1)
        #expect(try await store.tidyFullTextIndexes().isEmpty)  // nothing left to merge

        try await add(6_000..<6_010)  // a few edits: a segment of one page, not worth rewriting the index for
        #expect(try await store.tidyFullTextIndexes().isEmpty)
        #expect(try await found("example.org") == 6_010)
        #expect(try await found("Person4321 person") == 1)
        #expect(try await found("Person6005 person") == 1)
        try await store.write { db, _ in try db.execute(sql: "INSERT INTO thing_search (thing_search) VALUES ('integrity-check')") }
    }

    @Test("segments are merged when all but the largest add up to the share of it")
    func mergePolicy() {
        #expect(!ServiceDatabase.segmentsNeedMerging([], minimumShare: 0.05))
        #expect(!ServiceDatabase.segmentsNeedMerging([3_716], minimumShare: 0.05))
        #expect(!ServiceDatabase.segmentsNeedMerging([3_716, 100, 85], minimumShare: 0.05))
        #expect(ServiceDatabase.segmentsNeedMerging([3_716, 100, 86], minimumShare: 0.05))
        #expect(ServiceDatabase.segmentsNeedMerging([2_726, 2_653, 2_643, 1_653, 551, 18], minimumShare: 0.05))
    }
}

@Suite("Outbox commit hook")
struct OutboxCommitHookTests {
    final class Counter: Sendable {
        private let value = Mutex(0)
        func add() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    @Test("listeners hear once per committed transaction, however many events it holds, and never for a rollback")
    func oncePerTransaction() async throws {
        let database = try ServiceDatabase(inMemory: { _ in })
        let counter = Counter()
        database.outbox.onCommit { counter.add() }
        try await database.write { db, outbox in
            for n in 0..<5_000 { try outbox.append(db, type: "thing.happened", json: Data("{\"n\":\(n)}".utf8)) }
        }
        #expect(counter.count == 1)
        await #expect(throws: (any Error).self) {
            try await database.write { db, outbox in
                try outbox.append(db, type: "thing.happened", json: Data("{}".utf8))
                throw CancellationError()
            }
        }
        #expect(counter.count == 1)
        _ = try await database.write { db, outbox in try outbox.append(db, type: "thing.happened", json: Data("{}".utf8)) }
        #expect(counter.count == 2)
        #expect(try await database.lastOutboxSequence() == 5_001)
    }
}

@Suite("Database dates")
struct DatabaseDateTests {
    @Test("the hand-written form is what GRDB writes and reads back")
    func sameAsGRDB() async throws {
        let database = try ServiceDatabase(inMemory: { migrator in
            migrator.registerMigration("t") { db in try db.execute(sql: "CREATE TABLE t (a TEXT, b TEXT)") }
        })
        let date = Date(timeIntervalSince1970: 1_769_851_800.123)
        let (a, b, back) = try await database.write { db, _ in
            try db.execute(sql: "INSERT INTO t (a, b) VALUES (?, ?)", arguments: [date, DatabaseDate.string(date)])
            let row = try Row.fetchOne(db, sql: "SELECT a, b FROM t")!
            return (row["a"] as String, row["b"] as String, row["b"] as Date)
        }
        #expect(a == b && b == "2026-01-31 09:30:00.123")
        #expect(abs(back.timeIntervalSince(date)) < 0.001)
    }

    struct Stamped: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "stamped"
        static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
        var id: Int64
        var at: Date
        var gone: Date?
    }

    @Test("the shared tables' records write their dates as text of their own, not through GRDB's DateFormatter")
    func sharedRecords() {
        #expect(RecordDates.formattedByGRDB([InboxCheckpoint.self, IdempotencyRecord.self, Stamped.self]).isEmpty)
    }

    @Test("a record with DatabaseDate.encoding stores its dates as GRDB would, NULL stays NULL, and reads them back")
    func recordEncoding() async throws {
        let database = try ServiceDatabase(inMemory: { migrator in
            migrator.registerMigration("stamped") { db in
                try db.execute(sql: "CREATE TABLE stamped (id INTEGER PRIMARY KEY, at TEXT NOT NULL, gone TEXT)")
            }
        })
        let date = Date(timeIntervalSince1970: 1_769_851_800.123)
        let (texts, back) = try await database.write { db, _ in
            try Stamped(id: 1, at: date, gone: nil).insert(db)
            try Stamped(id: 2, at: date, gone: date.addingTimeInterval(60)).insert(db)
            let texts = try Row.fetchAll(db, sql: "SELECT at, gone FROM stamped ORDER BY id").map {
                [$0["at"] as String?, $0["gone"] as String?]
            }
            return (texts, try Stamped.fetchAll(db, sql: "SELECT * FROM stamped ORDER BY id"))
        }
        #expect(texts == [["2026-01-31 09:30:00.123", nil], ["2026-01-31 09:30:00.123", "2026-01-31 09:31:00.123"]])
        #expect(abs(back[1].at.timeIntervalSince(date)) < 0.001 && back[0].gone == nil)
        #expect(abs((back[1].gone ?? .distantPast).timeIntervalSince(date.addingTimeInterval(60))) < 0.001)
    }
}

@Suite("Group commit")
struct GroupCommitTests {
    @Test("writes that arrive together share a commit, each with its own stored reply; one that fails leaves the others")
    func sharedCommit() async throws {
        let database = try ServiceDatabase(inMemory: notesSchema)
        let commits = OutboxCommitHookTests.Counter()
        database.outbox.onCommit { commits.add() }
        let group = GroupCommit(database: database)
        let first = Gate()
        func note(_ n: Int, gate: Gate? = nil) -> GroupCommit.Body {
            { db, outbox in
                gate?.hold()  // the others arrive meanwhile
                if n == 4 { throw Boom() }
                try db.execute(sql: "INSERT INTO note (text) VALUES (?)", arguments: ["\(n)"])
                try outbox.append(db, type: "note.added", json: Data("{}".utf8))
                return Data("\(n)".utf8)
            }
        }
        let firstTask = Task { try await group.submit(requestId: "r1", method: "notes.add", note(1, gate: first)) }
        await first.reached()
        let rest = (2...6).map { n in Task { try await group.submit(requestId: "r\(n)", method: "notes.add", note(n)) } }
        await Gate.until { group.waiting == 5 }
        first.open()
        #expect(try await firstTask.value == Data("1".utf8))
        for (n, task) in zip(2...6, rest) {
            if n == 4 {
                await #expect(throws: Boom.self) { try await task.value }
            } else {
                #expect(try await task.value == Data("\(n)".utf8))
            }
        }
        let texts = try await database.read { try String.fetchAll($0, sql: "SELECT text FROM note ORDER BY id") }
        #expect(texts == ["1", "2", "3", "5", "6"])
        // The first alone, the four that came during it together (five writes, two commits).
        #expect(commits.count == 2)
        // A retry gets the stored reply and writes nothing; the failed one runs again.
        #expect(try await group.submit(requestId: "r3", method: "notes.add", note(3)) == Data("3".utf8))
        await #expect(throws: Boom.self) { try await group.submit(requestId: "r4", method: "notes.add", note(4)) }
        #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM note") } == 5)
    }

    @Test("a crowd of writes is committed in steps of at most the set weight")
    func weightCap() async throws {
        let database = try ServiceDatabase(inMemory: notesSchema)
        let commits = OutboxCommitHookTests.Counter()
        database.outbox.onCommit { commits.add() }
        let group = GroupCommit(database: database, maxWeight: 100)
        let gate = Gate()
        let blocker = Task {
            try await group.submit(requestId: "b", method: "m") { db, outbox in
                gate.hold()
                try outbox.append(db, type: "x", json: Data("{}".utf8))
                return Data()
            }
        }
        await gate.reached()
        // Six writes of weight 40 queue up behind it: two per transaction.
        let crowd = (1...6).map { n in
            Task {
                try await group.submit(requestId: "c\(n)", method: "m", weight: 40) { db, outbox in
                    try outbox.append(db, type: "x", json: Data("{}".utf8))
                    return Data()
                }
            }
        }
        await Gate.until { group.waiting == 6 }
        gate.open()
        _ = try await blocker.value
        for task in crowd { _ = try await task.value }
        #expect(commits.count == 4)
    }
}

@Suite("Statements bound directly")
struct DirectStatementTests {
    @Test("values of every kind are stored as GRDB would store them; lookups answer the value, nil for no row or NULL")
    func roundTrip() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE thing (id INTEGER PRIMARY KEY, name TEXT, size INTEGER, data BLOB, flag INTEGER)")
            let insert = try db.cachedStatement(sql: "INSERT INTO thing (name, size, data, flag) VALUES (?, ?, ?, ?)")
            try insert.run(.text("Ærlig 😀 \"quoted\""), .integer(42), .blob(Data([0, 1, 2, 255])), .bool(true))
            try insert.run(.text(""), .integer(nil), .blob(Data()), .bool(false))
            try insert.run(.text("a\u{0}b"), .integer(-7), .null, .bool(nil))
            let rows = try Row.fetchAll(
                db, sql: "SELECT name, size, data, flag, typeof(name) AS t, length(CAST(name AS BLOB)) AS bytes FROM thing ORDER BY id")
            #expect(rows[0]["name"] == "Ærlig 😀 \"quoted\"" && rows[0]["size"] == 42 && rows[0]["data"] == Data([0, 1, 2, 255]))
            #expect(rows[0]["flag"] == true)
            #expect(rows[1]["name"] == "" && rows[1]["t"] == "text" && rows[1]["size"] == nil as Int?)
            #expect(rows[1]["flag"] == false)
            #expect(rows[2]["bytes"] == 3 && rows[2]["size"] == -7 && rows[2]["data"] == nil as Data?)
            #expect(rows[2]["flag"] == nil as Bool?)

            let lookup = try db.cachedStatement(sql: "SELECT size FROM thing WHERE name = ?")
            #expect(try lookup.fetchInt64(.text("Ærlig 😀 \"quoted\"")) == 42)
            #expect(try lookup.fetchInt64(.text("")) == nil)  // a row whose value is NULL
            #expect(try lookup.fetchInt64(.text("nobody")) == nil)  // no row
            #expect(try lookup.fetchInt64(.text("a\u{0}b")) == -7)
        }
    }

    @Test("a refused statement throws SQLite's error and can run again; a wrong number of values is refused")
    func errors() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE thing (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
            let insert = try db.cachedStatement(sql: "INSERT INTO thing (name) VALUES (?)")
            try insert.run(.text("one"))
            #expect(throws: DatabaseError.self) { try insert.run(.text("one")) }
            do {
                try insert.run(.null)
                Issue.record("NULL was accepted")
            } catch let error as DatabaseError {
                #expect(error.resultCode == .SQLITE_CONSTRAINT)
                #expect(error.message?.contains("NOT NULL") == true)
            }
            #expect(throws: DatabaseError.self) { try insert.run(.text("two"), .text("three")) }
            try insert.run(.text("two"))
            #expect(try String.fetchAll(db, sql: "SELECT name FROM thing ORDER BY id") == ["one", "two"])
        }
    }
}
