import Bus
import Contracts
import Foundation
import GRDB

/// What a caller may see of the call log, by the same rule as the customer cards (contacts'
/// `Access`): with settings' `visibility.shared_customer_cards` off, a user who is not a boss
/// sees only calls whose every matched customer is one they own, or calls they took part in
/// themselves; a call that matched no customer is nobody's and visible to all. A customer whose
/// owner telephony has not heard of counts as not theirs. Calls without a user (other services,
/// the command line) and bosses see everything.
struct TelephonyAccess: Sendable {
    /// Only what this user may see, or nil for everything.
    let restrictedTo: Int64?

    static func of(_ headers: BusHeaders, _ db: Database) throws -> TelephonyAccess {
        guard let userId = headers.userId, !headers.isBoss else { return TelephonyAccess(restrictedTo: nil) }
        return TelephonyAccess(restrictedTo: try sharedCards(db) ? nil : userId)
    }

    /// Settings' visibility as last heard (shared until told otherwise, as in contacts).
    static func sharedCards(_ db: Database) throws -> Bool {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE section = 'visibility'"),
            let value = try? Wire.decode(VisibilityConfiguration.self, from: Data(text.utf8))
        else { return true }
        return value.sharedCustomerCards
    }

    static func setOwner(_ db: Database, kind: String, id: Int64, owner: Int64?) throws {
        try db.execute(
            sql:
                "INSERT INTO party_owner (kind, id, owner_id) VALUES (?, ?, ?) ON CONFLICT(kind, id) DO UPDATE SET owner_id = excluded.owner_id",
            arguments: [kind, id, owner])
    }

    /// The condition a call (table alias `call`) must meet, or nil when everything is visible.
    var callCondition: (sql: String, arguments: StatementArguments)? {
        guard let user = restrictedTo else { return nil }
        return (
            """
            (call.user_id = ? OR call.answered_by_user_id = ? OR NOT EXISTS (
                SELECT 1 FROM call_party p LEFT JOIN party_owner o ON o.kind = p.kind AND o.id = p.party_id
                WHERE p.call_id = call.id AND (o.owner_id IS NULL OR o.owner_id != ?)))
            """,
            [user, user, user]
        )
    }

    /// Refuses a customer the caller may not see as if it had no calls at all.
    func requireParty(_ db: Database, kind: String, id: Int64) throws {
        guard let user = restrictedTo else { return }
        let owner = try Int64.fetchOne(db, sql: "SELECT owner_id FROM party_owner WHERE kind = ? AND id = ?", arguments: [kind, id])
        guard owner == user else { throw BusError.notFound("\(kind) \(id) does not exist") }
    }
}
