import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// The call log inside one write transaction: every way in (HTTP, ZeroMQ, AMI, CDR files) ends
/// here, so the same events give the same calls whichever way they came and however often.
struct CallLog {
    let db: Database
    let outbox: Outbox
    let phones: PhoneNormalizer
    /// What this transaction already looked up: employees by extension, and who each call it
    /// matched is with (a batch of a thousand calls asks for the same extensions again and again).
    private let memo = Memo()

    private final class Memo {
        var users: [String: (id: Int64, username: String)?] = [:]
        var parties: [Int64: (contacts: [Int64], companies: [Int64])] = [:]
    }

    init(db: Database, outbox: Outbox, phones: PhoneNormalizer) {
        self.db = db
        self.outbox = outbox
        self.phones = phones
    }

    private func employee(_ extension: String) throws -> (id: Int64, username: String)? {
        if let known = memo.users[`extension`] { return known }
        let found = try UserIndex.match(db, extension: `extension`)
        memo.users[`extension`] = found
        return found
    }

    /// The call as published, with its parties from this transaction's matching when it did one.
    private func contract(_ call: CallRecord) throws -> Call {
        if let id = call.id, let parties = memo.parties[id] {
            return call.contract(contacts: parties.contacts, companies: parties.companies)
        }
        return try Self.contracts(db, [call])[0]
    }

    /// Stores the events that are new (per producer and event id), and refolds the calls they touch.
    func apply(producer: String, events: [CallStore.ValidEvent], now: Date = Date()) throws -> IngestReply {
        var accepted = 0, duplicates = 0
        var touched: [Int64] = []
        var callIds: [String: Int64] = [:]
        // Calls created by this batch are folded from the batch alone, without reading them back.
        var created: [Int64: CallRecord] = [:]
        var fresh: [Int64: [(CallEventInput, Date)]] = [:]
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO call_event (producer, event_id, call_id, type, at, payload, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (producer, event_id) DO NOTHING
                """)
        let received = DatabaseDate.string(now)
        for event in events {
            let callId: Int64
            if let known = callIds[event.callId] {
                callId = known
            } else if let existing = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM call WHERE producer = ? AND external_id = ?"), arguments: [producer, event.callId])
            {
                callId = existing
                callIds[event.callId] = callId
            } else {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO call (producer, external_id, direction, status, event_count, updated_at)
                        VALUES (?, ?, 'inbound', 'ringing', 0, ?)
                        """
                ).execute(arguments: [producer, event.callId, received])
                callId = db.lastInsertedRowID
                callIds[event.callId] = callId
                created[callId] = CallRecord(
                    id: callId, producer: producer, externalId: event.callId, direction: "inbound", status: "ringing", eventCount: 0,
                    updatedAt: now)
            }
            let at = DatabaseDate.string(event.at)
            try insert.execute(arguments: [producer, event.eventId, callId, event.type, at, EventCodec.encode(event.input), received])
            if db.changesCount == 0 {
                duplicates += 1
                continue
            }
            accepted += 1
            if fresh[callId] == nil { touched.append(callId) }
            // The time as stored (milliseconds), so a later fold from the database gives the same call.
            fresh[callId, default: []].append(
                (event.input, Date(timeIntervalSince1970: (event.at.timeIntervalSince1970 * 1000).rounded(.down) / 1000)))
        }
        for callId in touched {
            if let record = created[callId] {
                try recompute(record, events: fresh[callId] ?? [], now: now, isNew: true)
            } else {
                try recompute(callId: callId, now: now)
            }
        }
        return IngestReply(accepted: accepted, duplicates: duplicates, callIds: touched)
    }

    /// Folds all of a call's events into its row, matches it, and publishes what changed.
    func recompute(callId: Int64, now: Date) throws {
        guard let before = try CallRecord.load(db, id: callId) else { return }
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT at, payload FROM call_event WHERE call_id = ?"), arguments: [callId])
        let events = try rows.map { row in
            (try EventCodec.decode(row["payload"] as Data), row["at"] as Date)
        }
        try recompute(before, events: events, now: now)
    }

    /// Folds `events` (all the call's events) into `before`, matches it, and publishes.
    private func recompute(_ before: CallRecord, events: [(CallEventInput, Date)], now: Date, isNew: Bool = false) throws {
        let state = CallState(events: events.map { (event: $0.0, at: $0.1) })
        var call = before
        call.apply(state, phones: phones)
        call.eventCount = events.count
        call.timedOut = false
        if !call.isEnded && before.timedOut { close(&call) }
        let employee = try state.extension.flatMap { try self.employee($0) }
        call.userId = employee?.id
        call.user = state.user ?? employee?.username
        call.answeredByUserId = try state.answeredBy.flatMap { try self.employee($0) }?.id
        if call.remoteKey != before.remoteKey || before.eventCount == 0 { try match(&call, isNew: isNew) }
        call.updatedAt = now
        try save(call, before: before, now: now)
    }

    /// Marks a call that never got its end as over at its last event.
    private func close(_ call: inout CallRecord) {
        call.timedOut = true
        call.endedAt = call.lastEventAt ?? call.startedAt
        let answered = call.answeredAt != nil
        call.status = answered ? "answered" : (call.direction == "inbound" ? "missed" : "no_answer")
        if let end = call.endedAt, let start = call.startedAt {
            call.duration = max(0, Int(end.timeIntervalSince(start).rounded()))
            call.billsec = answered ? call.answeredAt.map { max(0, Int(end.timeIntervalSince($0).rounded())) } : 0
            call.ringSeconds = max(0, Int(((answered ? call.answeredAt : nil) ?? end).timeIntervalSince(start).rounded()))
        }
    }

    /// Writes the row and publishes: `call.logged` (and `call.missed` for an inbound call nobody
    /// answered) when it first ends, `call.updated` when a logged call changes.
    private func save(_ call: CallRecord, before: CallRecord, now: Date) throws {
        var call = call
        let wasLogged = before.loggedAt != nil
        if call.isEnded && !wasLogged { call.loggedAt = now }
        try call.write(db)
        if call.isEnded && !wasLogged {
            let contract = try self.contract(call)
            try outbox.append(db, type: TelephonyContract.Event.logged, json: contract.wireJSON)
            if call.direction == "inbound" && ["missed", "voicemail"].contains(call.status) {
                try outbox.append(db, type: TelephonyContract.Event.missed, json: contract.wireJSON)
            }
        } else if wasLogged && !call.sameFacts(as: before) {
            try outbox.append(db, type: TelephonyContract.Event.updated, json: try contract(call).wireJSON)
        }
    }

    /// Links the call to everyone with the other party's number, and to the companies of those
    /// contacts. Several direct matches make it ambiguous; none puts it on the unmatched list.
    func match(_ call: inout CallRecord, isNew: Bool = false) throws {
        if !isNew { try db.cachedStatement(sql: "DELETE FROM call_party WHERE call_id = ?").execute(arguments: [call.id]) }
        guard let key = call.remoteKey else {
            call.contactId = nil
            call.companyId = nil
            call.matchCount = 0
            if let id = call.id { memo.parties[id] = ([], []) }
            return
        }
        let parties = try PartyIndex.match(db, key: key)
        let contacts = parties.filter { $0.kind == .contact }.map(\.id)
        var companies = parties.filter { $0.kind == .company }.map(\.id)
        let direct = Set(companies)
        for contact in contacts {
            for company in try PartyIndex.companies(db, ofContact: contact) where !companies.contains(company) {
                companies.append(company)
            }
        }
        let insert = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO call_party (kind, party_id, call_id, direct) VALUES (?, ?, ?, ?)")
        for contact in contacts { try insert.execute(arguments: ["contact", contact, call.id, true]) }
        for company in companies { try insert.execute(arguments: ["company", company, call.id, direct.contains(company)]) }
        call.contactId = contacts.first
        call.companyId = companies.first
        call.matchCount = parties.count
        if let id = call.id { memo.parties[id] = (contacts, companies) }
    }

    /// Matches again every call with one of these numbers (they were just added to someone), so a
    /// contact created later picks up its earlier calls.
    func rematch(keys: [String], now: Date = Date()) throws {
        for key in keys {
            let ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM call WHERE remote_key = ?"), arguments: [key])
            for id in ids {
                guard let before = try CallRecord.load(db, id: id) else { continue }
                var call = before
                try match(&call)
                guard call.contactId != before.contactId || call.companyId != before.companyId || call.matchCount != before.matchCount
                else { continue }
                call.updatedAt = now
                try call.write(db)
                if call.loggedAt != nil {
                    try outbox.append(db, type: TelephonyContract.Event.updated, json: try Self.contracts(db, [call])[0].wireJSON)
                }
            }
        }
    }

    /// Closes calls whose last event came before `cutoff` and that never ended.
    func closeStale(before cutoff: Date, now: Date) throws -> Int {
        let ids = try Int64.fetchAll(
            db, sql: "SELECT id FROM call WHERE ended_at IS NULL AND last_event_at < ? LIMIT 1000",
            arguments: [DatabaseDate.string(cutoff)])
        for id in ids {
            guard let before = try CallRecord.load(db, id: id) else { continue }
            var call = before
            close(&call)
            call.updatedAt = now
            try save(call, before: before, now: now)
        }
        return ids.count
    }

    /// Calls as the API shows them, with who they are with.
    static func contracts(_ db: Database, _ records: [CallRecord]) throws -> [Call] {
        guard !records.isEmpty else { return [] }
        var contacts: [Int64: [Int64]] = [:], companies: [Int64: [Int64]] = [:]
        let ids = records.compactMap(\.id)
        let rows =
            ids.count == 1
            ? try Row.fetchAll(
                db.cachedStatement(sql: "SELECT call_id, kind, party_id FROM call_party WHERE call_id = ? ORDER BY direct DESC, party_id"),
                arguments: [ids[0]])
            : try Row.fetchAll(
                db,
                sql: "SELECT call_id, kind, party_id FROM call_party WHERE call_id IN (\(ids.map { _ in "?" }.joined(separator: ",")))"
                    + " ORDER BY direct DESC, party_id",
                arguments: StatementArguments(ids))
        for row in rows {
            let callId: Int64 = row["call_id"], party: Int64 = row["party_id"]
            if (row["kind"] as String) == "contact" {
                contacts[callId, default: []].append(party)
            } else {
                companies[callId, default: []].append(party)
            }
        }
        return records.map { record in
            record.contract(contacts: contacts[record.id ?? 0] ?? [], companies: companies[record.id ?? 0] ?? [])
        }
    }
}
