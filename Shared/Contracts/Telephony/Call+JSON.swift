import Foundation

extension Call: WireJSONEncodable {}

extension Call {
    /// The same JSON as `Wire.encode(self)`, written by hand (see `JSONWriter`).
    public var wireJSON: Data {
        var json = JSONWriter()
        json.bool("ambiguous", ambiguous)
        json.date("answered_at", answeredAt)
        json.string("answered_by", answeredBy)
        json.integer("answered_by_user_id", answeredByUserId)
        json.integer("billsec", billsec)
        json.string("caller_name", callerName)
        json.integers("company_ids", companyIds)
        json.integer("contact_id", contactId)
        json.integers("contact_ids", contactIds)
        json.string("direction", direction)
        json.string("disposition", disposition)
        json.integer("duration", duration)
        json.date("ended_at", endedAt)
        json.integer("event_count", eventCount)
        json.string("extension", `extension`)
        json.string("external_id", externalId)
        json.string("from", from)
        json.string("from_e164", fromE164)
        json.integer("id", id)
        json.integer("legs", legs)
        json.string("outcome", outcome)
        json.string("producer", producer)
        json.string("recording_url", recordingUrl)
        json.integer("ring_seconds", ringSeconds)
        json.date("started_at", startedAt)
        json.string("status", status)
        json.bool("timed_out", timedOut)
        json.string("to", to)
        json.string("to_e164", toE164)
        json.bool("unmatched", unmatched)
        json.string("user", user)
        json.integer("user_id", userId)
        return json.finish()
    }
}
