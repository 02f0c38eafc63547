import Bus
import Contracts
import Foundation
import GRDB
import NotificationsCore
import ServiceKit
import Storage

/// SMS: queued one at a time by a request or in thousands by a batch, taken by the sender as
/// `sending` (committed before the provider hears of it), settled by the provider's answer, moved
/// forward by its receipts, and refused for numbers that opted out.
struct SMSStore: Sendable {
    let database: ServiceDatabase
    let options: SMSOptions
    let phones: PhoneNormalizer
    /// Receipts come in thousands: written together, a commit for each crowd of them.
    let commits: GroupCommit
    static let maxAttempts = 8

    init(database: ServiceDatabase, options: SMSOptions, phones: PhoneNormalizer) {
        self.database = database
        self.options = options
        self.phones = phones
        commits = GroupCommit(database: database)
    }

    // MARK: - One SMS

    func send(_ request: SendSMSRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let purpose = request.purpose ?? "service"
        guard ["service", "marketing"].contains(purpose) else {
            throw BusError.invalid("purpose is service or marketing, not '\(purpose.prefix(20))'")
        }
        guard !request.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, request.text.count <= 1600 else {
            throw BusError.invalid("text: 1 to 1,600 characters")
        }
        let template: SMSTemplate
        do { template = try SMSTemplate(request.text) } catch { throw BusError.invalid("text: \(error)") }
        let given = try request.to.map { raw -> String in
            // E.164 as given (the API's form), else read as people write numbers.
            if raw.first == "+", (8...16).contains(raw.count), raw.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }),
                raw.dropFirst().first != "0"
            {
                return raw
            }
            guard let number = phones.e164(raw) else {
                throw BusError.invalid("to: '\(raw.prefix(40))' is not a phone number that can take an SMS")
            }
            return number
        }
        guard given != nil || request.contactId != nil else { throw BusError.invalid("give to (a number) or contact_id") }
        return try await database.idempotentWrite(requestId: requestId, method: NotificationsContract.Method.sendSMS) { db, outbox in
            let person = try request.contactId.flatMap { try Recipient.fetch(db, contactId: $0) }
            if let contact = request.contactId, person == nil {
                throw BusError.conflict("contact \(contact) is not known to the notifications service (new a moment ago, or deleted)")
            }
            guard let number = given ?? person?.mobile else {
                throw BusError.conflict("contact \(request.contactId ?? 0) has no mobile number: give one in to")
            }
            if let optOut = try Consents.optOut(db, channel: "sms", address: number) {
                throw BusError.conflict("\(number) opted out of SMS (\(optOut.source)\(optOut.detail.map { ": \($0)" } ?? ""))")
            }
            if purpose == "marketing" {
                guard let contact = request.contactId, try Consents.granted(db, contactId: contact, channel: "sms", purpose: "marketing")
                else { throw BusError.conflict("marketing SMS needs the customer's consent to marketing by SMS") }
            }
            let text = template.render(person?.fields ?? [:])
            // Providers take up to 1,600 characters (Twilio), however many parts that makes.
            guard text.count <= 1600 else { throw BusError.invalid("with the contact's fields the text is over 1,600 characters") }
            let sms = SMSText(text)
            let now = Date()
            let message = try Self.insert(
                db, number: number, text: text, purpose: purpose, from: options.sender(for: purpose), provider: options.provider?.name,
                segments: sms.segments, contactId: request.contactId, companyId: request.companyId, batchId: nil, state: "queued",
                author: headers.actor, now: now)
            try outbox.append(db, type: NotificationsContract.Event.queued, payload: message)
            return message
        }
    }

    /// One SMS row; answers it as stored.
    static func insert(
        _ db: Database, number: String, text: String, purpose: String, from: String, provider: String?, segments: Int,
        contactId: Int64?, companyId: Int64?, batchId: Int64?, state: String, author: String?, now: Date
    ) throws -> Message {
        try db.execute(
            sql: """
                INSERT INTO message (channel, purpose, state, recipients, sender, subject, body_text, contact_id, company_id, message_id,
                    author, batch_id, provider, segments, next_attempt_at, created_at, updated_at)
                VALUES ('sms', ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                purpose, state, "[\"\(number)\"]", from, text, contactId, companyId, UUID().uuidString.lowercased(), author, batchId,
                provider, segments, DatabaseDate.string(now), DatabaseDate.string(now), DatabaseDate.string(now),
            ])
        return try MessageStore.message(db, id: db.lastInsertedRowID)!
    }

    // MARK: - Webhooks

    func webhook(_ request: SMSWebhookRequest, requestId: String) async throws -> Data {
        guard request.content.count <= 1 << 16 else { throw BusError.tooLarge("a webhook body is at most 64 KiB", limit: 1 << 16) }
        let form = String(decoding: request.content, as: UTF8.self)
        let method = NotificationsContract.Method.webhook
        do {
            switch (request.provider, request.kind) {
            case ("twilio", "status"):
                let receipt = try TwilioWire.receipt(form: form, reference: request.reference)
                return try await commits.submit(requestId: requestId, method: method) { db, outbox in
                    try Self.apply(receipt, db, outbox, now: Date())
                }
            case ("vonage", "status"):
                var receipt = try VonageWire.receipt(VonageWire.fields(request.content))
                receipt.reference = receipt.reference ?? request.reference
                return try await commits.submit(requestId: requestId, method: method) { [receipt] db, outbox in
                    try Self.apply(receipt, db, outbox, now: Date())
                }
            case ("twilio", "inbound"), ("vonage", "inbound"):
                let inbound =
                    request.provider == "twilio"
                    ? try TwilioWire.inbound(form: form) : try VonageWire.inbound(VonageWire.fields(request.content))
                return try await commits.submit(requestId: requestId, method: method) { db, outbox in
                    try self.apply(inbound, db, outbox, now: Date())
                }
            default: throw BusError.badRequest("provider is twilio or vonage and kind status or inbound")
            }
        } catch let error as SMSWireError {
            // Answered, not refused: a provider would only send it again. What could not be
            // read is said in the answer (and the gateway's log has the request).
            return try Wire.encode(SMSWebhookResult(outcome: "unreadable", detail: error.description))
        }
    }

    func receipt(_ receipt: SMSReceipt, now: Date = Date()) async throws -> SMSWebhookResult {
        try await database.write { db, outbox in try Self.apply(receipt, db, outbox, now: now) }
    }

    func inbound(_ inbound: SMSInbound, now: Date = Date()) async throws -> SMSWebhookResult {
        try await database.write { db, outbox in try self.apply(inbound, db, outbox, now: now) }
    }

    /// Moves a message forward by a receipt: repeated or late receipts change nothing, and the
    /// first receipt settles a message whose send answer was lost.
    static func apply(_ receipt: SMSReceipt, _ db: Database, _ outbox: Outbox, now: Date) throws -> SMSWebhookResult {
        var row: Row?
        if let reference = receipt.reference {
            row = try Row.fetchOne(
                db, sql: "SELECT \(MessageStore.columns) FROM message WHERE id = ? AND channel = 'sms'", arguments: [reference])
        }
        if row == nil, let id = receipt.providerId {
            row = try Row.fetchOne(
                db, sql: "SELECT \(MessageStore.columns) FROM message WHERE provider_id = ? AND channel = 'sms'", arguments: [id])
        }
        guard let row else { return SMSWebhookResult(outcome: "unmatched") }
        var message = try MessageStore.message(from: row)
        // Twilio reports an opted-out recipient as a failure with 21610: opt them out here too.
        if receipt.errorCode == "21610", let number = message.to.first {
            try Consents.recordOptOut(db, outbox, channel: "sms", address: number, source: "provider", detail: "21610", now: now)
        }
        let before = message.state
        guard Message.rank(receipt.state) > Message.rank(before) else {
            if message.providerId == nil, let id = receipt.providerId {
                message.providerId = id
                try MessageStore.save(db, message)
            }
            return SMSWebhookResult(outcome: "ignored", messageId: message.id, state: before)
        }
        message.state = receipt.state
        message.providerId = message.providerId ?? receipt.providerId
        message.errorCode = receipt.errorCode ?? message.errorCode
        message.updatedAt = now
        if message.sentAt == nil { message.sentAt = now }
        if receipt.state == "delivered" { message.deliveredAt = now }
        if ["failed", "undelivered"].contains(receipt.state) {
            message.error = "the provider reported \(receipt.state)\(receipt.errorCode.map { " (error \($0))" } ?? "")"
        } else if before == "sending" || before == "unknown" {
            message.error = nil
        }
        try MessageStore.save(db, message)
        try Batches.moved(db, outbox, message: message, from: before, now: now)
        try outbox.append(db, type: NotificationsContract.Event.of(state: message.state), payload: message)
        return SMSWebhookResult(outcome: "applied", messageId: message.id, state: message.state)
    }

    /// An SMS to one of our numbers: STOP and the configured words opt the number out at once,
    /// START takes that back; every inbound message is kept with the customer it came from.
    func apply(_ inbound: SMSInbound, _ db: Database, _ outbox: Outbox, now: Date) throws -> SMSWebhookResult {
        let number = phones.e164(inbound.from) ?? inbound.from
        let stop = options.stopWords.matches(inbound.text)
        let start = ["START", "UNSTOP", "YES"].contains(inbound.text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased())
        let contact = try Int64.fetchOne(
            db, sql: "SELECT contact_id FROM recipient WHERE mobile = ? AND deleted = 0 ORDER BY contact_id LIMIT 1",
            arguments: [number])
        try db.execute(
            sql: """
                INSERT INTO message (channel, purpose, state, recipients, sender, subject, body_text, contact_id, message_id,
                    provider_id, created_at, updated_at)
                VALUES ('sms', 'service', 'received', ?, ?, '', ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                "[\"\(inbound.to)\"]", number, inbound.text, contact, UUID().uuidString.lowercased(), inbound.providerId,
                DatabaseDate.string(now), DatabaseDate.string(now),
            ])
        let message = try MessageStore.message(db, id: db.lastInsertedRowID)!
        try outbox.append(db, type: NotificationsContract.Event.queued, payload: message)
        if stop {
            try Consents.recordOptOut(
                db, outbox, channel: "sms", address: number, source: "inbound_keyword",
                detail: inbound.text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased(), now: now)
            return SMSWebhookResult(outcome: "opted_out", messageId: message.id, state: "received")
        }
        if start { try Consents.removeOptOut(db, outbox, channel: "sms", address: number, now: now) }
        return SMSWebhookResult(outcome: "received", messageId: message.id, state: "received")
    }

    // MARK: - The sender's side

    /// Of these batches, the ones no longer running (paused or cancelled while a round was out).
    func stoppedBatches(_ ids: Set<Int64>) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try await database.read { db in
            Set(
                try Int64.fetchAll(
                    db, sql: "SELECT id FROM batch WHERE state <> 'running' AND id IN (\(databaseQuestionMarks(count: ids.count)))",
                    arguments: StatementArguments(Array(ids))))
        }
    }

    /// SMS due now, in the order they were queued (batches' `held` messages are not).
    func due(limit: Int, now: Date = Date()) async throws -> [Message] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(MessageStore.columns) FROM message INDEXED BY message_sms_due
                    WHERE channel = 'sms' AND state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                    """,
                arguments: [DatabaseDate.string(now), limit]
            ).map(MessageStore.message(from:))
        }
    }

    /// Takes a round for sending in one transaction: each still queued message is checked
    /// against opt-outs (failed, never sent) and quiet hours (marketing: put off to the
    /// morning), and the rest are `sending`, their attempt counted, before any request goes out.
    func take(_ messages: [Message], now: Date = Date()) async throws -> [Message] {
        let quiet = options.quietHours
        return try await database.write { db, outbox in
            var taken: [Message] = []
            for candidate in messages {
                guard let current = try MessageStore.message(db, id: candidate.id), current.state == "queued" else { continue }
                var message = current
                message.updatedAt = now
                let number = message.to.first ?? ""
                if let optOut = try Consents.optOut(db, channel: "sms", address: number) {
                    message.state = "failed"
                    message.errorCode = "opted_out"
                    message.error = "\(number) opted out (\(optOut.source)) before this was sent"
                    try MessageStore.save(db, message)
                    try Batches.moved(db, outbox, message: message, from: "queued", now: now)
                    try outbox.append(db, type: NotificationsContract.Event.failed, payload: message)
                    continue
                }
                if message.purpose == "marketing", let later = quiet.deferral(for: number, now: now) {
                    message.nextAttemptAt = later
                    try MessageStore.save(db, message)
                    continue
                }
                message.state = "sending"
                message.attempts += 1
                // Looked up at the provider after this, if its answer never comes.
                message.nextAttemptAt = now.addingTimeInterval(options.reconcileAfter)
                try MessageStore.save(db, message)
                try Batches.moved(db, outbox, message: message, from: "queued", now: now)
                taken.append(message)
            }
            return taken
        }
    }

    /// Messages taken but never handed to the provider (the service is stopping, or their batch
    /// was paused or cancelled meanwhile): back where their batch says, their attempt not
    /// counted: queued, held (a paused batch) or failed as cancelled. Nothing went out, so
    /// nothing needs looking up.
    func putBack(_ messages: [Message], now: Date = Date()) async throws {
        try await database.write { db, outbox in
            for taken in messages {
                guard var message = try MessageStore.message(db, id: taken.id), message.state == "sending" else { continue }
                let batch = try message.batchId.flatMap {
                    try String.fetchOne(db, sql: "SELECT state FROM batch WHERE id = ?", arguments: [$0])
                }
                switch batch {
                case "paused", "draft": message.state = "held"
                case "cancelled", "done":
                    message.state = "failed"
                    message.errorCode = "cancelled"
                    message.error = "the batch was cancelled"
                default: message.state = "queued"
                }
                message.attempts = max(0, message.attempts - 1)
                message.nextAttemptAt = now
                message.updatedAt = now
                try MessageStore.save(db, message)
                try Batches.moved(db, outbox, message: message, from: "sending", now: now)
            }
        }
    }

    /// Records the providers' answers for messages taken by `take`, in one transaction.
    func settle(_ results: [(Message, SMSSendOutcome)], now: Date = Date()) async throws {
        guard !results.isEmpty else { return }
        let states = try await database.write { db, outbox -> [String] in
            var states: [String] = []
            for (taken, outcome) in results {
                // A receipt may have settled it while the request was out.
                guard var message = try MessageStore.message(db, id: taken.id) else { continue }
                guard message.state == "sending" else {
                    if case .accepted(let id, _) = outcome, message.providerId == nil {
                        message.providerId = id
                        try MessageStore.save(db, message)
                    }
                    continue
                }
                message.updatedAt = now
                switch outcome {
                case .accepted(let id, _):
                    message.state = "sent"
                    message.providerId = id
                    message.sentAt = now
                    message.nextAttemptAt = nil
                    message.error = nil
                    message.errorCode = nil
                case .throttled(let retryAfter, let code):
                    // Not a failure: nothing was sent, and the attempt does not count.
                    message.state = "queued"
                    message.attempts = max(0, message.attempts - 1)
                    message.errorCode = code
                    message.error = "the provider asked us to slow down"
                    message.nextAttemptAt = now.addingTimeInterval(Backoff.delay(attempt: 1, retryAfter: retryAfter))
                case .temporary(let code, let text):
                    message.errorCode = code
                    message.error = text
                    if message.attempts >= Self.maxAttempts {
                        message.state = "failed"
                    } else {
                        message.state = "queued"
                        message.nextAttemptAt = now.addingTimeInterval(Backoff.delay(attempt: message.attempts, retryAfter: nil))
                    }
                case .permanent(let code, let text):
                    message.state = "failed"
                    message.errorCode = code
                    message.error = text
                case .optedOut(let code, let text):
                    message.state = "failed"
                    message.errorCode = code
                    message.error = text
                    try Consents.recordOptOut(
                        db, outbox, channel: "sms", address: message.to.first ?? "", source: "provider", detail: code, now: now)
                case .ambiguous(let reason):
                    // Stays `sending`: looked up at the provider once it has had time to record it.
                    message.error = String(reason.prefix(300))
                    message.nextAttemptAt = now.addingTimeInterval(options.reconcileAfter)
                    try MessageStore.save(db, message)
                    continue
                }
                try MessageStore.save(db, message)
                try Batches.moved(db, outbox, message: message, from: "sending", now: now)
                if message.state != "queued" {
                    try outbox.append(db, type: NotificationsContract.Event.of(state: message.state), payload: message)
                }
                states.append(message.state)
            }
            return states
        }
        NotificationsMetrics.settled(channel: "sms", states: states)
    }

    /// Messages left `sending` whose answer never came (lost, or the service stopped), due for a
    /// lookup at the provider.
    func ambiguous(limit: Int, excluding busy: Set<Int64>, now: Date = Date()) async throws -> [Message] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(MessageStore.columns) FROM message INDEXED BY message_sms_due
                    WHERE channel = 'sms' AND state = 'sending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                    """,
                arguments: [DatabaseDate.string(now), limit + busy.count]
            ).map(MessageStore.message(from:)).filter { !busy.contains($0.id) }.prefix(limit).map { $0 }
        }
    }

    /// What the lookup found: taken (settled as the provider says), or not there (queued again,
    /// safely: the provider has no record of it). A lookup that keeps failing for a day ends as
    /// `unknown`, for a person to decide.
    func reconcile(_ message: Message, _ lookup: Result<SMSProvider.Lookup, any Error>, now: Date = Date()) async throws {
        switch lookup {
        case .success(.found(let id, let state)):
            try await settle([(message, .accepted(providerId: id, status: state))], now: now)
        case .success(.notFound):
            try await database.write { db, outbox in
                guard var current = try MessageStore.message(db, id: message.id), current.state == "sending" else { return }
                current.state = "queued"
                current.error = "not found at the provider after an interrupted send; sent again"
                current.nextAttemptAt = now
                current.updatedAt = now
                try MessageStore.save(db, current)
                try Batches.moved(db, outbox, message: current, from: "sending", now: now)
            }
        case .failure(let error):
            try await database.write { db, outbox in
                guard var current = try MessageStore.message(db, id: message.id), current.state == "sending" else { return }
                current.updatedAt = now
                if now.timeIntervalSince(current.createdAt) > 86_400 {
                    current.state = "unknown"
                    current.error = "the provider could not be asked whether it took this message: \(error)"
                    try MessageStore.save(db, current)
                    try Batches.moved(db, outbox, message: current, from: "sending", now: now)
                    try outbox.append(db, type: NotificationsContract.Event.unknown, payload: current)
                } else {
                    current.nextAttemptAt = now.addingTimeInterval(60)
                    try MessageStore.save(db, current)
                }
            }
        }
    }
}

/// A contact as the notifications service knows it (from contacts' and settings' events).
struct Recipient: Sendable {
    var contactId: Int64
    var firstName: String
    var lastName: String
    var mobile: String?
    var mobileRaw: String?
    var email: String?
    var deleted: Bool
    /// The first company the contact is linked to, and its owner's name.
    var company: String
    var owner: String

    var fields: [String: String] {
        [
            "first_name": firstName, "last_name": lastName, "name": [firstName, lastName].filter { !$0.isEmpty }.joined(separator: " "),
            "company": company, "owner": owner,
        ]
    }

    /// The query `init(row:)` reads, by position (a batch reads 100,000 of them; by name each
    /// read is a case-insensitive search of the row's columns). Add `WHERE` on `r`.
    static let select = """
        SELECT r.contact_id, r.first_name, r.last_name, r.mobile, r.mobile_raw, r.email, r.deleted,
            (SELECT name FROM recipient_company c WHERE c.contact_id = r.contact_id ORDER BY c.company_id LIMIT 1),
            (SELECT name FROM owner_name o WHERE o.user_id = r.owner_id)
        FROM recipient r
        """

    init(row: Row) {
        contactId = row[0]
        firstName = row[1]
        lastName = row[2]
        mobile = row[3]
        mobileRaw = row[4]
        email = row[5]
        deleted = row[6] as Bool? ?? false
        company = row[7] ?? ""
        owner = row[8] ?? ""
    }

    static func fetch(_ db: Database, contactId: Int64) throws -> Recipient? {
        try Row.fetchOne(db, sql: "\(select) WHERE r.contact_id = ? AND r.deleted = 0", arguments: [contactId]).map(Recipient.init)
    }
}
