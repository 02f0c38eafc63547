import Bus
import Contracts
import Foundation
import GRDB

/// What the caller may see: with customer cards shared (settings' visibility), everything; when
/// not shared, a user sees and changes only the companies and contacts they own, a boss all.
/// The caller comes from the bus headers, which the gateway fills from a verified token only;
/// calls without a user (other services, the command line) see everything.
struct Access: Sendable {
    /// Only records owned by this user, or nil for all.
    let ownerOnly: Int64?
    /// The user, for notes and private flags.
    let userId: Int64?
    let isBoss: Bool

    static func of(_ headers: BusHeaders, _ db: Database) throws -> Access {
        guard let userId = headers.userId else { return Access(ownerOnly: nil, userId: nil, isBoss: true) }
        if headers.isBoss { return Access(ownerOnly: nil, userId: userId, isBoss: true) }
        return Access(ownerOnly: try sharedCards(db) ? nil : userId, userId: userId, isBoss: false)
    }

    /// Settings' `visibility.shared_customer_cards`, as last heard (shared until told otherwise).
    static func sharedCards(_ db: Database) throws -> Bool {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE section = 'visibility'"),
            let value = try? Wire.decode(VisibilityConfiguration.self, from: Data(text.utf8))
        else { return true }
        return value.sharedCustomerCards
    }

    /// Whether a record with this owner is visible.
    func sees(owner: Int64?) -> Bool { ownerOnly == nil || owner == ownerOnly }

    /// Refuses a record the caller may not see as if it did not exist (no leak of its existence).
    func require(owner: Int64?, _ what: String) throws {
        guard sees(owner: owner) else { throw BusError.notFound("\(what) does not exist") }
    }
}
