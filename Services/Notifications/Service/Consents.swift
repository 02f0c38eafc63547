import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// Consent per customer, channel and purpose (with its evidence, every change kept), and the
/// numbers that opted out. Marketing needs consent; service messages do not; an opted-out
/// number gets nothing from any sender.
enum Consents {
    static let channels = ["sms", "email"]
    static let purposes = ["marketing", "service"]

    static func optOut(_ db: Database, channel: String, address: String) throws -> OptOut? {
        try Row.fetchOne(db, sql: "SELECT * FROM opt_out WHERE channel = ? AND address = ?", arguments: [channel, address]).map {
            OptOut(channel: $0["channel"], address: $0["address"], source: $0["source"], detail: $0["detail"], at: $0["at"])
        }
    }

    static func granted(_ db: Database, contactId: Int64, channel: String, purpose: String) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT granted FROM consent WHERE contact_id = ? AND channel = ? AND purpose = ?",
            arguments: [contactId, channel, purpose]) ?? false
    }

    /// Opts a number out at once (a STOP, the provider's 21610); the customers with that number
    /// hear of it through `consent.changed`.
    static func recordOptOut(
        _ db: Database, _ outbox: Outbox, channel: String, address: String, source: String, detail: String?, now: Date
    ) throws {
        guard !address.isEmpty else { return }
        try db.execute(
            sql: "INSERT OR IGNORE INTO opt_out (channel, address, source, detail, at) VALUES (?, ?, ?, ?, ?)",
            arguments: [channel, address, source, detail.map { String($0.prefix(40)) }, DatabaseDate.string(now)])
        guard db.changesCount > 0 else { return }
        try announce(db, outbox, address: address)
    }

    static func removeOptOut(_ db: Database, _ outbox: Outbox, channel: String, address: String, now: Date) throws {
        try db.execute(sql: "DELETE FROM opt_out WHERE channel = ? AND address = ?", arguments: [channel, address])
        guard db.changesCount > 0 else { return }
        try announce(db, outbox, address: address)
    }

    private static func announce(_ db: Database, _ outbox: Outbox, address: String) throws {
        let contacts = try Int64.fetchAll(
            db, sql: "SELECT contact_id FROM recipient WHERE (mobile = ? OR email = ?) AND deleted = 0", arguments: [address, address])
        for contact in contacts {
            try outbox.append(db, type: NotificationsContract.Event.consentChanged, payload: try state(db, contactId: contact))
        }
    }

    static func set(_ db: Database, _ outbox: Outbox, _ request: SetConsentRequest, actor: String?, now: Date) throws -> ConsentState {
        guard channels.contains(request.channel) else {
            throw BusError.invalid("channel is sms or email, not '\(request.channel.prefix(20))'")
        }
        guard purposes.contains(request.purpose) else {
            throw BusError.invalid("purpose is marketing or service, not '\(request.purpose.prefix(20))'")
        }
        let source = request.source.trimmingCharacters(in: .whitespaces)
        guard !source.isEmpty, source.count <= 60 else { throw BusError.invalid("source: 1 to 60 characters (web_form, paper, phone ...)") }
        guard (request.evidence?.count ?? 0) <= 2000 else { throw BusError.invalid("evidence: at most 2,000 characters") }
        let arguments: StatementArguments = [
            request.contactId, request.channel, request.purpose, request.granted, source, request.evidence, actor,
            DatabaseDate.string(now),
        ]
        try db.execute(
            sql: """
                INSERT INTO consent (contact_id, channel, purpose, granted, source, evidence, recorded_by, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (contact_id, channel, purpose) DO UPDATE SET granted = excluded.granted, source = excluded.source,
                    evidence = excluded.evidence, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
                """, arguments: arguments)
        try db.execute(
            sql: """
                INSERT INTO consent_log (contact_id, channel, purpose, granted, source, evidence, recorded_by, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: arguments)
        let state = try state(db, contactId: request.contactId)
        try outbox.append(db, type: NotificationsContract.Event.consentChanged, payload: state)
        return state
    }

    static func state(_ db: Database, contactId: Int64) throws -> ConsentState {
        let consents = try Row.fetchAll(
            db, sql: "SELECT * FROM consent WHERE contact_id = ? ORDER BY channel, purpose", arguments: [contactId]
        )
        .map { row -> Consent in
            var consent = Consent(
                contactId: row["contact_id"], channel: row["channel"], purpose: row["purpose"], granted: row["granted"],
                source: row["source"], recordedAt: row["recorded_at"])
            consent.evidence = row["evidence"]
            consent.recordedBy = row["recorded_by"]
            return consent
        }
        let optedOut = try Row.fetchAll(
            db,
            sql: """
                SELECT o.* FROM opt_out o JOIN recipient r ON (o.channel = 'sms' AND o.address = r.mobile)
                    OR (o.channel = 'email' AND o.address = r.email)
                WHERE r.contact_id = ?
                """, arguments: [contactId]
        ).map { OptOut(channel: $0["channel"], address: $0["address"], source: $0["source"], detail: $0["detail"], at: $0["at"]) }
        return ConsentState(contactId: contactId, consents: consents, optedOut: optedOut)
    }
}
