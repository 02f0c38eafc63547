import Bus
import Contracts
import Foundation
import GRDB
import Metrics
import ServiceKit
import Storage

/// The call log: takes call events, ties them to calls, matches calls to contacts, companies and
/// employees, and publishes `call.logged` (and `call.missed`) when a call ends, `call.updated`
/// when a late event or a new phone number changes it.
struct CallStore: Sendable {
    let database: ServiceDatabase
    let phones: PhoneNormalizer
    /// Folds the ingest log into the call log; without one, queued events are refused.
    let projector: Projector?
    /// Requests that arrive together share a commit (HTTP posts from several producers at once).
    let commits: GroupCommit

    init(database: ServiceDatabase, phones: PhoneNormalizer, projector: Projector? = nil) {
        self.database = database
        self.phones = phones
        self.projector = projector
        commits = GroupCommit(database: database)
    }

    /// A call event that passed validation, with its ids trimmed and its time settled.
    struct ValidEvent: Sendable {
        let input: CallEventInput
        let eventId: String
        let callId: String
        let type: String
        let at: Date
    }

    /// Checks one event; `label` names it in the error.
    static func validate(_ event: CallEventInput, label: String, now: Date) throws -> ValidEvent {
        guard let eventId = event.eventId?.trimmed.nilIfEmpty, eventId.count <= 200 else {
            throw BusError.invalid("\(label): event_id is required (at most 200 characters)")
        }
        guard let callId = event.callId?.trimmed.nilIfEmpty, callId.count <= 200 else {
            throw BusError.invalid("\(label): call_id is required (at most 200 characters)")
        }
        guard let type = event.type, CallState.eventTypes.contains(type) else {
            throw BusError.invalid("\(label): type must be ringing, answered, hangup or completed")
        }
        if let direction = event.direction, !CallState.directions.contains(direction) {
            throw BusError.invalid("\(label): direction must be inbound, outbound or internal")
        }
        // Ten years bounds any call; sums over a call log stay far from overflow.
        let longest = 10 * 366 * 86400
        if let value = event.duration, !(0...longest).contains(value) {
            throw BusError.invalid("\(label): duration must be 0 to \(longest) seconds")
        }
        if let value = event.billsec, !(0...longest).contains(value) {
            throw BusError.invalid("\(label): billsec must be 0 to \(longest) seconds")
        }
        if let value = event.sequence, !(0...Int(Int32.max)).contains(value) {
            throw BusError.invalid("\(label): sequence must be 0 to \(Int32.max)")
        }
        // 1970 to 2200: a time outside is a broken clock or a broken field, never a call. (A day
        // wider each side, so that a time the API document allows, years 1970-2199 at any UTC
        // offset, is never refused.)
        let range = Date(timeIntervalSince1970: -86_400)...Date(timeIntervalSince1970: 7_258_118_400 + 86_400)
        for (name, value) in [
            ("at", event.at), ("started_at", event.startedAt), ("answered_at", event.answeredAt), ("ended_at", event.endedAt),
        ] {
            if let value, !range.contains(value) { throw BusError.invalid("\(label): \(name) must lie between 1970 and 2200") }
        }
        for (name, value) in [("from", event.from), ("to", event.to), ("recording_url", event.recordingUrl), ("leg", event.leg)] {
            if let value, value.count > 500 { throw BusError.invalid("\(label): \(name) is longer than 500 characters") }
        }
        return ValidEvent(
            input: event, eventId: eventId, callId: callId, type: type, at: event.at ?? event.endedAt ?? event.startedAt ?? now)
    }

    /// Checks every event before anything is written: one bad event rejects the whole batch.
    func validate(_ events: [CallEventInput]) throws -> [ValidEvent] {
        guard !events.isEmpty else { throw BusError.invalid("no call events in the request") }
        guard events.count <= TelephonyContract.maxBatch else {
            throw BusError.invalid("at most \(TelephonyContract.maxBatch) events per request; got \(events.count)")
        }
        let now = Date()
        return try events.enumerated().map { index, event in
            try Self.validate(event, label: events.count == 1 ? "event" : "events[\(index)]", now: now)
        }
    }

    static func producerName(_ raw: String?) -> String { raw?.trimmed.nilIfEmpty ?? "default" }

    func ingest(_ request: IngestRequest, requestId: String) async throws -> Data {
        let producer = Self.producerName(request.producer)
        let events = try validate(request.events)
        let phones = self.phones
        let reply = try await commits.submit(requestId: requestId, method: TelephonyContract.Method.ingest, weight: events.count) {
            db, outbox in
            try CallLog(db: db, outbox: outbox, phones: phones).apply(producer: producer, events: events)
        }
        Self.ingested(events.count, path: "direct")
        return reply
    }

    /// Call events written durably (duplicates included), by the way they came in.
    static func ingested(_ count: Int, path: String) {
        Counter(label: "crm_call_events_ingested_total", dimensions: [("path", path)]).increment(by: Int64(count))
    }

    /// The events into the durable ingest log, answered before they are folded into the call log
    /// (`Prefer: respond-async` over HTTP): for producers that send much and need no call ids back.
    func ingestQueued(_ body: Data, requestId: String) async throws -> Data {
        let (request, ranges) = try CallEventJSON.requestAndEvents(body)
        let events = try validate(request.events)
        let payloads = ranges.map { body.subdata(in: (body.startIndex + $0.lowerBound)..<(body.startIndex + $0.upperBound)) }
        guard let projector else { throw BusError.unavailable("this telephony instance takes no queued events") }
        let producer = Self.producerName(request.producer)
        let reply = try await commits.submit(requestId: requestId, method: TelephonyContract.Method.ingestQueued, weight: events.count) {
            db, _ in
            var queued = 0
            for (event, payload) in zip(events, payloads) {
                if try IngestLog.append(db, producer: producer, event: event, payload: payload) { queued += 1 }
            }
            return QueuedReply(queued: queued, duplicates: events.count - queued)
        }
        Self.ingested(events.count, path: "queued")
        // Producers are sending: the projector leaves the writer to the ingest until they pause.
        projector.wake(ingesting: true)
        return reply
    }

    /// A provider's webhook or a CDR file: rows that cannot be read are reported, the rest is
    /// written in one transaction.
    func ingestFormat(_ request: FormatIngestRequest, requestId: String) async throws -> Data {
        let parsed = try CallFormats.parse(request)
        let producer = Self.producerName(request.producer ?? parsed.producer)
        var rejected = parsed.rejected
        var events: [ValidEvent] = []
        let now = Date()
        for (line, event) in parsed.events {
            do {
                events.append(try Self.validate(event, label: "line \(line)", now: now))
            } catch let error as BusError {
                rejected.append(RejectedRow(line: line, reason: error.message))
            }
        }
        if events.isEmpty && !rejected.isEmpty && parsed.rows <= 1 {
            throw BusError.invalid(rejected.map(\.reason).joined(separator: "; "))
        }
        let phones = self.phones, format = request.format, rows = parsed.rows, valid = events
        let sortedRejected = rejected.sorted { $0.line < $1.line }
        let report = try await database.idempotentWrite(requestId: requestId, method: TelephonyContract.Method.ingestFormat) {
            db, outbox in
            let reply = try CallLog(db: db, outbox: outbox, phones: phones).apply(producer: producer, events: valid)
            return IngestReport(
                format: format, rows: rows, accepted: reply.accepted, duplicates: reply.duplicates, calls: reply.callIds.count,
                rejected: sortedRejected)
        }
        Self.ingested(valid.count, path: "format")
        return report
    }

    /// Closes calls whose last event is older than `timeout` and that never ended.
    func closeStale(timeout: TimeInterval, now: Date = Date()) async throws -> Int {
        let phones = self.phones
        return try await database.write { db, outbox in
            try CallLog(db: db, outbox: outbox, phones: phones).closeStale(before: now.addingTimeInterval(-timeout), now: now)
        }
    }

    func list(_ request: ListCallsRequest, headers: BusHeaders = BusHeaders()) async throws -> Page<Call> {
        let limit = try Paging.limit(request.limit)
        let cursor = try Paging.idCursor(request.cursor)
        if let direction = request.direction, !CallState.directions.contains(direction) {
            throw BusError.invalid("direction must be inbound, outbound or internal")
        }
        if let status = request.status, !TelephonyContract.states.contains(status) {
            throw BusError.invalid("status must be one of \(TelephonyContract.states.sorted().joined(separator: ", "))")
        }
        let phones = self.phones
        return try await database.read { db in
            var query = CallRecord.all()
            if let condition = try TelephonyAccess.of(headers, db).callCondition {
                query = query.filter(sql: condition.sql, arguments: condition.arguments)
            }
            if let cursor { query = query.filter(CallRecord.Columns.id < cursor) }
            if let value = request.contactId {
                query = query.filter(
                    sql: "id IN (SELECT call_id FROM call_party WHERE kind = 'contact' AND party_id = ?)", arguments: [value])
            }
            if let value = request.companyId {
                query = query.filter(
                    sql: "id IN (SELECT call_id FROM call_party WHERE kind = 'company' AND party_id = ?)", arguments: [value])
            }
            if let value = request.direction { query = query.filter(CallRecord.Columns.direction == value) }
            if let value = request.status { query = query.filter(CallRecord.Columns.status == value) }
            if let value = request.user { query = query.filter(CallRecord.Columns.user == value) }
            if let value = request.userId {
                query = query.filter(sql: "(user_id = ? OR answered_by_user_id = ?)", arguments: [value, value])
            }
            if let value = request.unmatched {
                query = query.filter(sql: value ? "match_count = 0 AND remote_key IS NOT NULL" : "match_count > 0")
            }
            if let value = request.number {
                guard let key = PartyIndex.key(for: value, phones: phones) else { throw BusError.invalid("number '\(value)' is no number") }
                query = query.filter(sql: "remote_key = ?", arguments: [key])
            }
            if let value = request.from { query = query.filter(CallRecord.Columns.startedAt >= value) }
            if let value = request.to { query = query.filter(CallRecord.Columns.startedAt < value) }
            let rows = try query.order(CallRecord.Columns.id.desc).limit(limit + 1).fetchAll(db)
            let items = try CallLog.contracts(db, Array(rows.prefix(limit)))
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { String($0.id) } : nil)
        }
    }

    func get(id: Int64, headers: BusHeaders = BusHeaders()) async throws -> Call {
        try await database.read { db in
            var query = CallRecord.filter(key: id)
            if let condition = try TelephonyAccess.of(headers, db).callCondition {
                query = query.filter(sql: condition.sql, arguments: condition.arguments)
            }
            guard let call = try query.fetchOne(db) else { throw BusError.notFound("call \(id) does not exist") }
            return try CallLog.contracts(db, [call])[0]
        }
    }

    /// Numbers that matched nobody, the most recently called first.
    func unmatched(_ request: UnmatchedRequest) async throws -> Page<UnmatchedNumber> {
        let limit = try Paging.limit(request.limit)
        let cursor = try Paging.idCursor(request.cursor)
        return try await database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT remote_key, COUNT(*) AS calls, SUM(status IN ('missed', 'voicemail')) AS missed,
                           MAX(started_at) AS last_at, MAX(id) AS last_id
                    FROM call WHERE match_count = 0 AND remote_key IS NOT NULL
                    GROUP BY remote_key HAVING MAX(id) < ? ORDER BY last_id DESC LIMIT ?
                    """, arguments: [cursor ?? Int64.max, limit + 1])
            let items = rows.prefix(limit).map { row -> UnmatchedNumber in
                let key: String = row["remote_key"]
                return UnmatchedNumber(
                    number: key.hasPrefix("raw:") ? String(key.dropFirst(4)) : key, calls: row["calls"], missed: row["missed"],
                    lastCallAt: row["last_at"], lastCallId: row["last_id"])
            }
            return Page(items: Array(items), nextCursor: rows.count > limit ? items.last.map { String($0.lastCallId) } : nil)
        }
    }

    /// Who in the company spoke with a contact or company: per employee, calls, answered calls,
    /// talk time, first and last call.
    func speakers(_ request: SpeakersRequest, headers: BusHeaders = BusHeaders()) async throws -> [Speaker] {
        let party: (String, Int64)
        switch (request.contactId, request.companyId) {
        case (let id?, nil): party = ("contact", id)
        case (nil, let id?): party = ("company", id)
        default: throw BusError.invalid("give contact_id or company_id")
        }
        return try await database.read { db in
            try TelephonyAccess.of(headers, db).requireParty(db, kind: party.0, id: party.1)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT COALESCE(c.answered_by_user_id, c.user_id) AS uid,
                           COALESCE(u.username, c.user, c.answered_by, c.extension) AS name,
                           COUNT(*) AS calls, SUM(c.status = 'answered') AS answered, SUM(COALESCE(c.billsec, 0)) AS talk,
                           MIN(c.started_at) AS first_at, MAX(c.started_at) AS last_at
                    FROM call_party p JOIN call c ON c.id = p.call_id
                    LEFT JOIN user_index u ON u.user_id = COALESCE(c.answered_by_user_id, c.user_id)
                    WHERE p.kind = ? AND p.party_id = ?
                    GROUP BY uid, CASE WHEN COALESCE(c.answered_by_user_id, c.user_id) IS NULL THEN name END
                    ORDER BY last_at DESC
                    """, arguments: [party.0, party.1]
            ).map { row in
                Speaker(
                    userId: row["uid"], user: row["name"], calls: row["calls"], answered: row["answered"], talkSeconds: row["talk"],
                    firstCallAt: row["first_at"], lastCallAt: row["last_at"])
            }
        }
    }
}
