import Bus
import Contracts
import Crypto
import Foundation
import GRDB
import ServiceKit
import Storage

/// Calendar feeds (a secret token per user or group, kept as its SHA-256) and attendees' answers.
struct Feeds: Sendable {
    let database: ServiceDatabase

    func list(headers: BusHeaders) async throws -> [CalendarFeed] {
        guard let user = headers.userId else { throw BusError.forbidden("feeds belong to users") }
        return try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM feed WHERE revoked_at IS NULL AND (user_id = ? OR (kind = 'group' AND created_by = ?)) ORDER BY id
                    """, arguments: [user, user]
            ).map(Self.feed)
        }
    }

    func create(_ request: CreateFeedRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        guard let user = headers.userId else { throw BusError.forbidden("feeds belong to users") }
        let token = Self.newToken()
        return try await database.idempotentWrite(requestId: requestId, method: TasksContract.Method.createFeed) { db, _ in
            if let group = request.groupId {
                let member = try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM group_member WHERE group_id = ? AND user_id = ?", arguments: [group, user])
                guard member != nil || headers.isBoss else { throw BusError.forbidden("a group's feed is for its members and bosses") }
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM group_member WHERE group_id = ?", arguments: [group]) != nil else {
                    throw BusError.conflict("group \(group) has no members")
                }
            }
            try db.execute(
                sql: "INSERT INTO feed (kind, user_id, group_id, token_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    request.groupId == nil ? "user" : "group", request.groupId == nil ? user : nil, request.groupId, Self.hash(token), user,
                    DatabaseDate.string(Date()),
                ])
            var feed = Self.feed(try Row.fetchOne(db, sql: "SELECT * FROM feed WHERE id = ?", arguments: [db.lastInsertedRowID])!)
            // The token is in this answer only (a retry with the same request id gets the same one).
            feed.token = token
            return feed
        }
    }

    func change(_ id: Int64, revoke: Bool, headers: BusHeaders, requestId: String) async throws -> Data {
        guard let user = headers.userId else { throw BusError.forbidden("feeds belong to users") }
        let token = Self.newToken()
        let method = revoke ? TasksContract.Method.revokeFeed : TasksContract.Method.rotateFeed
        return try await database.idempotentWrite(requestId: requestId, method: method) { db, _ in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM feed WHERE id = ? AND revoked_at IS NULL AND (user_id = ? OR created_by = ? OR ?)",
                    arguments: [id, user, user, headers.isBoss])
            else { throw BusError.notFound("feed \(id) does not exist") }
            let now = Date()
            if revoke {
                try db.execute(sql: "UPDATE feed SET revoked_at = ? WHERE id = ?", arguments: [DatabaseDate.string(now), id])
                return Self.feed(row)
            }
            try db.execute(
                sql: "UPDATE feed SET token_hash = ?, rotated_at = ? WHERE id = ?",
                arguments: [Self.hash(token), DatabaseDate.string(now), id])
            var feed = Self.feed(try Row.fetchOne(db, sql: "SELECT * FROM feed WHERE id = ?", arguments: [id])!)
            feed.token = token
            return feed
        }
    }

    /// The feed of a token: the users' appointments from 180 days back on (their series), and
    /// their follow-ups marked for the calendar.
    func read(token: String) async throws -> CalendarObject {
        guard token.utf8.count <= 100 else { throw BusError.notFound("no such feed") }
        let hash = Self.hash(token)
        let (feed, users, name, appointments, tasks) = try await database.read {
            db -> (CalendarFeed, [Int64], String, [Appointment], [TaskItem]) in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM feed WHERE token_hash = ? AND revoked_at IS NULL", arguments: [hash])
            else {
                throw BusError.notFound("no such feed (it may have been rotated or revoked)")
            }
            let feed = Self.feed(row)
            let users: [Int64] =
                if let group = feed.groupId {
                    try Int64.fetchAll(db, sql: "SELECT user_id FROM group_member WHERE group_id = ? ORDER BY user_id", arguments: [group])
                } else {
                    feed.userId.map { [$0] } ?? []
                }
            let name =
                feed.userId.flatMap { try? String.fetchOne(db, sql: "SELECT name FROM user WHERE id = ?", arguments: [$0]) }
                .map { "CRM – \($0)" } ?? "CRM – group \(feed.groupId ?? 0)"
            guard !users.isEmpty else { return (feed, users, name, [], []) }
            let marks = users.map { _ in "?" }.joined(separator: ",")
            let since = Date().addingTimeInterval(-180 * 86_400).timeIntervalSince1970
            let columns = AppointmentStore.columns.split(separator: ",").map {
                "appointment." + $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }.joined(separator: ", ")
            let appointmentRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(columns) FROM appointment WHERE appointment.id IN (
                        SELECT appointment_id FROM appointment_user WHERE user_id IN (\(marks)))
                        AND appointment.status = 'confirmed' AND (appointment.series_end IS NULL OR appointment.series_end > ?)
                    ORDER BY appointment.first_start, appointment.id LIMIT 5000
                    """, arguments: StatementArguments(users) + [since])
            let appointments = try AppointmentStore.appointments(from: appointmentRows, db)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(TaskStore.columns) FROM \(TaskStore.from) WHERE task.owner_id IN (\(marks)) AND task.add_to_calendar = 1
                        AND task.deleted_at IS NULL AND task.status IN ('open', 'in_progress') AND task.due_sort < 1e12
                    ORDER BY task.due_sort LIMIT 5000
                    """, arguments: StatementArguments(users))
            return (feed, users, name, appointments, try TaskStore.tasks(from: rows, db))
        }
        _ = users
        let text = CalendarDocument.publish(appointments, tasks: tasks, name: name, stamp: Self.stamp(appointments, tasks))
        // When it was last read, for its owner to see; at most once a minute (a read is not a write).
        if (feed.lastReadAt.map { Date().timeIntervalSince($0) > 60 } ?? true) {
            try? await database.write { db, _ in
                try db.execute(sql: "UPDATE feed SET last_read_at = ? WHERE id = ?", arguments: [DatabaseDate.string(Date()), feed.id])
            }
        }
        return CalendarObject(ics: text, etag: CalendarDocument.etag(text), filename: "crm.ics")
    }

    /// A feed's DTSTAMP: the last change in it, so an unchanged feed reads the same (and its ETag holds).
    static func stamp(_ appointments: [Appointment], _ tasks: [TaskItem]) -> Date {
        (appointments.map(\.updatedAt) + tasks.map(\.updatedAt)).max() ?? Date(timeIntervalSince1970: 0)
    }

    // MARK: - Answers

    func rsvp(_ request: SecretTokenRequest, answer: Bool, requestId: String) async throws -> Data {
        if answer {
            guard let value = request.answer, Attendee.answers.contains(value) else {
                throw BusError.invalid("answer is accepted, declined or tentative")
            }
        }
        let work: @Sendable (Database, Outbox?) throws -> RSVPView = { db, outbox in
            guard let (attendeeId, appointmentId) = try RSVPTokens.attendee(db, token: request.token) else {
                throw BusError.notFound("this answer link is not valid (the invitation may have changed)")
            }
            var appointment = try AppointmentStore.load(db, id: appointmentId)
            guard let position = try Int.fetchOne(db, sql: "SELECT position FROM attendee WHERE id = ?", arguments: [attendeeId]),
                position < appointment.attendees.count
            else { throw BusError.notFound("this answer link is not valid") }
            if let outbox, let value = request.answer {
                guard appointment.status == "confirmed" else { throw BusError.conflict("the appointment is cancelled") }
                let before = appointment
                appointment.attendees[position].status = value
                appointment.attendees[position].respondedAt = Date()
                let saved = try AppointmentStore.save(db, outbox, before: before, after: appointment, actor: "attendee", significant: false)
                try outbox.append(
                    db, type: TasksContract.Event.attendeeResponded,
                    payload: AppointmentChanged(appointment: saved, actor: "attendee", attendee: saved.attendees[position]))
                appointment = saved
            }
            let attendee = appointment.attendees[position]
            return RSVPView(
                subject: appointment.subject, start: appointment.start, end: appointment.end, zone: appointment.zone,
                startDate: appointment.startDate, endDate: appointment.endDate, place: appointment.place ?? appointment.meetingUrl,
                organizerName: appointment.organizerName, attendeeName: attendee.name, status: attendee.status,
                cancelled: appointment.status == "cancelled")
        }
        if answer {
            return try await database.idempotentWrite(requestId: requestId, method: TasksContract.Method.rsvpAnswer) { db, outbox in
                try work(db, outbox)
            }
        }
        return try Wire.encode(try await database.read { db in try work(db, nil) })
    }

    // MARK: - Tokens

    static func newToken() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func feed(_ row: Row) -> CalendarFeed {
        CalendarFeed(
            id: row["id"], kind: row["kind"], userId: row["user_id"], groupId: row["group_id"], createdAt: row["created_at"],
            rotatedAt: row["rotated_at"], lastReadAt: row["last_read_at"])
    }
}
