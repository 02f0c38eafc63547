import Bus
import Contracts
import Foundation
import ServiceKit

/// Twilio's voice status callback (form-encoded). A child leg (`ParentCallSid`) belongs to its
/// parent's call; callbacks come out of order and are ordered by `SequenceNumber`; parameters
/// Twilio adds later are ignored.
enum TwilioFormat {
    static func parse(_ content: Data) throws -> ParsedInput {
        let form = FormEncoding.fields(String(decoding: content, as: UTF8.self))
        guard let sid = form["CallSid"]?.trimmed.nilIfEmpty else { throw BusError.invalid("a Twilio callback needs CallSid") }
        guard let status = form["CallStatus"]?.trimmed.nilIfEmpty?.lowercased() else {
            throw BusError.invalid("a Twilio callback needs CallStatus")
        }
        var input = ParsedInput(rows: 1)
        input.producer = form["AccountSid"]?.trimmed.nilIfEmpty.map { "twilio-" + $0 }
        let parent = form["ParentCallSid"]?.trimmed.nilIfEmpty
        let sequence = form["SequenceNumber"].flatMap { Int($0) }
        var event = CallEventInput(
            eventId: "\(sid):\(sequence.map(String.init) ?? status)", callId: parent ?? sid, type: nil,
            from: form["From"]?.trimmed.nilIfEmpty,
            to: form["To"]?.trimmed.nilIfEmpty, at: form["Timestamp"].flatMap(rfc2822))
        event.leg = sid
        event.sequence = sequence
        event.callerName = form["CallerName"]?.trimmed.nilIfEmpty
        event.recordingUrl = form["RecordingUrl"]?.trimmed.nilIfEmpty
        // A child leg is dialled by the parent: its Direction (outbound-dial) is not the call's.
        if parent == nil, let direction = form["Direction"]?.lowercased() {
            event.direction = direction.hasPrefix("outbound") ? "outbound" : "inbound"
        }
        let machine = form["AnsweredBy"]?.lowercased().hasPrefix("machine") == true
        switch status {
        case "queued", "initiated", "ringing":
            event.type = "ringing"
        case "in-progress", "answered":
            event.type = "answered"
            if machine { event.disposition = "VOICEMAIL" }
            if parent != nil { event.answeredBy = event.to }
        case "completed":
            event.type = "hangup"
            let talk = CallFormats.seconds(form["CallDuration"])
            event.billsec = talk
            event.disposition = machine ? "VOICEMAIL" : ((talk ?? 1) > 0 ? "ANSWERED" : "NO ANSWER")
            if parent != nil, !machine, (talk ?? 0) > 0 { event.answeredBy = event.to }
        case "busy": event.type = "hangup"; event.disposition = "BUSY"
        case "failed": event.type = "hangup"; event.disposition = "FAILED"
        case "no-answer": event.type = "hangup"; event.disposition = "NO ANSWER"
        case "canceled": event.type = "hangup"; event.disposition = "CANCEL"
        default:
            throw BusError.invalid("CallStatus '\(status)' is not one Twilio sends for calls")
        }
        input.events.append((1, event))
        return input
    }

    /// RFC 2822 times as Twilio writes them: `Mon, 16 Aug 2010 03:45:01 +0000`.
    static func rfc2822(_ raw: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for format in ["EEE, dd MMM yyyy HH:mm:ss Z", "dd MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm:ss Z"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: raw.trimmed) { return date }
        }
        return CallFormats.isoTime(raw)
    }
}
