import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// The call log: takes call events, ties them to calls, matches calls to contacts and publishes
/// `call.logged` when a call ends (and `call.updated` when a late event changes it).
struct CallStore: Sendable {
    let database: ServiceDatabase
    let phones: PhoneNormalizer

    /// A call event that passed validation, with its ids trimmed and its time settled.
    struct ValidEvent: Sendable {
        let input: CallEventInput
        let eventId: String
        let callId: String
        let type: String
        let at: Date
    }

    /// Checks every event before anything is written: one bad event rejects the whole batch.
    func validate(_ events: [CallEventInput]) throws -> [ValidEvent] {
        guard !events.isEmpty else { throw BusError.invalid("no call events in the request") }
        guard events.count <= TelephonyContract.maxBatch else {
            throw BusError.invalid("at most \(TelephonyContract.maxBatch) events per request; got \(events.count)")
        }
        let now = Date()
        return try events.enumerated().map { index, event in
            let label = events.count == 1 ? "event" : "events[\(index)]"
            guard let eventId = event.eventId?.nilIfBlank, eventId.count <= 200 else {
                throw BusError.invalid("\(label): event_id is required (at most 200 characters)")
            }
            guard let callId = event.callId?.nilIfBlank, callId.count <= 200 else {
                throw BusError.invalid("\(label): call_id is required (at most 200 characters)")
            }
            guard let type = event.type, CallState.eventTypes.contains(type) else {
                throw BusError.invalid("\(label): type must be ringing, answered, hangup or completed")
            }
            if let direction = event.direction, !CallState.directions.contains(direction) {
                throw BusError.invalid("\(label): direction must be inbound, outbound or internal")
            }
            if let value = event.duration, value < 0 { throw BusError.invalid("\(label): duration must not be negative") }
            if let value = event.billsec, value < 0 { throw BusError.invalid("\(label): billsec must not be negative") }
            return ValidEvent(input: event, eventId: eventId, callId: callId, type: type, at: event.at ?? now)
        }
    }

    func ingest(_ request: IngestRequest, requestId: String) async throws -> Data {
        let producer = request.producer?.nilIfBlank ?? "default"
        let events = try validate(request.events)
        let phones = self.phones
        return try await database.idempotentWrite(requestId: requestId, method: TelephonyContract.Method.ingest) { db, outbox in
            var accepted = 0, duplicates = 0
            var touched: [Int64] = []
            let now = Date()
            for event in events {
                let callId = try callRow(db, producer: producer, externalId: event.callId, now: now)
                let payload = try Wire.encode(event.input)
                try db.execute(
                    sql: """
                        INSERT INTO call_event (producer, event_id, call_id, type, at, payload, received_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (producer, event_id) DO NOTHING
                        """, arguments: [producer, event.eventId, callId, event.type, event.at, payload, now])
                if db.changesCount == 0 {
                    duplicates += 1
                    continue
                }
                accepted += 1
                if !touched.contains(callId) { touched.append(callId) }
            }
            for callId in touched {
                try recompute(db, callId: callId, phones: phones, outbox: outbox, now: now)
            }
            return try Wire.encode(IngestReply(accepted: accepted, duplicates: duplicates, callIds: touched))
        }
    }

    /// The call row for a producer's call id, created on its first event.
    private func callRow(_ db: Database, producer: String, externalId: String, now: Date) throws -> Int64 {
        if let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM call WHERE producer = ? AND external_id = ?",
            arguments: [producer, externalId])
        {
            return id
        }
        var record = CallRecord(
            id: nil, producer: producer, externalId: externalId, direction: "inbound", status: "ringing",
            eventCount: 0, updatedAt: now)
        try record.insert(db)
        return record.id!
    }

    /// Folds all of a call's events into its row, matches the contact, and publishes.
    private func recompute(_ db: Database, callId: Int64, phones: PhoneNormalizer, outbox: Outbox, now: Date) throws {
        guard let before = try CallRecord.fetchOne(db, key: callId) else { return }
        let rows = try CallEventRecord.filter(CallEventRecord.Columns.callId == callId).fetchAll(db)
        let events = try rows.map { (try Wire.decode(CallEventInput.self, from: $0.payload), $0.at) }
        let state = CallState(events: events)
        var call = before
        call.apply(state, phones: phones)
        call.eventCount = rows.count
        call.contactId = try state.remoteNumber.flatMap { try PhoneIndex.match(db, number: $0, phones: phones) }
        let employee = try state.extension.flatMap { try UserIndex.match(db, extension: $0) }
        call.userId = employee?.id
        call.user = call.user ?? employee?.username
        call.updatedAt = now
        let wasLogged = before.loggedAt != nil
        if call.isEnded && !wasLogged { call.loggedAt = now }
        try call.update(db)
        if call.isEnded && !wasLogged {
            try outbox.append(db, type: TelephonyContract.Event.logged, payload: call.contract)
        } else if wasLogged && !call.sameFacts(as: before) {
            try outbox.append(db, type: TelephonyContract.Event.updated, payload: call.contract)
        }
    }

    func list(_ request: ListCallsRequest) async throws -> Page<Call> {
        let limit = request.limit ?? 50
        guard (1...200).contains(limit) else { throw BusError.invalid("limit must be between 1 and 200") }
        let cursor = try request.cursor.map { value -> Int64 in
            guard let id = Int64(value), id > 0 else { throw BusError.invalid("cursor '\(value)' is not one this API gave out") }
            return id
        }
        if let direction = request.direction, !CallState.directions.contains(direction) {
            throw BusError.invalid("direction must be inbound, outbound or internal")
        }
        return try await database.read { db in
            var query = CallRecord.all()
            if let cursor { query = query.filter(CallRecord.Columns.id < cursor) }
            if let value = request.contactId { query = query.filter(CallRecord.Columns.contactId == value) }
            if let value = request.direction { query = query.filter(CallRecord.Columns.direction == value) }
            if let value = request.status { query = query.filter(CallRecord.Columns.status == value) }
            if let value = request.user { query = query.filter(CallRecord.Columns.user == value) }
            if let value = request.userId { query = query.filter(Column("user_id") == value) }
            if let value = request.from { query = query.filter(CallRecord.Columns.startedAt >= value) }
            if let value = request.to { query = query.filter(CallRecord.Columns.startedAt < value) }
            let rows = try query.order(CallRecord.Columns.id.desc).limit(limit + 1).fetchAll(db)
            let items = rows.prefix(limit).map(\.contract)
            return Page(items: Array(items), nextCursor: rows.count > limit ? items.last.map { String($0.id) } : nil)
        }
    }

    func get(id: Int64) async throws -> Call {
        guard let call = try await database.read({ db in try CallRecord.fetchOne(db, key: id) }) else {
            throw BusError.notFound("call \(id) does not exist")
        }
        return call.contract
    }
}
