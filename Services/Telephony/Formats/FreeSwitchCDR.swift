import Contracts
import Foundation
import ServiceKit

/// FreeSWITCH mod_json_cdr: one JSON document per leg at hangup (posted one at a time, or files
/// joined as an array or one document per line). `variables` holds the facts, URL-encoded by
/// default; the B-leg carries the A-leg's `call_uuid`.
enum FreeSwitchCDR {
    static func parse(_ text: String) -> ParsedInput {
        var input = ParsedInput()
        let trimmed = text.trimmed
        var documents: [(line: Int, value: Any?)] = []
        if trimmed.hasPrefix("["),
            let array = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [Any]
        {
            documents = array.enumerated().map { ($0.offset + 1, $0.element) }
        } else if let single = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)), single is [String: Any] {
            documents = [(1, single)]
        } else {
            // One document per line.
            documents = CallFormats.lines(text).map { line, text in
                (line, try? JSONSerialization.jsonObject(with: Data(text.utf8)))
            }
        }
        for (line, value) in documents {
            input.rows += 1
            guard let document = value as? [String: Any] else {
                input.reject(line, "not a JSON object")
                continue
            }
            do {
                input.events.append((line, try event(document)))
            } catch let error as RowError {
                input.reject(line, error.reason)
            } catch {
                input.reject(line, "\(error)")
            }
        }
        return input
    }

    static func event(_ document: [String: Any]) throws -> CallEventInput {
        guard let variables = document["variables"] as? [String: Any] else { throw RowError("no variables object") }
        func value(_ name: String) -> String? {
            let raw: String?
            switch variables[name] {
            case let text as String: raw = text
            case let number as NSNumber: raw = number.stringValue
            default: raw = nil
            }
            guard let raw = raw?.trimmed, !raw.isEmpty else { return nil }
            return raw.removingPercentEncoding ?? raw
        }
        guard let uuid = value("uuid") else { throw RowError("variables.uuid is missing") }
        func epoch(_ name: String) throws -> Date? {
            guard let text = value(name) else { return nil }
            guard let seconds = Double(text) else { throw RowError("\(name) '\(text)' is not a number") }
            return seconds > 0 ? Date(timeIntervalSince1970: seconds) : nil
        }
        guard let start = try epoch("start_epoch") else { throw RowError("start_epoch is missing") }
        let answer = try epoch("answer_epoch")
        let end = try epoch("end_epoch") ?? start
        let callUUID = value("call_uuid") ?? uuid
        let isALeg = callUUID == uuid
        let caller = value("caller_id_number") ?? value("sip_from_user")
        let destination = value("destination_number") ?? value("callee_id_number") ?? value("dialed_user")
        var event = CallEventInput(
            eventId: "fs-" + uuid, callId: callUUID, type: "completed", from: caller, to: destination, at: end)
        event.leg = uuid
        event.startedAt = start
        event.answeredAt = answer
        event.endedAt = end
        event.duration = value("duration").flatMap { Int($0) }
        event.billsec = value("billsec").flatMap { Int($0) }
        event.callerName = value("caller_id_name")
        event.recordingUrl = value("record_file_path") ?? value("recording_url")
        if isALeg {
            event.direction = CallFormats.direction(from: caller, to: destination)
            event.extension =
                event.direction == "outbound"
                ? caller.flatMap(PhoneNormalizer.extensionNumber)
                : destination.flatMap(PhoneNormalizer.extensionNumber)
        }
        let app = value("last_app")?.lowercased()
        if app == "voicemail", answer != nil {
            event.disposition = "VOICEMAIL"
        } else {
            event.disposition = disposition(cause: value("hangup_cause"), answered: answer != nil)
            if answer != nil, !isALeg { event.answeredBy = value("callee_id_number") ?? destination }
        }
        return event
    }

    /// Q.850 cause names as FreeSWITCH writes them.
    static func disposition(cause: String?, answered: Bool) -> String? {
        if answered { return "ANSWERED" }
        switch cause?.uppercased() {
        case "NORMAL_CLEARING", "ORIGINATOR_CANCEL", "LOSE_RACE", "PICKED_OFF": return "CANCEL"
        case "NO_ANSWER", "NO_USER_RESPONSE", "ALLOTTED_TIMEOUT", "RECOVERY_ON_TIMER_EXPIRE": return "NO ANSWER"
        case "USER_BUSY", "CALL_REJECTED": return "BUSY"
        case nil: return nil
        default: return "FAILED"
        }
    }
}
