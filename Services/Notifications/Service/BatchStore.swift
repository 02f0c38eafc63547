import Bus
import Contracts
import Foundation
import GRDB
import NotificationsCore
import ServiceKit
import Storage

/// SMS batches: a snapshot of one message per recipient taken when the batch is created (or a
/// dry run that stores nothing), then start, pause, resume, cancel.
struct BatchStore: Sendable {
    let database: ServiceDatabase
    let options: SMSOptions
    static let maxRecipients = 200_000

    /// Who gets the batch and who does not, and why: the dry run's answer and the snapshot's plan.
    struct Plan {
        struct Entry {
            let contactId: Int64
            let number: String
            let text: String
            let segments: Int
        }

        var rows: [Entry] = []
        var excluded: [(contactId: Int64, reason: String)] = []
        var deferred = 0
        var segments = 0
        var ucs2 = false
    }

    func plan(_ request: CreateBatchRequest, purpose: String, template: SMSTemplate, db: Database, now: Date) throws -> Plan {
        var plan = Plan()
        var seen = Set<Int64>()
        var numbers = Set<String>()
        // A text without fields is the same for everyone: measured once.
        let fixed = template.usesFields ? nil : SMSText(template.render([:]))
        for chunk in stride(from: 0, to: request.contactIds.count, by: 500) {
            let ids = Array(request.contactIds[chunk..<min(chunk + 500, request.contactIds.count)])
            let marks = databaseQuestionMarks(count: ids.count)
            var people: [Int64: Recipient] = [:]
            for row in try Row.fetchAll(
                db, sql: "\(Recipient.select) WHERE r.contact_id IN (\(marks))", arguments: StatementArguments(ids))
            {
                let person = Recipient(row: row)
                people[person.contactId] = person
            }
            let mobiles = people.values.compactMap(\.mobile)
            let optedOut = Set(
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT address FROM opt_out WHERE channel = 'sms' AND address IN (\(databaseQuestionMarks(count: max(1, mobiles.count))))",
                    arguments: StatementArguments(mobiles.isEmpty ? [""] : mobiles)))
            let consenting =
                purpose == "marketing"
                ? Set(
                    try Int64.fetchAll(
                        db,
                        sql: """
                            SELECT contact_id FROM consent WHERE channel = 'sms' AND purpose = 'marketing' AND granted = 1
                                AND contact_id IN (\(marks))
                            """, arguments: StatementArguments(ids))) : []
            for id in ids {
                guard seen.insert(id).inserted else { continue }  // listed twice: one message, no exclusion
                guard let person = people[id], !person.deleted else {
                    plan.excluded.append((id, "unknown_customer"))
                    continue
                }
                guard let number = person.mobile else {
                    plan.excluded.append((id, person.mobileRaw == nil ? "no_mobile" : "invalid_number"))
                    continue
                }
                if optedOut.contains(number) {
                    plan.excluded.append((id, "opted_out"))
                    continue
                }
                if purpose == "marketing" && !consenting.contains(id) {
                    plan.excluded.append((id, "no_consent"))
                    continue
                }
                guard numbers.insert(number).inserted else {
                    plan.excluded.append((id, "duplicate_number"))
                    continue
                }
                let text = template.usesFields ? template.render(person.fields) : template.render([:])
                let sms = fixed ?? SMSText(text)
                plan.rows.append(Plan.Entry(contactId: id, number: number, text: text, segments: sms.segments))
                plan.segments += sms.segments
                if sms.encoding == .ucs2 { plan.ucs2 = true }
                if purpose == "marketing", options.quietHours.deferral(for: number, now: now) != nil { plan.deferred += 1 }
            }
        }
        return plan
    }

    func create(_ request: CreateBatchRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else { throw BusError.invalid("name: 1 to 200 characters") }
        guard !request.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, request.text.count <= 1600 else {
            throw BusError.invalid("text: 1 to 1,600 characters")
        }
        guard !request.contactIds.isEmpty, request.contactIds.count <= Self.maxRecipients else {
            throw BusError.invalid("contact_ids: 1 to \(Self.maxRecipients) customers")
        }
        let purpose = request.purpose ?? "marketing"
        guard ["service", "marketing"].contains(purpose) else {
            throw BusError.invalid("purpose is marketing or service, not '\(purpose.prefix(20))'")
        }
        let template: SMSTemplate
        do { template = try SMSTemplate(request.text) } catch { throw BusError.invalid("text: \(error)") }
        let options = options
        let store = self
        if request.dryRun == true {
            return try Wire.encode(
                try await database.read { db in
                    let plan = try store.plan(request, purpose: purpose, template: template, db: db, now: Date())
                    return store.summary(plan, name: name, text: request.text, purpose: purpose)
                })
        }
        return try await database.idempotentWrite(requestId: requestId, method: NotificationsContract.Method.createBatch) { db, outbox in
            let now = Date()
            let plan = try store.plan(request, purpose: purpose, template: template, db: db, now: now)
            let summary = store.summary(plan, name: name, text: request.text, purpose: purpose)
            try db.execute(
                sql: """
                    INSERT INTO batch (name, text, purpose, state, recipients, segments, encoding, excluded, deferred, queued,
                        failure_threshold, author, created_at, updated_at)
                    VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    name, request.text, purpose, plan.rows.count, plan.segments, summary.encoding,
                    String(decoding: try Wire.encode(summary.excluded), as: UTF8.self), plan.deferred, plan.rows.count,
                    options.failureThreshold, headers.actor, DatabaseDate.string(now), DatabaseDate.string(now),
                ])
            let batchId = db.lastInsertedRowID
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO message (channel, purpose, state, recipients, sender, subject, body_text, contact_id, message_id,
                        author, batch_id, provider, segments, next_attempt_at, created_at, updated_at)
                    VALUES ('sms', ?, 'held', ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            // The time as text once: GRDB would format each Date argument with ICU (perf: a tenth of the snapshot).
            let stamp = DatabaseDate.string(now)
            for row in plan.rows {
                try insert.execute(arguments: [
                    purpose, "[\"\(row.number)\"]", options.sender(for: purpose), row.text, row.contactId, UUID().uuidString.lowercased(),
                    headers.actor,
                    batchId, options.provider?.name, row.segments, stamp, stamp, stamp,
                ])
            }
            let exclude = try db.makeStatement(sql: "INSERT OR IGNORE INTO batch_exclusion (batch_id, contact_id, reason) VALUES (?, ?, ?)")
            for (contact, reason) in plan.excluded { try exclude.execute(arguments: [batchId, contact, reason]) }
            let batch = store.decorated(try Batches.load(db, id: batchId, configuredRate: options.rate)!)
            try outbox.append(db, type: NotificationsContract.Event.batchCreated, payload: batch)
            return batch
        }
    }

    func summary(_ plan: Plan, name: String, text: String, purpose: String) -> Batch {
        var batch = Batch(
            name: name, text: text, purpose: purpose, recipients: plan.rows.count, segments: plan.segments,
            encoding: plan.ucs2 ? "UCS-2" : "GSM-7", etaSeconds: Int((Double(plan.segments) / options.rate).rounded(.up)))
        for (_, reason) in plan.excluded { batch.excluded[reason, default: 0] += 1 }
        batch.deferred = plan.deferred
        batch.counts.queued = plan.rows.count
        return decorated(batch)
    }

    func decorated(_ batch: Batch) -> Batch {
        var batch = batch
        if let price = options.priceMinor {
            batch.costMinor = batch.segments.multipliedReportingOverflow(by: price).overflow ? nil : batch.segments * price
            batch.currency = options.currency
        }
        return batch
    }

    func get(id: Int64) async throws -> Batch {
        let rate = options.rate
        return decorated(
            try await database.read { db in
                guard let batch = try Batches.load(db, id: id, configuredRate: rate) else {
                    throw BusError.notFound("batch \(id) does not exist")
                }
                return batch
            })
    }

    func list(_ request: ListBatchesRequest) async throws -> Page<Batch> {
        let limit = min(max(request.limit ?? 50, 1), 200)
        let after = try request.cursor.map { cursor -> Int64 in
            guard let position = Cursor(text: cursor) else { throw BusError.invalid("cursor: give a next_cursor as it was answered") }
            return position.id
        }
        let rows = try await database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM batch WHERE id < ? ORDER BY id DESC LIMIT ?", arguments: [after ?? Int64.max, limit + 1]
            ).map(Batches.batch(from:))
        }
        let items = rows.prefix(limit).map(decorated)
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last?.id.map(String.init) : nil)
    }

    /// The batches a customer was in: their message's state, or why they were left out.
    func ofCustomer(_ request: ListBatchesRequest) async throws -> [CustomerBatch] {
        guard let contact = request.contactId else { throw BusError.invalid("give contact_id") }
        let limit = min(max(request.limit ?? 50, 1), 200)
        return try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT b.*, m.state AS outcome, m.id AS message FROM message m JOIN batch b ON b.id = m.batch_id
                    WHERE m.contact_id = ? AND m.batch_id IS NOT NULL
                    UNION ALL
                    SELECT b.*, 'excluded: ' || e.reason AS outcome, NULL AS message FROM batch_exclusion e JOIN batch b ON b.id = e.batch_id
                    WHERE e.contact_id = ?
                    ORDER BY id DESC LIMIT ?
                    """, arguments: [contact, contact, limit]
            ).map { CustomerBatch(batch: Batches.batch(from: $0), outcome: $0["outcome"], messageId: $0["message"]) }
        }
    }

    /// start (a draft), pause, resume (a paused batch), cancel (anything not finished).
    func change(_ id: Int64, to action: String) async throws -> Batch {
        let rate = options.rate
        return decorated(
            try await database.write { db, outbox in
                guard let row = try Row.fetchOne(db, sql: "SELECT state FROM batch WHERE id = ?", arguments: [id]) else {
                    throw BusError.notFound("batch \(id) does not exist")
                }
                let state: String = row["state"]
                let now = Date()
                switch (action, state) {
                case ("start", "draft"), ("resume", "paused"):
                    try Batches.release(db, batchId: id, now: now)
                    try db.execute(
                        sql: """
                            UPDATE batch SET state = 'running', paused_reason = NULL, started_at = COALESCE(started_at, ?), updated_at = ?,
                                resumed_settled = sent + delivered + undelivered + failed + unknown, resumed_failed = failed + undelivered
                            WHERE id = ?
                            """,
                        arguments: [DatabaseDate.string(now), DatabaseDate.string(now), id])
                    try Batches.check(db, outbox, batchId: id, now: now)
                case ("pause", "running"):
                    try Batches.hold(db, batchId: id)
                    try db.execute(
                        sql: "UPDATE batch SET state = 'paused', paused_reason = 'paused by a user', updated_at = ? WHERE id = ?",
                        arguments: [DatabaseDate.string(now), id])
                    try outbox.append(db, type: NotificationsContract.Event.batchProgress, payload: try Batches.load(db, id: id)!)
                case ("cancel", "draft"), ("cancel", "running"), ("cancel", "paused"):
                    // What has not gone yet never will; what is out settles as it comes back.
                    try db.execute(
                        sql: """
                            UPDATE message SET state = 'failed', error_code = 'cancelled', error = 'the batch was cancelled', updated_at = ?
                            WHERE batch_id = ? AND state IN ('held', 'queued')
                            """, arguments: [DatabaseDate.string(now), id])
                    let cancelled = db.changesCount
                    try db.execute(
                        sql: """
                            UPDATE batch SET state = 'cancelled', queued = queued - ?, failed = failed + ?, finished_at = ?, updated_at = ?
                            WHERE id = ?
                            """, arguments: [cancelled, cancelled, DatabaseDate.string(now), DatabaseDate.string(now), id])
                    try outbox.append(db, type: NotificationsContract.Event.batchFinished, payload: try Batches.load(db, id: id)!)
                case ("start", "running"), ("resume", "running"), ("pause", "paused"), ("cancel", "cancelled"):
                    break  // asked twice (a retried request): already so
                default:
                    throw BusError.conflict("a \(state) batch cannot \(action)")
                }
                return try Batches.load(db, id: id, configuredRate: rate)!
            })
    }
}
