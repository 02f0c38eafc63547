import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// The settings service's data. Every change writes its audit entry and its event in the same
/// transaction as the change itself (see `SettingsStore+Audit.swift`); the features live in the
/// `SettingsStore+*.swift` files.
struct SettingsStore: Sendable {
    let database: ServiceDatabase
    let hasher: PasswordHasher
    /// How long a session from signing in lasts.
    let sessionLifetime: TimeInterval
    /// Asks the services that own records which use reference data.
    let owners: any ReferenceOwners

    /// The time sign-in throttling and token expiry go by.
    let clock: any WallClock

    init(
        database: ServiceDatabase, hasher: PasswordHasher, sessionLifetime: TimeInterval, owners: any ReferenceOwners,
        clock: any WallClock = SystemClock()
    ) {
        self.clock = clock
        self.database = database
        self.hasher = hasher
        self.sessionLifetime = sessionLifetime
        self.owners = owners
    }

    /// Refuses callers that are not bosses (the gateway checks too; this is the service's own word).
    static func requireBoss(_ headers: BusHeaders) throws {
        guard headers.isBoss else { throw BusError.forbidden("only a user with rank boss may change settings") }
    }

    /// A page size within bounds.
    static func pageSize(_ limit: Int?) -> Int { min(max(limit ?? 50, 1), SettingsContract.maxPageSize) }
}

/// The services that own records using reference data, as settings reaches them (the bus in
/// production, a stand-in in tests).
protocol ReferenceOwners: Sendable {
    /// How many of `service`'s records use the item.
    func usage(service: String, kind: ReferenceKind, id: Int64) async throws -> Int
    /// Moves (or clears, `to` nil) every use of the item in `service`; answers how many moved.
    func move(service: String, kind: ReferenceKind, from: Int64, to: Int64?, requestId: String) async throws -> Int
}

/// Reaches owners over the bus.
struct BusReferenceOwners: ReferenceOwners {
    let client: BusClient
    let timeout: Duration

    func usage(service: String, kind: ReferenceKind, id: Int64) async throws -> Int {
        try await client.call(ReferenceOwnerContract.usage(of: service), ReferenceIdRequest(kind: kind, id: id), timeout: timeout).count
    }

    func move(service: String, kind: ReferenceKind, from: Int64, to: Int64?, requestId: String) async throws -> Int {
        try await client.call(
            ReferenceOwnerContract.move(of: service), ReferenceMoveRequest(kind: kind, from: from, to: to), timeout: timeout,
            requestId: requestId
        ).count
    }
}
