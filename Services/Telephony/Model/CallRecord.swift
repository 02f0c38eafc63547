import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// A row of `call`: one call as its events describe it so far.
struct CallRecord: Codable, FetchableRecord, TableRecord, Equatable {
    static let databaseTableName = "call"
    var id: Int64?
    var producer: String
    var externalId: String
    var direction: String
    var fromRaw: String?
    var fromE164: String?
    var toRaw: String?
    var toE164: String?
    var `extension`: String?
    var user: String?
    /// The employee whose extension took or made the call (from settings' users).
    var userId: Int64?
    var contactId: Int64?
    var companyId: Int64?
    /// The other party's number as the phone index keys it.
    var remoteKey: String?
    /// Contacts and companies the number matched directly.
    var matchCount: Int = 0
    var callerName: String?
    var answeredBy: String?
    var answeredByUserId: Int64?
    var ringSeconds: Int?
    var legs: Int = 1
    var timedOut: Bool = false
    var lastEventAt: Date?
    var status: String
    var startedAt: Date?
    var answeredAt: Date?
    var endedAt: Date?
    var duration: Int?
    var billsec: Int?
    var disposition: String?
    var recordingUrl: String?
    var eventCount: Int
    var loggedAt: Date?
    var updatedAt: Date

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let producer = Column(CodingKeys.producer)
        static let externalId = Column(CodingKeys.externalId)
        static let contactId = Column(CodingKeys.contactId)
        static let direction = Column(CodingKeys.direction)
        static let status = Column(CodingKeys.status)
        static let user = Column(CodingKeys.user)
        static let startedAt = Column(CodingKeys.startedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, producer, direction, `extension`, user, status, duration, billsec, disposition
        case externalId = "external_id"
        case fromRaw = "from_raw"
        case fromE164 = "from_e164"
        case toRaw = "to_raw"
        case toE164 = "to_e164"
        case contactId = "contact_id"
        case companyId = "company_id"
        case remoteKey = "remote_key"
        case matchCount = "match_count"
        case callerName = "caller_name"
        case answeredBy = "answered_by"
        case answeredByUserId = "answered_by_user_id"
        case ringSeconds = "ring_seconds"
        case legs
        case timedOut = "timed_out"
        case lastEventAt = "last_event_at"
        case userId = "user_id"
        case startedAt = "started_at"
        case answeredAt = "answered_at"
        case endedAt = "ended_at"
        case recordingUrl = "recording_url"
        case eventCount = "event_count"
        case loggedAt = "logged_at"
        case updatedAt = "updated_at"
    }

    /// Takes what the call's events say, with the numbers also in E.164.
    mutating func apply(_ state: CallState, phones: PhoneNormalizer) {
        direction = state.direction
        // Each number is read once (normalising was a tenth of the ingest's time).
        if state.from != fromRaw || fromE164 == nil {
            fromRaw = state.from
            fromE164 = state.from.flatMap(phones.e164)
        }
        if state.to != toRaw || toE164 == nil {
            toRaw = state.to
            toE164 = state.to.flatMap(phones.e164)
        }
        `extension` = state.extension
        user = state.user
        callerName = state.callerName
        answeredBy = state.answeredBy
        ringSeconds = state.ringSeconds
        legs = state.legs
        lastEventAt = state.lastEventAt
        switch state.direction {
        case "outbound": remoteKey = toE164 ?? toRaw.flatMap { PartyIndex.key(for: $0, phones: phones) }
        case "internal": remoteKey = nil
        default: remoteKey = fromE164 ?? fromRaw.flatMap { PartyIndex.key(for: $0, phones: phones) }
        }
        status = state.status
        startedAt = state.startedAt
        answeredAt = state.answeredAt
        endedAt = state.endedAt
        duration = state.duration
        billsec = state.billsec
        disposition = state.disposition
        recordingUrl = state.recordingUrl
    }

    /// Whether the call is over (a hangup or completed event has arrived).
    var isEnded: Bool { endedAt != nil }

    /// The call as the API and the `call.logged` event show it.
    func contract(contacts: [Int64], companies: [Int64]) -> Call {
        var call = Call(
            id: id ?? 0, producer: producer, externalId: externalId, direction: direction, status: status,
            eventCount: eventCount)
        call.from = fromRaw
        call.fromE164 = fromE164
        call.to = toRaw
        call.toE164 = toE164
        call.extension = `extension`
        call.user = user
        call.userId = userId
        call.contactId = contactId
        call.contactIds = contacts
        call.companyIds = companies
        call.ambiguous = matchCount > 1
        call.unmatched = matchCount == 0 && remoteKey != nil
        call.outcome = TelephonyContract.outcomes.contains(status) ? status : nil
        call.callerName = callerName
        call.answeredBy = answeredBy
        call.answeredByUserId = answeredByUserId
        call.ringSeconds = ringSeconds
        call.legs = legs
        call.timedOut = timedOut
        call.startedAt = startedAt
        call.answeredAt = answeredAt
        call.endedAt = endedAt
        call.duration = duration
        call.billsec = billsec
        call.disposition = disposition
        call.recordingUrl = recordingUrl
        return call
    }

    /// The fields a consumer sees, to tell whether an update is worth an event.
    func sameFacts(as other: CallRecord) -> Bool {
        var a = self, b = other
        a.updatedAt = b.updatedAt
        a.loggedAt = b.loggedAt
        a.eventCount = b.eventCount
        a.lastEventAt = b.lastEventAt
        return a == b
    }
}

/// A row of `call_event`: one event as received, kept so the call can be recomputed from all of
/// them whatever order they came in.
struct CallEventRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "call_event"
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    var producer: String
    var eventId: String
    var callId: Int64
    var type: String
    var at: Date
    var payload: Data
    var receivedAt: Date

    enum Columns {
        static let callId = Column(CodingKeys.callId)
    }

    enum CodingKeys: String, CodingKey {
        case producer, type, at, payload
        case eventId = "event_id"
        case callId = "call_id"
        case receivedAt = "received_at"
    }
}

/// Rows read and written by hand: GRDB's Codable path (decoder, persistence container, a
/// statement compiled per update) was a third of the ingest's time (perf, crm-bench telephony).
extension CallRecord {
    init(row: Row) throws {
        id = row["id"]
        producer = row["producer"]
        externalId = row["external_id"]
        direction = row["direction"]
        fromRaw = row["from_raw"]
        fromE164 = row["from_e164"]
        toRaw = row["to_raw"]
        toE164 = row["to_e164"]
        `extension` = row["extension"]
        user = row["user"]
        userId = row["user_id"]
        contactId = row["contact_id"]
        companyId = row["company_id"]
        remoteKey = row["remote_key"]
        matchCount = row["match_count"]
        callerName = row["caller_name"]
        answeredBy = row["answered_by"]
        answeredByUserId = row["answered_by_user_id"]
        ringSeconds = row["ring_seconds"]
        legs = row["legs"]
        timedOut = row["timed_out"]
        lastEventAt = row["last_event_at"]
        status = row["status"]
        startedAt = row["started_at"]
        answeredAt = row["answered_at"]
        endedAt = row["ended_at"]
        duration = row["duration"]
        billsec = row["billsec"]
        disposition = row["disposition"]
        recordingUrl = row["recording_url"]
        eventCount = row["event_count"]
        loggedAt = row["logged_at"]
        updatedAt = row["updated_at"]
    }

    static func load(_ db: Database, id: Int64) throws -> CallRecord? {
        try CallRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM call WHERE id = ?"), arguments: [id])
    }

    /// Writes every column but the id and the producer's ids.
    func write(_ db: Database) throws {
        func date(_ value: Date?) -> String? { value.map { DatabaseDate.string($0) } }
        try db.cachedStatement(
            sql: """
                UPDATE call SET direction = ?, from_raw = ?, from_e164 = ?, to_raw = ?, to_e164 = ?, extension = ?, user = ?,
                    user_id = ?, contact_id = ?, company_id = ?, remote_key = ?, match_count = ?, caller_name = ?, answered_by = ?,
                    answered_by_user_id = ?, ring_seconds = ?, legs = ?, timed_out = ?, last_event_at = ?, status = ?, started_at = ?,
                    answered_at = ?, ended_at = ?, duration = ?, billsec = ?, disposition = ?, recording_url = ?, event_count = ?,
                    logged_at = ?, updated_at = ?
                WHERE id = ?
                """
        ).execute(arguments: [
            direction, fromRaw, fromE164, toRaw, toE164, `extension`, user, userId, contactId, companyId, remoteKey, matchCount,
            callerName, answeredBy, answeredByUserId, ringSeconds, legs, timedOut, date(lastEventAt), status, date(startedAt),
            date(answeredAt), date(endedAt), duration, billsec, disposition, recordingUrl, eventCount, date(loggedAt),
            DatabaseDate.string(updatedAt), id,
        ])
    }
}
