import Bus
import Contracts
import Foundation
import GRDB
import NotificationsCore
import ServiceKit
import Storage

/// The messages: queued by a request (with the `message.queued` event in the same transaction),
/// taken by the sender as `sending` (committed before the server is called), settled as `sent`,
/// `failed` or `unknown`, or put back for a later attempt after a temporary refusal.
struct MessageStore: Sendable {
    let database: ServiceDatabase
    let from: String
    /// Temporary refusals are retried this many times, further apart each time.
    static let maxAttempts = 8

    // MARK: - Requests

    func sendEmail(_ request: SendEmailRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let recipients = request.to.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !recipients.isEmpty, recipients.count <= 50 else { throw BusError.invalid("to: 1 to 50 addresses") }
        if let bad = recipients.first(where: { !MailAddress($0).isValid }) {
            throw BusError.invalid("to: '\(bad.prefix(254))' is not an e-mail address")
        }
        let subject = request.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !subject.isEmpty, subject.count <= 250 else { throw BusError.invalid("subject: 1 to 250 characters") }
        guard request.text.utf8.count <= 1 << 20, (request.html?.utf8.count ?? 0) <= 1 << 20 else {
            throw BusError.tooLarge("a mail's text and HTML are at most 1 MiB each", limit: 1 << 20)
        }
        let purpose = request.purpose ?? "service"
        guard ["service", "marketing"].contains(purpose) else {
            throw BusError.invalid("purpose is service or marketing, not '\(purpose)'")
        }
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        return try await database.idempotentWrite(requestId: requestId, method: NotificationsContract.Method.sendEmail) { db, outbox in
            let now = Date()
            try db.execute(
                sql: """
                    INSERT INTO message (channel, purpose, state, recipients, sender, subject, body_text, body_html, contact_id,
                        company_id, message_id, author, created_at, updated_at)
                    VALUES ('email', ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    purpose, String(decoding: try Wire.encode(recipients), as: UTF8.self), from, subject, request.text, request.html,
                    request.contactId, request.companyId, MailMessage.makeMessageId(domain: domain), headers.actor, now, now,
                ])
            let message = try Self.message(db, id: db.lastInsertedRowID)!
            try outbox.append(db, type: NotificationsContract.Event.queued, payload: message)
            return message
        }
    }

    func get(id: Int64) async throws -> Message {
        try await database.read { db in
            guard let message = try Self.message(db, id: id) else { throw BusError.notFound("message \(id) does not exist") }
            return message
        }
    }

    func list(_ request: ListMessagesRequest) async throws -> Page<Message> {
        let limit = min(max(request.limit ?? 50, 1), 200)
        let after = try request.cursor.map { cursor -> Int64 in
            guard let position = Cursor(text: cursor) else { throw BusError.invalid("cursor: give a next_cursor as it was answered") }
            return position.id
        }
        if let channel = request.channel, !["email", "sms"].contains(channel) {
            throw BusError.invalid("channel is email or sms, not '\(channel.prefix(20))'")
        }
        if let state = request.state, !Message.states.contains(state) {
            throw BusError.invalid("state is one of \(Message.states.joined(separator: ", ")), not '\(state)'")
        }
        return try await database.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let contact = request.contactId { conditions.append("contact_id = ?"); arguments += [contact] }
            if let company = request.companyId { conditions.append("company_id = ?"); arguments += [company] }
            if let state = request.state { conditions.append("state = ?"); arguments += [state] }
            if let batch = request.batchId { conditions.append("batch_id = ?"); arguments += [batch] }
            if let channel = request.channel { conditions.append("channel = ?"); arguments += [channel] }
            if let after { conditions.append("id < ?"); arguments += [after] }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [limit + 1]
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM message \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
            let items = try rows.prefix(limit).map(Self.message(from:))
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { String($0.id) } : nil)
        }
    }

    // MARK: - The sender's side

    /// After a crash: a mail left `sending` may have reached the server; SMTP cannot be asked,
    /// so it is `unknown` (never sent again by itself; its Message-ID lets a person check).
    func settleInterrupted() async throws -> Int {
        try await database.write { db, outbox in
            let stuck = try Row.fetchAll(db, sql: "SELECT * FROM message WHERE state = 'sending' AND channel = 'email'").map(
                Self.message(from:))
            for var message in stuck {
                message.state = "unknown"
                message.error = "the service stopped while this mail was being sent; it may have arrived"
                try Self.save(db, message)
                try outbox.append(db, type: NotificationsContract.Event.unknown, payload: message)
            }
            return stuck.count
        }
    }

    /// Up to `limit` mails due now, oldest first (not yet taken).
    func due(limit: Int, now: Date = Date()) async throws -> [Message] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM message WHERE state = 'queued' AND channel = 'email'
                        AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?
                    """,
                arguments: [now, limit]
            ).map(Self.message(from:))
        }
    }

    /// Takes one mail for sending: `sending`, its attempt counted, committed before the server
    /// hears of it. A mail no longer queued (cancelled, or taken already) is refused.
    func take(_ message: Message, now: Date = Date()) async throws -> Message {
        try await database.write { db, _ in
            guard let current = try Self.message(db, id: message.id), current.state == "queued" else {
                throw BusError.conflict("message \(message.id) is no longer queued")
            }
            var taken = current
            taken.state = "sending"
            taken.attempts += 1
            taken.updatedAt = now
            try Self.save(db, taken)
            return taken
        }
    }

    /// Records what the server answered for a mail taken by `takeDue`.
    func settle(_ message: Message, _ outcome: SMTPOutcome, now: Date = Date()) async throws {
        try await database.write { db, outbox in
            var settled = message
            settled.updatedAt = now
            let event: String?
            switch outcome {
            case .sent(let reply):
                settled.state = "sent"
                settled.sentAt = now
                settled.serverReply = String(reply.prefix(500))
                settled.error = nil
                event = NotificationsContract.Event.sent
            case .permanent(_, let reply):
                settled.state = "failed"
                settled.error = String(reply.prefix(500))
                event = NotificationsContract.Event.failed
            case .temporary(_, let reply):
                settled.error = String(reply.prefix(500))
                if settled.attempts >= Self.maxAttempts {
                    settled.state = "failed"
                    event = NotificationsContract.Event.failed
                } else {
                    // Back to the queue: 1, 2, 4 ... minutes later, at most an hour.
                    settled.state = "queued"
                    settled.nextAttemptAt = now.addingTimeInterval(min(3600, 60 * pow(2, Double(settled.attempts - 1))))
                    event = nil
                }
            case .unknown(let reason):
                settled.state = "unknown"
                settled.error = String(reason.prefix(500))
                event = NotificationsContract.Event.unknown
            }
            try Self.save(db, settled)
            if let event { try outbox.append(db, type: event, payload: settled) }
        }
    }

    // MARK: - Rows

    static func save(_ db: Database, _ message: Message) throws {
        try db.execute(
            sql: """
                UPDATE message SET state = ?, attempts = ?, error = ?, server_reply = ?, next_attempt_at = ?, sent_at = ?, updated_at = ?,
                    provider_id = ?, error_code = ?, delivered_at = ?
                WHERE id = ?
                """,
            arguments: [
                message.state, message.attempts, message.error, message.serverReply, message.nextAttemptAt, message.sentAt,
                message.updatedAt, message.providerId, message.errorCode, message.deliveredAt, message.id,
            ])
    }

    static func message(_ db: Database, id: Int64) throws -> Message? {
        try Row.fetchOne(db, sql: "SELECT * FROM message WHERE id = ?", arguments: [id]).map(message(from:))
    }

    static func message(from row: Row) throws -> Message {
        let recipients = (try? Wire.decode([String].self, from: Data((row["recipients"] as String? ?? "[]").utf8))) ?? []
        var message = Message(
            id: row["id"], channel: row["channel"], purpose: row["purpose"], state: row["state"], to: recipients, from: row["sender"],
            subject: row["subject"], text: row["body_text"], messageId: row["message_id"], attempts: row["attempts"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
        message.html = row["body_html"]
        message.contactId = row["contact_id"]
        message.companyId = row["company_id"]
        message.error = row["error"]
        message.serverReply = row["server_reply"]
        message.author = row["author"]
        message.nextAttemptAt = row["next_attempt_at"]
        message.sentAt = row["sent_at"]
        message.batchId = row["batch_id"]
        message.providerId = row["provider_id"]
        message.segments = row["segments"]
        message.errorCode = row["error_code"]
        message.deliveredAt = row["delivered_at"]
        return message
    }
}
