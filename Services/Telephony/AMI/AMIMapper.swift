import Contracts
import Foundation
import ServiceKit

/// Turns Asterisk 12+ AMI events into generic call events. A call is every channel with one
/// Linkedid (each channel a leg, by Uniqueid); it is over when all of them have hung up. Event
/// ids come from what the event says (channel and kind), never from SequenceNumber, which repeats
/// and goes backwards across manager sessions: an event seen again after a reconnect is a duplicate.
enum AMIMapper {
    static func events(_ fields: [String: String], receivedAt: Date) -> [CallEventInput] {
        guard let name = fields["Event"] else { return [] }
        func value(_ key: String) -> String? {
            guard let text = fields[key]?.trimmed, !text.isEmpty, !["<unknown>", "<null>"].contains(text.lowercased()) else {
                return nil
            }
            return text
        }
        let at = value("Timestamp").flatMap(Double.init).map { Date(timeIntervalSince1970: $0) } ?? receivedAt
        func event(_ kind: String, leg: String?, linkedid: String?, type: String) -> CallEventInput? {
            guard let leg else { return nil }
            var event = CallEventInput(eventId: "ami:\(leg):\(kind)", callId: linkedid ?? leg, type: type, at: at)
            event.leg = leg
            return event
        }
        switch name {
        case "Newchannel":
            guard var event = event("new", leg: value("Uniqueid"), linkedid: value("Linkedid"), type: "ringing") else { return [] }
            event.from = value("CallerIDNum")
            event.callerName = value("CallerIDName")
            let exten = value("Exten").flatMap { $0 == "s" ? nil : $0 }
            event.to = exten
            if value("Uniqueid") == (value("Linkedid") ?? value("Uniqueid")) {
                // The first channel of the call decides its direction.
                let caller = value("CallerIDNum") ?? value("Channel").flatMap(PhoneNormalizer.extensionNumber)
                event.direction = CallFormats.direction(from: caller, to: exten)
                if event.direction != "inbound" { event.extension = caller.flatMap(PhoneNormalizer.extensionNumber) }
            }
            return [event]
        case "DialBegin":
            guard
                var event = event("dial", leg: value("DestUniqueid"), linkedid: value("DestLinkedid") ?? value("Linkedid"), type: "ringing")
            else { return [] }
            event.extension = value("DestChannel").flatMap(PhoneNormalizer.extensionNumber)
            return [event]
        case "DialEnd":
            let status = value("DialStatus")?.uppercased() ?? ""
            let answer = status == "ANSWER"
            guard
                var event = event(
                    answer ? "answer" : "dialend", leg: value("DestUniqueid"), linkedid: value("DestLinkedid") ?? value("Linkedid"),
                    type: answer ? "answered" : "hangup")
            else { return [] }
            if answer {
                event.answeredBy = value("DestChannel").flatMap(PhoneNormalizer.extensionNumber) ?? value("DestCallerIDNum")
            } else {
                event.disposition =
                    ["NOANSWER": "NO ANSWER", "CANCEL": "CANCEL", "BUSY": "BUSY"][status] ?? (status.isEmpty ? nil : "FAILED")
            }
            return [event]
        case "BridgeEnter":
            guard let event = event("bridge", leg: value("Uniqueid"), linkedid: value("Linkedid"), type: "answered") else { return [] }
            return [event]
        case "Newexten", "VarSet":
            // The caller's channel entering VoiceMail: the call went to voicemail.
            guard name == "Newexten", value("Application")?.lowercased() == "voicemail",
                var event = event("voicemail", leg: value("Uniqueid"), linkedid: value("Linkedid"), type: "answered")
            else { return [] }
            event.disposition = "VOICEMAIL"
            return [event]
        case "Hangup":
            guard var event = event("hangup", leg: value("Uniqueid"), linkedid: value("Linkedid"), type: "hangup") else { return [] }
            switch value("Cause").flatMap(Int.init) {
            case 17, 21: event.disposition = "BUSY"
            case 18, 19: event.disposition = "NO ANSWER"
            case 1, 3, 27, 34, 38, 41, 42: event.disposition = "FAILED"
            default: break
            }
            return [event]
        default:
            return []
        }
    }
}
