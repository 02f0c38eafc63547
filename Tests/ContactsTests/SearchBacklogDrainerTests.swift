import Bus
import Contracts
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Storage
import Testing

@testable import ContactsService

@Suite("Search backlog drainer")
struct SearchBacklogDrainerTests {
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")

    /// A store with `count` imported contacts whose search rows wait in the backlog.
    func storeWithBacklog(_ count: Int) async throws -> ContactStore {
        let store = ContactStore(
            database: try ServiceDatabase(inMemory: ContactsMigrations.register), phones: PhoneNormalizer(defaultCountry: "NO"))
        var csv = "first_name;last_name\n"
        for n in 0..<count { csv += "Drain\(n);Backlogperson\(n)\n" }
        let report = try await store.importCSV(ImportRequest(csv: csv), headers: Self.boss)
        #expect(report.searchPending == count)
        return store
    }

    func pending(_ store: ContactStore) async throws -> Int {
        try await store.database.read { try SearchBacklog.pending($0) }
    }

    @Test("nudges while a drain runs fold into it; when it is idle nothing waits")
    func oneAtATime() async throws {
        let store = try await storeWithBacklog(SearchBacklog.threshold * 3)
        for _ in 0..<5 { store.backlog.nudge() }
        await store.backlog.idle()
        #expect(try await pending(store) == 0)
        #expect(try await store.list(ListContactsRequest(q: "backlogperson2999")).items.count == 1)
    }

    @Test("as a service: a graceful shutdown stops a drain between batches; the next start builds the rest")
    func asService() async throws {
        let store = try await storeWithBacklog(SearchBacklog.threshold * 3)
        let drainer = SearchBacklogDrainer(database: store.database)
        let group = ServiceGroup(services: [drainer], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()  // returns: the drain it started is stopped and waited for
        }
        drainer.nudge()  // after shutdown, a nudge starts nothing
        await drainer.idle()
        await store.backlog.idle()  // the import's own drain, which nobody stopped
        // The next start (a new drainer) leaves nothing waiting, whatever the stop left.
        let next = SearchBacklogDrainer(database: store.database)
        next.nudge()
        await next.idle()
        #expect(try await pending(store) == 0)
    }
}
