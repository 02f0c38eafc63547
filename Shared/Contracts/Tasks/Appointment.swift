import Foundation

/// An appointment: a meeting at a time (an instant and its IANA zone) or on whole days, perhaps
/// recurring, with an organizer (a user) and attendees who answer. Its `uid` never changes and
/// its `sequence` goes up with every change an attendee must hear of (time, place, cancelling).
public struct Appointment: Codable, Sendable, Equatable {
    public var id: Int64 = 0
    public var uid = ""
    public var sequence = 0
    public var subject = ""
    public var description: String?
    public var place: String?
    public var meetingUrl: String?
    /// `confirmed` or `cancelled`.
    public var status = "confirmed"
    public var allDay = false
    /// A timed appointment: its start and end (UTC) and the zone it was made in.
    public var start: Date?
    public var end: Date?
    public var zone: String?
    /// An all-day appointment: its first and last day (inclusive).
    public var startDate: String?
    public var endDate: String?
    public var recurrence: Recurrence?
    /// Occurrences moved, changed or cancelled one by one.
    public var exceptions: [OccurrenceChange] = []
    public var organizerId: Int64?
    public var organizerName: String?
    public var attendees: [Attendee] = []
    public var companyIds: [Int64] = []
    public var contactIds: [Int64] = []
    public var dealIds: [Int64] = []
    /// Reminders, in minutes before the start.
    public var alarms: [Int] = []
    /// When meeting confirmations were last sent (nil: never; changes then do not mail anyone).
    public var invitationsSentAt: Date?
    public var version: Int64 = 1
    public var createdAt = Date(timeIntervalSince1970: 0)
    public var updatedAt = Date(timeIntervalSince1970: 0)

    public init() {}
}

/// The RRULE subset Outlook accepts: daily, weekly on days, monthly on a day or an nth weekday,
/// yearly on a date; an interval; a count or an end date; never both.
public struct Recurrence: Codable, Sendable, Equatable {
    /// `daily`, `weekly`, `monthly` or `yearly`.
    public var frequency: String
    public var interval: Int?
    public var count: Int?
    /// The last day an occurrence may start on (`YYYY-MM-DD`, in the appointment's zone).
    public var until: String?
    /// Weekly: `MO`...`SU`; monthly: one day with its week, `2TU` or `-1FR`.
    public var byDay: [String]?
    /// Monthly: the day of the month (1...31 or -1 for the last).
    public var byMonthDay: Int?
    /// Yearly: the month (1...12).
    public var byMonth: Int?
    /// Occurrences left out: their original start (UTC; for all-day, midnight UTC of the day).
    public var excluded: [Date]?

    public init(frequency: String) { self.frequency = frequency }
}

/// One occurrence of a recurring appointment, changed: moved, renamed, or cancelled.
public struct OccurrenceChange: Codable, Sendable, Equatable {
    /// The occurrence's original start (RECURRENCE-ID).
    public var originalStart: Date
    public var start: Date?
    public var end: Date?
    public var subject: String?
    public var place: String?
    public var cancelled: Bool?
    public init(originalStart: Date) { self.originalStart = originalStart }
}

/// Someone invited: an employee (`user`), a contact, or a plain address (`email`).
public struct Attendee: Codable, Sendable, Equatable {
    public var kind: String
    /// The user's or contact's id.
    public var id: Int64?
    public var name: String?
    public var email: String?
    /// `needs_action`, `accepted`, `declined` or `tentative`.
    public var status: String
    public var respondedAt: Date?
    public init(kind: String, id: Int64? = nil, name: String? = nil, email: String? = nil, status: String = "needs_action") {
        self.kind = kind
        self.id = id
        self.name = name
        self.email = email
        self.status = status
    }

    public static let answers = ["accepted", "declined", "tentative"]
}

/// `appointments.create` and (with `id` and `version`) `appointments.update`: the fields given
/// change; lists replace the whole list.
public struct SaveAppointmentRequest: Codable, Sendable {
    public var id: Int64?
    public var version: Int64?
    public var subject: String?
    public var description: String?
    public var place: String?
    public var meetingUrl: String?
    public var allDay: Bool?
    public var start: Date?
    public var end: Date?
    public var zone: String?
    public var startDate: String?
    public var endDate: String?
    public var recurrence: Recurrence?
    /// True removes the recurrence.
    public var clearRecurrence: Bool?
    public var exceptions: [OccurrenceChange]?
    /// Nil on create: the caller.
    public var organizerId: Int64?
    public var attendees: [NewAttendee]?
    public var companyIds: [Int64]?
    public var contactIds: [Int64]?
    public var dealIds: [Int64]?
    public var alarms: [Int]?
    /// Send the meeting confirmation (or, once sent, the update) with this save.
    public var sendInvitations: Bool?
    public init() {}
}

/// An attendee as given: a user or contact by id (their address from the read models), or an address.
public struct NewAttendee: Codable, Sendable {
    public var kind: String
    public var id: Int64?
    public var name: String?
    public var email: String?
    public init(kind: String, id: Int64? = nil, name: String? = nil, email: String? = nil) {
        self.kind = kind
        self.id = id
        self.name = name
        self.email = email
    }
}

/// `appointments.cancel`, `appointments.send_invitations`.
public struct AppointmentVersionRequest: Codable, Sendable {
    public var id: Int64
    public var version: Int64
    public init(id: Int64, version: Int64) {
        self.id = id
        self.version = version
    }
}

/// `appointments.list`: by link (a card's tab) or by organizer, in a period.
public struct ListAppointmentsRequest: Codable, Sendable {
    public var companyId: Int64?
    public var contactId: Int64?
    public var dealId: Int64?
    public var userId: Int64?
    public var cancelled: Bool?
    public var cursor: String?
    public var limit: Int?
    public init() {}
}

/// `calendar.occurrences`: every occurrence of the users' appointments (organizer or
/// attendee) starting in [from, to), expanded on the server.
public struct CalendarRequest: Codable, Sendable {
    public var from: Date
    public var to: Date
    /// Nil: the caller.
    public var userIds: [Int64]?
    public init(from: Date, to: Date, userIds: [Int64]? = nil) {
        self.from = from
        self.to = to
        self.userIds = userIds
    }
}

/// One occurrence on a calendar. All-day ones start and end at midnight UTC of their days
/// (end exclusive) with `all_day` true.
public struct Occurrence: Codable, Sendable, Equatable {
    public var appointmentId: Int64
    public var uid: String
    /// The original start of a recurring appointment's occurrence.
    public var recurrenceId: Date?
    public var start: Date
    public var end: Date
    public var allDay: Bool
    public var subject: String
    public var place: String?
    public var organizerId: Int64?
    /// The users (of those asked for) whose calendar it is on.
    public var userIds: [Int64]
    public init(
        appointmentId: Int64, uid: String, recurrenceId: Date?, start: Date, end: Date, allDay: Bool, subject: String, place: String?,
        organizerId: Int64?, userIds: [Int64]
    ) {
        self.appointmentId = appointmentId
        self.uid = uid
        self.recurrenceId = recurrenceId
        self.start = start
        self.end = end
        self.allDay = allDay
        self.subject = subject
        self.place = place
        self.organizerId = organizerId
        self.userIds = userIds
    }
}

/// An iCalendar object, for the gateway to serve (`text/calendar`) with its ETag.
public struct CalendarObject: Codable, Sendable {
    public var ics: String
    public var etag: String
    public var filename: String
    public init(ics: String, etag: String, filename: String) {
        self.ics = ics
        self.etag = etag
        self.filename = filename
    }
}

/// A calendar feed: a user's (or an employee group's), reached by a secret token that is shown
/// only when it is made or rotated.
public struct CalendarFeed: Codable, Sendable, Equatable {
    public var id: Int64
    /// `user` or `group`.
    public var kind: String
    public var userId: Int64?
    public var groupId: Int64?
    public var createdAt: Date
    public var rotatedAt: Date?
    public var lastReadAt: Date?
    /// Only in the answer that made or rotated it.
    public var token: String?
    public init(id: Int64, kind: String, userId: Int64?, groupId: Int64?, createdAt: Date, rotatedAt: Date?, lastReadAt: Date?) {
        self.id = id
        self.kind = kind
        self.userId = userId
        self.groupId = groupId
        self.createdAt = createdAt
        self.rotatedAt = rotatedAt
        self.lastReadAt = lastReadAt
    }
}

/// `feeds.create`: the caller's own feed, or (a boss, or a member) a group's.
public struct CreateFeedRequest: Codable, Sendable {
    public var groupId: Int64?
    public init(groupId: Int64? = nil) { self.groupId = groupId }
}

/// `feeds.read` and `rsvp.*`: a secret token from a link.
public struct SecretTokenRequest: Codable, Sendable {
    public var token: String
    public var answer: String?
    public init(token: String, answer: String? = nil) {
        self.token = token
        self.answer = answer
    }
}

/// What an attendee's answer link shows: the appointment as they were invited to it.
public struct RSVPView: Codable, Sendable {
    public var subject: String
    public var start: Date?
    public var end: Date?
    public var zone: String?
    public var startDate: String?
    public var endDate: String?
    public var place: String?
    public var organizerName: String?
    public var attendeeName: String?
    public var status: String
    public var cancelled: Bool
    public init(
        subject: String, start: Date?, end: Date?, zone: String?, startDate: String?, endDate: String?, place: String?,
        organizerName: String?, attendeeName: String?, status: String, cancelled: Bool
    ) {
        self.subject = subject
        self.start = start
        self.end = end
        self.zone = zone
        self.startDate = startDate
        self.endDate = endDate
        self.place = place
        self.organizerName = organizerName
        self.attendeeName = attendeeName
        self.status = status
        self.cancelled = cancelled
    }
}

/// Payload of appointment events, with the linked customers for their history.
public struct AppointmentChanged: Codable, Sendable {
    public var appointment: Appointment
    public var actor: String?
    /// For `attendee.responded`: whose answer, and which.
    public var attendee: Attendee?
    public init(appointment: Appointment, actor: String?, attendee: Attendee? = nil) {
        self.appointment = appointment
        self.actor = actor
        self.attendee = attendee
    }
}
