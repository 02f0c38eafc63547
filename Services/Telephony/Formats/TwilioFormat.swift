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
        let sequence = form["SequenceNumber"].flatMap { Int($0) }.flatMap { (0...Int(Int32.max)).contains($0) ? $0 : nil }
        var event = CallEventInput(
            eventId: "\(sid):\(sequence.map(String.init) ?? status)", callId: parent ?? sid, type: nil,
            from: form["From"]?.trimmed.nilIfEmpty,
            to: form["To"]?.trimmed.nilIfEmpty, at: form["Timestamp"].flatMap(rfc2822).flatMap(CallFormats.plausible))
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

    /// RFC 2822 times as Twilio writes them: `Mon, 16 Aug 2010 03:45:01 +0000` (the day name
    /// optional, `GMT`/`UT`/`Z` for +0000), else ISO 8601. Read by hand: Foundation's
    /// `DateFormatter` traps ("Incorrect range") on a combining mark followed by NULs, which a
    /// webhook body can carry (found by fuzzing; Fuzz/corpus/times/regression-dateformatter-range).
    static func rfc2822(_ raw: String) -> Date? {
        let text = raw.trimmed
        guard text.utf8.count <= 64, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        let afterDay = text.firstIndex(of: ",").map { text[text.index(after: $0)...] } ?? text[...]
        let parts = afterDay.split(separator: " ")
        guard parts.count == 5, let day = Int(parts[0]), (1...31).contains(day), parts[2].count == 4, let year = Int(parts[2]),
            (1970...2200).contains(year),
            let month = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].firstIndex(
                of: parts[1].lowercased())
        else { return CallFormats.isoTime(text) }
        let clock = parts[3].split(separator: ":").map { Int($0) }
        guard clock.count == 3, let hour = clock[0], let minute = clock[1], let second = clock[2], (0..<24).contains(hour),
            (0..<60).contains(minute), (0...60).contains(second)
        else { return nil }
        let zone = parts[4]
        var offset = 0
        if !["GMT", "UT", "UTC", "Z"].contains(zone.uppercased()) {
            guard zone.count == 5, let sign = zone.first, sign == "+" || sign == "-", let value = Int(zone.dropFirst()),
                value % 100 < 60, value / 100 < 24
            else { return nil }
            offset = (value / 100 * 3600 + value % 100 * 60) * (sign == "-" ? -1 : 1)
        }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        let seconds = timegm(&fields)
        guard fields.tm_mday == Int32(day), fields.tm_mon == Int32(month) else { return nil }  // 31 February
        return Date(timeIntervalSince1970: Double(seconds - offset))
    }
}
