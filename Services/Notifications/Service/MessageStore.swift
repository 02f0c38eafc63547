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
        if let calendar = request.calendar {
            guard ["REQUEST", "CANCEL", "PUBLISH", "REPLY", "COUNTER", "REFRESH", "ADD", "DECLINECOUNTER"].contains(calendar.method) else {
                throw BusError.invalid("calendar.method is an iTIP method such as REQUEST or CANCEL")
            }
            guard calendar.ics.utf8.count <= 1 << 20, calendar.ics.hasPrefix("BEGIN:VCALENDAR"),
                calendar.ics.contains("METHOD:\(calendar.method)\r\n")
            else { throw BusError.invalid("calendar.ics is an iCalendar object (at most 1 MiB) whose METHOD is calendar.method") }
        }
        if let name = request.fromName, name.count > 100 { throw BusError.invalid("from_name is at most 100 characters") }
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        return try await database.idempotentWrite(requestId: requestId, method: NotificationsContract.Method.sendEmail) { db, outbox in
            let now = Date()
            try db.execute(
                sql: """
                    INSERT INTO message (channel, purpose, state, recipients, sender, subject, body_text, body_html, contact_id,
                        company_id, message_id, author, created_at, updated_at, calendar_method, calendar_ics, sender_name)
                    VALUES ('email', ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    purpose, String(decoding: try Wire.encode(recipients), as: UTF8.self), from, subject, request.text, request.html,
                    request.contactId, request.companyId, MailMessage.makeMessageId(domain: domain), headers.actor,
                    DatabaseDate.string(now), DatabaseDate.string(now),
                    request.calendar?.method, request.calendar?.ics,
                    request.fromName.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 },
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
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(Self.columns) FROM message \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
            let items = try rows.prefix(limit).map(Self.message(from:))
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { String($0.id) } : nil)
        }
    }

    // MARK: - The sender's side

    /// After a crash: a mail left `sending` may have reached the server; SMTP cannot be asked,
    /// so it is `unknown` (never sent again by itself; its Message-ID lets a person check).
    func settleInterrupted() async throws -> Int {
        try await database.write { db, outbox in
            let stuck = try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM message WHERE state = 'sending' AND channel = 'email'").map(
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
                    SELECT \(Self.columns) FROM message WHERE state = 'queued' AND channel = 'email'
                        AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?
                    """,
                arguments: [DatabaseDate.string(now), limit]
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
        let state = try await database.write { db, outbox -> String in
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
            return settled.state
        }
        NotificationsMetrics.settled(channel: "email", states: [state])
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
                // Dates as text: GRDB would format each Date with ICU, and this runs for every state change.
                message.state, message.attempts, message.error, message.serverReply, message.nextAttemptAt.map(DatabaseDate.string),
                message.sentAt.map(DatabaseDate.string), DatabaseDate.string(message.updatedAt), message.providerId, message.errorCode,
                message.deliveredAt.map(DatabaseDate.string), message.id,
            ])
    }

    static func message(_ db: Database, id: Int64) throws -> Message? {
        try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM message WHERE id = ?", arguments: [id]).map(message(from:))
    }

    /// The columns `message(from:)` reads, by position: a message row is read for every state
    /// change (taken, settled, each receipt), and by name each read is a case-insensitive search
    /// of the row's columns.
    static let columns = """
        id, channel, purpose, state, recipients, sender, subject, body_text, body_html, contact_id, company_id, message_id, attempts,
        error, server_reply, author, next_attempt_at, sent_at, batch_id, provider_id, segments, error_code, delivered_at, created_at,
        updated_at, calendar_method, calendar_ics, sender_name
        """

    static func message(from row: Row) throws -> Message {
        var message = Message(
            id: row[0], channel: row[1], purpose: row[2], state: row[3], to: recipients(row[4] as String? ?? "[]"), from: row[5],
            subject: row[6], text: row[7], messageId: row[11], attempts: row[12], createdAt: row[23], updatedAt: row[24])
        message.html = row[8]
        message.contactId = row[9]
        message.companyId = row[10]
        message.error = row[13]
        message.serverReply = row[14]
        message.author = row[15]
        message.nextAttemptAt = row[16]
        message.sentAt = row[17]
        message.batchId = row[18]
        message.providerId = row[19]
        message.segments = row[20]
        message.errorCode = row[21]
        message.deliveredAt = row[22]
        if let method = row[25] as String?, let ics = row[26] as String? { message.calendar = EmailCalendar(method: method, ics: ics) }
        message.fromName = row[27]
        return message
    }

    /// The recipients column: a JSON array of strings. An SMS has one plain number, read without
    /// a JSON decoder; anything else is decoded.
    static func recipients(_ text: String) -> [String] {
        let bytes = text.utf8
        if bytes.count > 4, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]"),
            bytes.dropFirst().first == UInt8(ascii: "\""), bytes.dropLast().last == UInt8(ascii: "\""),
            !bytes.dropFirst(2).dropLast(2).contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
        {
            return [String(decoding: bytes.dropFirst(2).dropLast(2), as: UTF8.self)]
        }
        return (try? Wire.decode([String].self, from: Data(text.utf8))) ?? []
    }
}
