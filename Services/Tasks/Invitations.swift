import Bus
import Contracts
import Crypto
import Foundation
import GRDB
import Logging
import ServiceKit
import ServiceLifecycle
import Storage

/// Meeting confirmations: one mail per attendee with an address, each with the iMIP object
/// (RFC 6047) and the attendee's own answer links, recorded in the transaction of the change
/// and handed to notifications by `InvitationSender`.
struct InvitationMail: Sendable {
    /// The address mails go from (notifications' `CRM_MAIL_FROM`): ORGANIZER must match it.
    let from: String
    /// Where people reach the gateway (answer links).
    let baseURL: String

    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.utf8.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".")
            && text.unicodeScalars.allSatisfy {
                $0.isASCII && $0.value > 32 && $0.value < 127 && !"<>()[],;:\"\\".unicodeScalars.contains($0)
            }
    }

    func queue(_ db: Database, _ appointment: Appointment, method: String, to recipients: [Attendee], update: Bool) throws {
        let organizerName = appointment.organizerName
        let attendeesListed = method == "CANCEL" && appointment.status != "cancelled" ? recipients : appointment.attendees
        let ics = CalendarDocument.invitation(
            appointment, method: method, organizer: (organizerName, from), attendees: attendeesListed)
        let when = Self.when(appointment)
        let now = Date()
        for attendee in recipients {
            guard let email = attendee.email else { continue }
            let subject: String
            if method == "CANCEL" {
                subject = "Cancelled: \(appointment.subject)"
            } else {
                subject = (update ? "Updated invitation: " : "Invitation: ") + appointment.subject + " @ " + when
            }
            var text = ""
            var html = ""
            let greeting = "Hello\(attendee.name.map { " \($0)" } ?? ""),"
            text += greeting + "\n\n"
            html += "<p>\(Self.escape(greeting))</p>"
            if method == "CANCEL" {
                let line = "\(organizerName ?? "The organizer") has cancelled \(appointment.subject) (\(when))."
                text += line + "\n"
                html += "<p>\(Self.escape(line))</p>"
            } else {
                let line = "\(organizerName ?? "We") \(update ? "changed" : "invite you to") \(appointment.subject)."
                text += line + "\n\nWhen: \(when)\n"
                html += "<p>\(Self.escape(line))</p><p><b>When:</b> \(Self.escape(when))<br>"
                if let place = appointment.place {
                    text += "Where: \(place)\n"
                    html += "<b>Where:</b> \(Self.escape(place))<br>"
                }
                if let url = appointment.meetingUrl {
                    text += "Join: \(url)\n"
                    html += "<b>Join:</b> <a href=\"\(Self.escape(url))\">\(Self.escape(url))</a><br>"
                }
                html += "</p>"
                if let description = appointment.description {
                    text += "\n\(description)\n"
                    html += "<p>\(Self.escape(description).replacingOccurrences(of: "\n", with: "<br>"))</p>"
                }
                if let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM attendee WHERE appointment_id = ? AND lower(email) = lower(?)",
                    arguments: [appointment.id, email])
                {
                    let token = try RSVPTokens.token(db, attendeeId: id, uid: appointment.uid)
                    let link = "\(baseURL)/rsvp/\(token)"
                    text +=
                        "\nAnswer (no login needed):\n  Accept: \(link)?answer=accepted\n  Tentative: \(link)?answer=tentative\n"
                        + "  Decline: \(link)?answer=declined\n"
                    html +=
                        "<p>Answer: <a href=\"\(link)?answer=accepted\">Accept</a> · <a href=\"\(link)?answer=tentative\">Tentative</a>"
                        + " · <a href=\"\(link)?answer=declined\">Decline</a></p>"
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO invitation (appointment_id, attendee_id, method, sequence, recipient, recipient_name, subject, body_text,
                        body_html, ics, from_name, state, created_at)
                    VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)
                    """,
                arguments: [
                    appointment.id, method, appointment.sequence, email, attendee.name, String(subject.prefix(250)), text,
                    "<!doctype html><html><body>\(html)</body></html>", ics, organizerName, DatabaseDate.string(now),
                ])
        }
    }

    /// `Tue 1 Dec 2026 10:00–11:00 (Europe/Oslo)`, or the days of an all-day appointment.
    static func when(_ appointment: Appointment) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        if appointment.allDay {
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "EEE d MMM yyyy"
            let first = appointment.startDate.flatMap(CivilDate.parse).map { formatter.string(from: CivilDate.midnight($0)) } ?? "?"
            let last = appointment.endDate.flatMap(CivilDate.parse).map { formatter.string(from: CivilDate.midnight($0)) } ?? first
            return first == last ? "\(first) (all day)" : "\(first) – \(last) (all day)"
        }
        let zone = TimeZone(identifier: appointment.zone ?? "UTC") ?? TimeZone(identifier: "UTC")!
        formatter.timeZone = zone
        formatter.dateFormat = "EEE d MMM yyyy HH:mm"
        let start = appointment.start.map { formatter.string(from: $0) } ?? "?"
        formatter.dateFormat = "HH:mm"
        let end = appointment.end.map { formatter.string(from: $0) } ?? ""
        let rule = appointment.recurrence.map { ", repeating \($0.frequency)" } ?? ""
        return "\(start)–\(end) (\(zone.identifier))\(rule)"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// Attendees' answer links: the attendee's row id and an HMAC of it with the appointment's UID
/// under a key that never leaves the database; nothing to store, and a link of another
/// appointment's attendee (or a guessed one) does not verify.
enum RSVPTokens {
    static func token(_ db: Database, attendeeId: Int64, uid: String) throws -> String {
        "\(attendeeId)-" + (try mac(db, attendeeId: attendeeId, uid: uid))
    }

    static func mac(_ db: Database, attendeeId: Int64, uid: String) throws -> String {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE section = 'rsvp_key'"),
            let key = Data(base64Encoded: text)
        else { throw BusError.internal("the answer-link key is missing") }
        let code = HMAC<SHA256>.authenticationCode(for: Data("rsvp:\(attendeeId):\(uid)".utf8), using: SymmetricKey(data: key))
        return Data(code).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// The attendee a token names, or nil when it does not verify.
    static func attendee(_ db: Database, token: String) throws -> (attendeeId: Int64, appointmentId: Int64)? {
        let parts = token.split(separator: "-")
        guard token.utf8.count <= 60, parts.count == 2, let id = Int64(parts[0]), parts[1].count == 32 else { return nil }
        guard
            let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT attendee.appointment_id, appointment.uid FROM attendee JOIN appointment ON appointment.id = attendee.appointment_id WHERE attendee.id = ?",
                arguments: [id])
        else { return nil }
        let expected = try mac(db, attendeeId: id, uid: row["uid"])
        // Constant time over the hex text.
        var difference: UInt8 = 0
        for (a, b) in zip(expected.utf8, parts[1].utf8) { difference |= a ^ b }
        return difference == 0 ? (id, row["appointment_id"]) : nil
    }
}

/// Hands queued invitation mails to notifications, each with a request id of its own row: a
/// retry after a crash or a timeout finds the mail notifications already queued instead of
/// queuing it again, so no attendee gets one twice.
struct InvitationSender: Service {
    let database: ServiceDatabase
    let client: BusClient
    let timeout: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let sent = (try? await round()) ?? 0
                if sent == 0 { try? await Task.sleep(for: .milliseconds(500)) }
            }
        }
    }

    /// Sends what is due; answers how many were handled.
    func round() async throws -> Int {
        struct Due: Sendable {
            let id: Int64, method: String, recipient: String, subject: String, text: String, html: String, ics: String, fromName: String?
            let attempts: Int
        }
        let due = try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, method, recipient, subject, body_text, body_html, ics, from_name, attempts FROM invitation
                    WHERE state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT 20
                    """, arguments: [DatabaseDate.string(Date())]
            ).map {
                Due(
                    id: $0["id"], method: $0["method"], recipient: $0["recipient"], subject: $0["subject"], text: $0["body_text"],
                    html: $0["body_html"], ics: $0["ics"], fromName: $0["from_name"], attempts: $0["attempts"])
            }
        }
        for row in due {
            let id = row.id
            var request = SendEmailRequest(to: [row.recipient], subject: row.subject, text: row.text, html: row.html)
            request.calendar = EmailCalendar(method: row.method, ics: row.ics)
            request.fromName = row.fromName
            do {
                let message = try await client.call(
                    NotificationsContract.Method.sendEmail, request, timeout: timeout, requestId: "tasks-invitation-\(id)")
                try await database.write { db, _ in
                    try db.execute(
                        // Notifications keeps the mail; here only that it went (no second copy of the
                        // people's names and addresses to scrub later).
                        sql: """
                            UPDATE invitation SET state = 'sent', message_id = ?, sent_at = ?, error = NULL, body_text = '', body_html = '',
                                ics = '' WHERE id = ?
                            """,
                        arguments: [message.id, DatabaseDate.string(Date()), id])
                }
            } catch let error as BusError where [.invalid, .badRequest, .forbidden, .tooLarge].contains(error.code) {
                logger.error("an invitation mail was refused", metadata: ["invitation": "\(id)", "error": "\(error.message)"])
                try await database.write { db, _ in
                    try db.execute(sql: "UPDATE invitation SET state = 'failed', error = ? WHERE id = ?", arguments: [error.message, id])
                }
            } catch {
                let attempts = row.attempts
                let wait = Double(min(300, 1 << min(attempts + 1, 9)))
                try await database.write { db, _ in
                    try db.execute(
                        sql: "UPDATE invitation SET attempts = attempts + 1, next_attempt_at = ?, error = ? WHERE id = ?",
                        arguments: [DatabaseDate.string(Date().addingTimeInterval(wait)), "\(error)".prefix(500).description, id])
                }
                return due.count
            }
        }
        return due.count
    }
}
