import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Appointments: made, changed, cancelled, their meeting confirmations sent; each change checked
/// against its version, written once per request id with its event and, once confirmations
/// went out, the invitation mails it calls for (queued in the same transaction).
struct AppointmentStore: Sendable {
    let database: ServiceDatabase
    let mail: InvitationMail

    static let columns = """
        id, uid, sequence, subject, description, place, meeting_url, status, all_day, start_at, end_at, zone, start_date, end_date,
        recurrence, exceptions, organizer_id, alarms, invitations_sent_at, version, created_at, updated_at
        """

    // MARK: - Reading

    func get(id: Int64, headers: BusHeaders) async throws -> Appointment {
        try await database.read { db in
            guard try TasksAccess.of(headers, db).allows(appointment: id, db) else {
                throw BusError.notFound("appointment \(id) does not exist")
            }
            return try Self.load(db, id: id)
        }
    }

    func list(_ request: ListAppointmentsRequest, headers: BusHeaders) async throws -> Page<Appointment> {
        let limit = min(max(request.limit ?? 50, 1), TasksContract.maxPageSize)
        var after = Int64.max
        if let text = request.cursor {
            guard let cursor = Cursor(text: text) else { throw BusError.invalid("cursor is not one this list handed out") }
            after = cursor.id
        }
        let before = after
        return try await database.read { db in
            let (access, accessArguments) = try TasksAccess.of(headers, db).appointmentCondition
            var conditions = [access, "appointment.id < ?"]
            var arguments = accessArguments + [before]
            if request.cancelled != true { conditions.append("appointment.status = 'confirmed'") }
            for (kind, id) in [("company", request.companyId), ("contact", request.contactId), ("deal", request.dealId)] {
                guard let id else { continue }
                conditions.append("appointment.id IN (SELECT appointment_id FROM appointment_link WHERE kind = ? AND target_id = ?)")
                arguments += [kind, id]
            }
            if let user = request.userId {
                conditions.append("appointment.id IN (SELECT appointment_id FROM appointment_user WHERE user_id = ?)")
                arguments += [user]
            }
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT \(Self.columns) FROM appointment WHERE \(conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT ?",
                arguments: arguments + [limit + 1])
            let items = try Self.appointments(from: Array(rows.prefix(limit)), db)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor(id: $0.id).text } : nil)
        }
    }

    /// The occurrences on the users' calendars in [from, to), expanded here.
    func calendar(_ request: CalendarRequest, headers: BusHeaders) async throws -> [Occurrence] {
        guard request.to > request.from, request.to.timeIntervalSince(request.from) <= 400 * 86_400 else {
            throw BusError.conflict("a calendar's period is from before to, at most 400 days")
        }
        let users = request.userIds ?? headers.userId.map { [$0] } ?? []
        guard !users.isEmpty, users.count <= 100 else { throw BusError.conflict("a calendar shows 1 to 100 users' appointments") }
        return try await database.read { db in
            let (access, accessArguments) = try TasksAccess.of(headers, db).appointmentCondition
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.columns.split(separator: ",").map { "appointment." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")),
                        group_concat(appointment_user.user_id) AS users
                    FROM appointment_user JOIN appointment ON appointment.id = appointment_user.appointment_id
                    WHERE appointment_user.user_id IN (\(users.map { _ in "?" }.joined(separator: ",")))
                        AND appointment.status = 'confirmed' AND appointment.first_start < ?
                        AND (appointment.series_end IS NULL OR appointment.series_end > ?) AND \(access)
                    GROUP BY appointment.id
                    """,
                arguments: StatementArguments(users) + [request.to.timeIntervalSince1970, request.from.timeIntervalSince1970]
                    + accessArguments)
            var occurrences: [Occurrence] = []
            for (row, appointment) in zip(rows, try Self.appointments(from: rows, db)) {
                let on = (row["users"] as String? ?? "").split(separator: ",").compactMap { Int64($0) }
                for instance in Self.series(appointment).occurrences(from: request.from, to: request.to) {
                    occurrences.append(
                        Occurrence(
                            appointmentId: appointment.id, uid: appointment.uid, recurrenceId: instance.recurrenceId, start: instance.start,
                            end: instance.end, allDay: appointment.allDay, subject: instance.change?.subject ?? appointment.subject,
                            place: instance.change?.place ?? appointment.place, organizerId: appointment.organizerId, userIds: on.sorted()))
                    if occurrences.count > TasksContract.maxOccurrences {
                        throw BusError.conflict("more than \(TasksContract.maxOccurrences) occurrences; ask for a shorter period")
                    }
                }
            }
            return occurrences.sorted { ($0.start, $0.appointmentId) < ($1.start, $1.appointmentId) }
        }
    }

    /// The appointment as one .ics (METHOD:PUBLISH, no attendees).
    func ics(id: Int64, headers: BusHeaders) async throws -> CalendarObject {
        try await database.read { db in
            guard try TasksAccess.of(headers, db).allows(appointment: id, db) else {
                throw BusError.notFound("appointment \(id) does not exist")
            }
            let appointment = try Self.load(db, id: id)
            let text = CalendarDocument.publish([appointment], tasks: [], name: nil)
            return CalendarObject(ics: text, etag: CalendarDocument.etag(text), filename: "appointment-\(id).ics")
        }
    }

    // MARK: - Writing

    func save(_ request: SaveAppointmentRequest, creating: Bool, headers: BusHeaders, requestId: String) async throws -> Data {
        if creating {
            guard request.id == nil else { throw BusError.invalid("a new appointment has no id") }
        } else {
            guard request.id != nil, request.version != nil else { throw BusError.invalid("name the appointment by id and version") }
        }
        try AppointmentChecks.fields(request, creating: creating)
        let method = creating ? TasksContract.Method.createAppointment : TasksContract.Method.updateAppointment
        let mail = mail
        return try await database.idempotentWrite(requestId: requestId, method: method) { db, outbox in
            let now = Date()
            let before: Appointment?
            var appointment: Appointment
            if let id = request.id, let version = request.version {
                let loaded = try Self.loadForChange(db, id: id, version: version, headers: headers)
                guard loaded.status == "confirmed" else { throw BusError.conflict("appointment \(id) is cancelled") }
                before = loaded
                appointment = loaded
            } else {
                before = nil
                appointment = Appointment()
                appointment.uid = UUID().uuidString.lowercased() + "@crm"
                appointment.organizerId = headers.userId
                appointment.createdAt = now
            }
            try AppointmentChecks.apply(request, to: &appointment, db, headers: headers)
            let significant = before.map { AppointmentChecks.significant($0, appointment) } ?? false
            if let before, AppointmentChecks.timeChanged(before, appointment) {
                for index in appointment.attendees.indices {
                    appointment.attendees[index].status = "needs_action"
                    appointment.attendees[index].respondedAt = nil
                }
            }
            let send = request.sendInvitations == true || (appointment.invitationsSentAt != nil && significant)
            if let before, send || significant { appointment.sequence = before.sequence + 1 }
            if send { appointment.invitationsSentAt = now }
            let saved: Appointment
            if let before {
                saved = try Self.save(db, outbox, before: before, after: appointment, actor: headers.actor, significant: significant)
            } else {
                saved = try Self.insert(db, outbox, appointment, actor: headers.actor)
            }
            if send {
                try mail.queue(
                    db, saved, method: "REQUEST",
                    to: saved.attendees.compactMap { attendee in
                        attendee.email == nil ? nil : attendee
                    }, update: before?.invitationsSentAt != nil)
            }
            // Once confirmations went out, someone added hears of it without a change for the rest.
            if let before, before.invitationsSentAt != nil, !send {
                let known = Set(before.attendees.compactMap(\.email).map { $0.lowercased() })
                let added = saved.attendees.filter { $0.email != nil && !known.contains($0.email!.lowercased()) }
                if !added.isEmpty { try mail.queue(db, saved, method: "REQUEST", to: added, update: false) }
            }
            // Attendees taken off an appointment they were invited to hear that it is off for them.
            if let before, before.invitationsSentAt != nil {
                let kept = Set(saved.attendees.compactMap(\.email).map { $0.lowercased() })
                let removed = before.attendees.filter { $0.email != nil && !kept.contains($0.email!.lowercased()) }
                if !removed.isEmpty { try mail.queue(db, saved, method: "CANCEL", to: removed, update: true) }
            }
            return saved
        }
    }

    func cancel(_ request: AppointmentVersionRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let mail = mail
        return try await database.idempotentWrite(requestId: requestId, method: TasksContract.Method.cancelAppointment) { db, outbox in
            let before = try Self.loadForChange(db, id: request.id, version: request.version, headers: headers)
            guard before.status == "confirmed" else { throw BusError.conflict("appointment \(request.id) is cancelled already") }
            var appointment = before
            appointment.status = "cancelled"
            appointment.sequence += 1
            let saved = try Self.save(db, outbox, before: before, after: appointment, actor: headers.actor, significant: true)
            if before.invitationsSentAt != nil {
                try mail.queue(db, saved, method: "CANCEL", to: saved.attendees.filter { $0.email != nil }, update: true)
            }
            return saved
        }
    }

    func sendInvitations(_ request: AppointmentVersionRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let mail = mail
        return try await database.idempotentWrite(requestId: requestId, method: TasksContract.Method.sendInvitations) { db, outbox in
            let before = try Self.loadForChange(db, id: request.id, version: request.version, headers: headers)
            guard before.status == "confirmed" else { throw BusError.conflict("appointment \(request.id) is cancelled") }
            let recipients = before.attendees.filter { $0.email != nil }
            guard !recipients.isEmpty else { throw BusError.conflict("no attendee of appointment \(request.id) has an e-mail address") }
            var appointment = before
            if before.invitationsSentAt != nil { appointment.sequence += 1 }
            appointment.invitationsSentAt = Date()
            let saved = try Self.save(db, outbox, before: before, after: appointment, actor: headers.actor, significant: false)
            try mail.queue(db, saved, method: "REQUEST", to: recipients, update: before.invitationsSentAt != nil)
            return saved
        }
    }

    // MARK: - Rows

    static func load(_ db: Database, id: Int64) throws -> Appointment {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(columns) FROM appointment WHERE id = ?", arguments: [id]) else {
            throw BusError.notFound("appointment \(id) does not exist")
        }
        return try appointment(from: row, db)
    }

    static func loadForChange(_ db: Database, id: Int64, version: Int64, headers: BusHeaders) throws -> Appointment {
        guard try TasksAccess.of(headers, db).allows(appointment: id, db) else {
            throw BusError.notFound("appointment \(id) does not exist")
        }
        let appointment = try load(db, id: id)
        guard appointment.version == version else {
            throw BusError.conflict("appointment \(id) changed since version \(version) (now \(appointment.version)); read it again")
        }
        return appointment
    }

    static func appointment(from row: Row, _ db: Database) throws -> Appointment {
        try appointments(from: [row], db)[0]
    }

    /// Appointments from rows of `columns` (in that order), their organizers' names, attendees
    /// and links read for all of them at once: a feed reads hundreds.
    static func appointments(from rows: [Row], _ db: Database) throws -> [Appointment] {
        var list = try rows.map { row -> Appointment in
            var appointment = Appointment()
            appointment.id = row[0]
            appointment.uid = row[1]
            appointment.sequence = row[2]
            appointment.subject = row[3]
            appointment.description = row[4]
            appointment.place = row[5]
            appointment.meetingUrl = row[6]
            appointment.status = row[7]
            appointment.allDay = row[8]
            appointment.start = row[9]
            appointment.end = row[10]
            appointment.zone = row[11]
            appointment.startDate = row[12]
            appointment.endDate = row[13]
            if let text = row[14] as String? { appointment.recurrence = try Wire.decode(Recurrence.self, from: Data(text.utf8)) }
            let exceptions: String = row[15]
            if exceptions != "[]" { appointment.exceptions = try Wire.decode([OccurrenceChange].self, from: Data(exceptions.utf8)) }
            appointment.organizerId = row[16]
            let alarms: String = row[17]
            if alarms != "[]" { appointment.alarms = try Wire.decode([Int].self, from: Data(alarms.utf8)) }
            appointment.invitationsSentAt = row[18]
            appointment.version = row[19]
            appointment.createdAt = row[20]
            appointment.updatedAt = row[21]
            return appointment
        }
        guard !list.isEmpty else { return list }
        var index: [Int64: Int] = [:]
        for (position, appointment) in list.enumerated() { index[appointment.id] = position }
        let ids = list.map(\.id)
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT appointment_id, kind, person_id, name, email, status, responded_at FROM attendee
                    WHERE appointment_id IN (\(marks)) ORDER BY appointment_id, position
                    """, arguments: StatementArguments(chunk))
            {
                guard let position = index[row[0]] else { continue }
                var attendee = Attendee(kind: row[1], id: row[2], name: row[3], email: row[4], status: row[5])
                attendee.respondedAt = row[6]
                list[position].attendees.append(attendee)
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT appointment_id, kind, target_id FROM appointment_link WHERE appointment_id IN (\(marks)) ORDER BY rowid",
                arguments: StatementArguments(chunk))
            {
                guard let position = index[row[0]] else { continue }
                switch row[1] as String {
                case "company": list[position].companyIds.append(row[2])
                case "contact": list[position].contactIds.append(row[2])
                default: list[position].dealIds.append(row[2])
                }
            }
        }
        let organizers = Set(list.compactMap(\.organizerId))
        if !organizers.isEmpty {
            var names: [Int64: String] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT id, name FROM user WHERE id IN (\(organizers.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments(Array(organizers)))
            {
                names[row[0]] = row[1]
            }
            for position in list.indices { list[position].organizerName = list[position].organizerId.flatMap { names[$0] } }
        }
        return list
    }

    /// The time shape for expanding occurrences.
    static func series(_ appointment: Appointment) -> Series {
        if appointment.allDay, let first = appointment.startDate.flatMap(CivilDate.parse),
            let last = appointment.endDate.flatMap(CivilDate.parse)
        {
            return Series(
                allDay: true, zone: TimeZone(identifier: "UTC")!, firstStart: CivilDate.midnight(first),
                duration: Double(last - first + 1) * 86_400, rule: appointment.recurrence, changes: appointment.exceptions)
        }
        let start = appointment.start ?? Date(timeIntervalSince1970: 0)
        return Series(
            allDay: false, zone: TimeZone(identifier: appointment.zone ?? "UTC") ?? TimeZone(identifier: "UTC")!, firstStart: start,
            duration: (appointment.end ?? start).timeIntervalSince(start), rule: appointment.recurrence, changes: appointment.exceptions)
    }

    static func insert(_ db: Database, _ outbox: Outbox, _ new: Appointment, actor: String?) throws -> Appointment {
        var appointment = new
        appointment.version = 1
        appointment.updatedAt = appointment.createdAt
        try db.execute(
            sql: """
                INSERT INTO appointment (uid, sequence, subject, first_start, status, all_day, version, created_at, updated_at)
                VALUES (?, 0, '', 0, 'confirmed', 0, 1, ?, ?)
                """, arguments: [appointment.uid, DatabaseDate.string(appointment.createdAt), DatabaseDate.string(appointment.updatedAt)])
        appointment.id = db.lastInsertedRowID
        try write(db, appointment, previous: nil)
        let saved = try load(db, id: appointment.id)
        try outbox.append(db, type: TasksContract.Event.appointmentCreated, payload: AppointmentChanged(appointment: saved, actor: actor))
        return saved
    }

    static func save(
        _ db: Database, _ outbox: Outbox, before: Appointment, after: Appointment, actor: String?, significant: Bool
    ) throws
        -> Appointment
    {
        var appointment = after
        appointment.version = before.version + 1
        appointment.updatedAt = Date()
        try write(db, appointment, previous: before)
        let saved = try load(db, id: appointment.id)
        let type =
            saved.status == "cancelled" && before.status != "cancelled"
            ? TasksContract.Event.appointmentCancelled : TasksContract.Event.appointmentUpdated
        try outbox.append(db, type: type, payload: AppointmentChanged(appointment: saved, actor: actor))
        return saved
    }

    /// The row, its attendees (kept rows keep their ids, so answer links stay good), its users and links.
    static func write(_ db: Database, _ appointment: Appointment, previous: Appointment?) throws {
        let series = series(appointment)
        let encode = { (value: any Encodable) throws -> String in String(decoding: try Wire.encode(value), as: UTF8.self) }
        try db.execute(
            sql: """
                UPDATE appointment SET sequence = ?, subject = ?, description = ?, place = ?, meeting_url = ?, status = ?, all_day = ?,
                    start_at = ?, end_at = ?, zone = ?, start_date = ?, end_date = ?, recurrence = ?, exceptions = ?, organizer_id = ?,
                    alarms = ?, first_start = ?, series_end = ?, invitations_sent_at = ?, version = ?, updated_at = ?
                WHERE id = ?
                """,
            arguments: [
                appointment.sequence, appointment.subject, appointment.description, appointment.place, appointment.meetingUrl,
                appointment.status, appointment.allDay, DatabaseDate.string(appointment.start),
                DatabaseDate.string(appointment.end), appointment.zone, appointment.startDate,
                appointment.endDate, try appointment.recurrence.map(encode), try encode(appointment.exceptions), appointment.organizerId,
                try encode(appointment.alarms), series.firstStart.timeIntervalSince1970, series.lastEnd()?.timeIntervalSince1970,
                DatabaseDate.string(appointment.invitationsSentAt), appointment.version, DatabaseDate.string(appointment.updatedAt),
                appointment.id,
            ])
        let existing = try Row.fetchAll(
            db, sql: "SELECT id, kind, person_id, email FROM attendee WHERE appointment_id = ?", arguments: [appointment.id])
        var unused = Dictionary(
            uniqueKeysWithValues: existing.map {
                (AttendeeKey.of(kind: $0["kind"], id: $0["person_id"], email: $0["email"]), $0["id"] as Int64)
            })
        for (position, attendee) in appointment.attendees.enumerated() {
            let key = AttendeeKey.of(kind: attendee.kind, id: attendee.id, email: attendee.email)
            if let id = unused.removeValue(forKey: key) {
                try db.execute(
                    sql: "UPDATE attendee SET position = ?, name = ?, email = ?, status = ?, responded_at = ? WHERE id = ?",
                    arguments: [
                        position, attendee.name, attendee.email, attendee.status,
                        DatabaseDate.string(attendee.respondedAt), id,
                    ])
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO attendee (appointment_id, position, kind, person_id, name, email, status, responded_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        appointment.id, position, attendee.kind, attendee.id, attendee.name, attendee.email, attendee.status,
                        DatabaseDate.string(attendee.respondedAt),
                    ])
            }
        }
        for id in unused.values { try db.execute(sql: "DELETE FROM attendee WHERE id = ?", arguments: [id]) }
        try db.execute(sql: "DELETE FROM appointment_user WHERE appointment_id = ?", arguments: [appointment.id])
        var users = Set(appointment.attendees.filter { $0.kind == "user" && $0.status != "declined" }.compactMap(\.id))
        if let organizer = appointment.organizerId { users.insert(organizer) }
        for user in users {
            try db.execute(sql: "INSERT INTO appointment_user (user_id, appointment_id) VALUES (?, ?)", arguments: [user, appointment.id])
        }
        if previous == nil
            || (previous!.companyIds, previous!.contactIds, previous!.dealIds)
                != (appointment.companyIds, appointment.contactIds, appointment.dealIds)
        {
            try db.execute(sql: "DELETE FROM appointment_link WHERE appointment_id = ?", arguments: [appointment.id])
            for (kind, ids) in [("company", appointment.companyIds), ("contact", appointment.contactIds), ("deal", appointment.dealIds)] {
                for id in ids {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO appointment_link (appointment_id, kind, target_id) VALUES (?, ?, ?)",
                        arguments: [appointment.id, kind, id])
                }
            }
        }
    }
}

/// Who an attendee is, for keeping their row (and answer link) across changes.
enum AttendeeKey {
    static func of(kind: String, id: Int64?, email: String?) -> String {
        if let id, kind != "email" { return "\(kind):\(id)" }
        return "email:" + (email ?? "").lowercased()
    }
}
