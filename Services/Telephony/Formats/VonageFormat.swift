import Bus
import Contracts
import Foundation
import ServiceKit

/// Vonage's voice event webhook (JSON). `conversation_uuid` ties the legs (`uuid`) of a call.
/// Events that are not about a call's state (input, transfer, ...) are ignored, not rejected.
enum VonageFormat {
    struct Event: Decodable {
        var from: String?
        var to: String?
        var uuid: String?
        var conversationUuid: String?
        var status: String?
        var direction: String?
        var timestamp: String?
        var startTime: String?
        var endTime: String?
        var duration: String?
        var recordingUrl: String?

        enum CodingKeys: String, CodingKey {
            case from, to, uuid, status, direction, timestamp, duration
            case conversationUuid = "conversation_uuid"
            case startTime = "start_time"
            case endTime = "end_time"
            case recordingUrl = "recording_url"
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func text(_ key: CodingKeys) -> String? {
                if let value = try? container.decodeIfPresent(String.self, forKey: key) { return value }
                if let value = try? container.decodeIfPresent(Double.self, forKey: key), value.isFinite, abs(value) < 1e15 {
                    return String(Int(value))
                }
                return nil
            }
            from = text(.from)
            to = text(.to)
            uuid = text(.uuid)
            conversationUuid = text(.conversationUuid)
            status = text(.status)
            direction = text(.direction)
            timestamp = text(.timestamp)
            startTime = text(.startTime)
            endTime = text(.endTime)
            duration = text(.duration)
            recordingUrl = text(.recordingUrl)
        }
    }

    static func parse(_ content: Data) throws -> ParsedInput {
        let body: Event
        do {
            body = try JSONDecoder().decode(Event.self, from: content)
        } catch {
            throw BusError.invalid("a Vonage event must be a JSON object")
        }
        var input = ParsedInput(rows: 1)
        guard let status = body.status?.lowercased(), let leg = body.uuid?.trimmed.nilIfEmpty else { return input }
        var event = CallEventInput(
            eventId: "\(leg):\(status)", callId: body.conversationUuid?.trimmed.nilIfEmpty ?? leg, type: nil,
            from: body.from?.trimmed.nilIfEmpty,
            to: body.to?.trimmed.nilIfEmpty, at: body.timestamp.flatMap(CallFormats.isoTime).flatMap(CallFormats.plausible))
        event.leg = leg
        event.recordingUrl = body.recordingUrl?.trimmed.nilIfEmpty
        if let direction = body.direction?.lowercased(), ["inbound", "outbound"].contains(direction) { event.direction = direction }
        switch status {
        case "started", "ringing":
            event.type = "ringing"
        case "answered":
            event.type = "answered"
            if event.direction == "outbound" { event.answeredBy = event.to }
        case "completed":
            event.type = "hangup"
            let talk = CallFormats.seconds(body.duration)
            event.billsec = talk
            event.disposition = (talk ?? 0) > 0 ? "ANSWERED" : nil
            event.endedAt = body.endTime.flatMap(CallFormats.isoTime).flatMap(CallFormats.plausible)
        case "busy", "rejected": event.type = "hangup"; event.disposition = "BUSY"
        case "cancelled": event.type = "hangup"; event.disposition = "CANCEL"
        case "unanswered", "timeout": event.type = "hangup"; event.disposition = "NO ANSWER"
        case "failed": event.type = "hangup"; event.disposition = "FAILED"
        case "disconnected": event.type = "hangup"
        default:
            return input  // not a call state this log follows
        }
        input.events.append((1, event))
        return input
    }
}
