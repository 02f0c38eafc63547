import Bus
import Contracts
import Foundation
import Storage
import Synchronization
import TestKit
import Testing

@testable import SettingsService

/// An in-memory settings store with the default data, and owners that answer from a table.
struct Fixture {
    let store: SettingsStore
    let owners: FakeOwners
    /// The store's clock: time-bound rules are tested by moving it.
    let clock = ManualClock()
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")
    static let user = BusHeaders(actor: "kari", userId: 2, rank: "user")

    init() async throws {
        let database = try ServiceDatabase(inMemory: SettingsMigrations.register)
        let hasher = PasswordHasher(cost: 4)
        _ = try await DefaultData.seedIfEmpty(database) { (await hasher.hash("admin-password"), nil) }
        owners = FakeOwners()
        store = SettingsStore(database: database, hasher: hasher, sessionLifetime: 3600, owners: owners, clock: clock)
    }

    /// Decodes a reply that came back as JSON data.
    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T { try Wire.decode(type, from: data) }

    /// The outbox, oldest first: the events the store published.
    func events() async throws -> [String] {
        try await store.database.outboxEvents(after: 0, limit: 10_000).map(\.type)
    }
}

/// Owning services that answer usage from a dictionary and record moves.
final class FakeOwners: ReferenceOwners, Sendable {
    private let state = Mutex<(counts: [Int64: Int], moves: [(from: Int64, to: Int64?)])>(([:], []))

    /// The moves asked for, in order.
    var moves: [(from: Int64, to: Int64?)] { state.withLock { $0.moves } }

    func setUsage(_ id: Int64, _ count: Int) { state.withLock { $0.counts[id] = count } }

    func usage(service: String, kind: ReferenceKind, id: Int64) async throws -> Int { state.withLock { $0.counts[id] ?? 0 } }

    func move(service: String, kind: ReferenceKind, from: Int64, to: Int64?, requestId: String) async throws -> Int {
        state.withLock { state in
            let count = state.counts[from] ?? 0
            state.counts[from] = 0
            if let to { state.counts[to, default: 0] += count }
            state.moves.append((from, to))
            return count
        }
    }
}
