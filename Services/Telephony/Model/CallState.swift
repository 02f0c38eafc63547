import Contracts
import Foundation
import ServiceKit

/// Folds the events of one call, over all its legs, into what the call log shows. The result
/// depends only on the set of events, not on the order they arrived in, so out-of-order and
/// repeated delivery give the same call.
struct CallState: Equatable {
    var direction = "inbound"
    var from: String?
    var to: String?
    var callerName: String?
    var `extension`: String?
    var user: String?
    var answeredBy: String?
    var startedAt: Date?
    var answeredAt: Date?
    var endedAt: Date?
    var duration: Int?
    var billsec: Int?
    var ringSeconds: Int?
    var disposition: String?
    var recordingUrl: String?
    var status = "ringing"
    var legs = 1
    /// The time of the latest event, for closing calls that never end.
    var lastEventAt: Date?

    static let eventTypes: Set<String> = ["ringing", "answered", "hangup", "completed"]
    static let directions: Set<String> = ["inbound", "outbound", "internal"]

    /// What one leg went through.
    private struct Leg {
        var answered = false
        var voicemail = false
        var ended = false
    }

    /// - Parameter events: every event of the call, each with its time.
    init(events: [(event: CallEventInput, at: Date)]) {
        // Earliest first (a CDR row by its start), then the producer's order, then the event id,
        // so the fold is deterministic.
        let sorted = events.sorted { a, b in
            let (x, y) = (a.event.startedAt ?? a.at, b.event.startedAt ?? b.at)
            if x != y { return x < y }
            if (a.event.sequence ?? 0) != (b.event.sequence ?? 0) { return (a.event.sequence ?? 0) < (b.event.sequence ?? 0) }
            return (a.event.eventId ?? "") < (b.event.eventId ?? "")
        }
        var legs: [String: Leg] = [:]
        var dispositions: [String] = []
        var humanAnswerBy: String?
        for (event, at) in sorted {
            let legKey = event.leg?.trimmed.nilIfEmpty ?? ""
            var leg = legs[legKey] ?? Leg()
            from = from ?? event.from?.trimmed.nilIfEmpty
            to = to ?? event.to?.trimmed.nilIfEmpty
            callerName = callerName ?? event.callerName?.trimmed.nilIfEmpty
            `extension` = `extension` ?? event.extension?.trimmed.nilIfEmpty
            user = user ?? event.user?.trimmed.nilIfEmpty
            recordingUrl = recordingUrl ?? event.recordingUrl?.trimmed.nilIfEmpty
            lastEventAt = max(lastEventAt ?? at, at)
            let kind = Self.disposition(event.disposition)
            if kind == "VOICEMAIL" { leg.voicemail = true }
            var begin = event.startedAt ?? at
            var answer = event.answeredAt
            switch event.type {
            case "answered":
                answer = answer ?? at
            case "hangup", "completed":
                let end = event.endedAt ?? at
                leg.ended = true
                endedAt = max(endedAt ?? end, end)
                if let value = event.duration {
                    duration = max(duration ?? 0, value)
                    if event.type == "completed", event.startedAt == nil { begin = end.addingTimeInterval(-Double(value)) }
                }
                if let value = event.billsec {
                    if kind != "VOICEMAIL" { billsec = max(billsec ?? 0, value) }
                    if value > 0, answer == nil { answer = end.addingTimeInterval(-Double(value)) }
                }
                if let kind { dispositions.append(kind) }
                if kind == "ANSWERED", answer == nil { answer = end }
            default:
                break
            }
            startedAt = min(startedAt ?? begin, begin)
            if let answer {
                leg.answered = true
                if kind != "VOICEMAIL" && !leg.voicemail {
                    answeredAt = min(answeredAt ?? answer, answer)
                    humanAnswerBy = humanAnswerBy ?? event.answeredBy?.trimmed.nilIfEmpty
                }
            }
            legs[legKey] = leg
        }
        self.legs = max(1, legs.count)
        // The earliest event that names a direction decides it (child legs leave it out).
        if let direction = sorted.compactMap({ $0.event.direction }).first { self.direction = direction }
        let humanAnswered = legs.values.contains { $0.answered && !$0.voicemail }
        let voicemail = legs.values.contains { $0.voicemail }
        answeredBy = humanAnswered ? (humanAnswerBy ?? (direction == "outbound" ? to : `extension`)) : nil
        if !humanAnswered { answeredAt = nil }
        let ended = !legs.isEmpty && legs.values.allSatisfy { $0.ended }
        disposition = Self.priority.first { dispositions.contains($0) } ?? dispositions.first
        if ended, let end = endedAt {
            if duration == nil, let start = startedAt { duration = max(0, Int(end.timeIntervalSince(start).rounded())) }
            if billsec == nil || !humanAnswered {
                billsec = humanAnswered ? answeredAt.map { max(0, Int(end.timeIntervalSince($0).rounded())) } : 0
            }
            status = Self.outcome(
                direction: direction, humanAnswered: humanAnswered, voicemail: voicemail, dispositions: Set(dispositions))
            ringSeconds = startedAt.map { start in
                max(0, Int(((humanAnswered ? answeredAt : nil) ?? end).timeIntervalSince(start).rounded()))
            }
        } else {
            endedAt = nil
            status = humanAnswered ? "in_progress" : "ringing"
            if humanAnswered, let start = startedAt, let answer = answeredAt {
                ringSeconds = max(0, Int(answer.timeIntervalSince(start).rounded()))
            }
        }
    }

    /// Which disposition describes a call whose legs ended differently.
    static let priority = ["ANSWERED", "VOICEMAIL", "BUSY", "NO ANSWER", "CANCEL", "FAILED"]

    /// The outcome of an ended call. Inbound calls nobody answered are missed (busy or failed only
    /// when every leg says so); outbound ones say why the other side did not answer.
    static func outcome(direction: String, humanAnswered: Bool, voicemail: Bool, dispositions: Set<String>) -> String {
        if humanAnswered { return "answered" }
        if voicemail { return "voicemail" }
        if direction == "inbound" {
            if !dispositions.isEmpty && dispositions == ["BUSY"] { return "busy" }
            if !dispositions.isEmpty && dispositions == ["FAILED"] { return "failed" }
            return "missed"
        }
        if dispositions.contains("BUSY") { return "busy" }
        if dispositions.contains("NO ANSWER") || dispositions.contains("CANCEL") { return "no_answer" }
        if dispositions.contains("FAILED") { return "failed" }
        return "no_answer"
    }

    /// A disposition in one spelling: Asterisk's (`NO ANSWER`, `CHANUNAVAIL`), Twilio's
    /// (`no-answer`, `canceled`), FreeSWITCH's and ours all become one of `priority`.
    static func disposition(_ raw: String?) -> String? {
        guard let raw = raw?.trimmed.nilIfEmpty else { return nil }
        let key = raw.uppercased().replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
        switch key {
        case "ANSWERED", "ANSWER", "COMPLETED": return "ANSWERED"
        case "NO ANSWER", "NOANSWER", "UNANSWERED", "TIMEOUT": return "NO ANSWER"
        case "BUSY", "REJECTED": return "BUSY"
        case "CANCEL", "CANCELED", "CANCELLED": return "CANCEL"
        case "FAILED", "CONGESTION", "CHANUNAVAIL": return "FAILED"
        case "VOICEMAIL", "MACHINE": return "VOICEMAIL"
        default: return nil
        }
    }

    /// The other party's number: the caller of an inbound call, the callee of an outbound one.
    var remoteNumber: String? {
        switch direction {
        case "outbound": return to
        case "internal": return nil
        default: return from
        }
    }
}
