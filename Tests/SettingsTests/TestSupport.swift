import Bus
import Contracts
import Foundation
import Storage
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
final class FakeOwners: ReferenceOwners, @unchecked Sendable {
    // Guarded by `lock`; tests call it from one task at a time but the protocol is Sendable.
    private let lock = NSLock()
    private var counts: [Int64: Int] = [:]
    private(set) var moves: [(from: Int64, to: Int64?)] = []

    func setUsage(_ id: Int64, _ count: Int) { lock.withLock { counts[id] = count } }

    func usage(service: String, kind: ReferenceKind, id: Int64) async throws -> Int { lock.withLock { counts[id] ?? 0 } }

    func move(service: String, kind: ReferenceKind, from: Int64, to: Int64?, requestId: String) async throws -> Int {
        lock.withLock {
            let count = counts[from] ?? 0
            counts[from] = 0
            if let to { counts[to, default: 0] += count }
            moves.append((from, to))
            return count
        }
    }
}
