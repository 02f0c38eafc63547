import Contracts
import Foundation

/// Folds the events of one call into its state. The result depends only on the set of events,
/// not on the order they arrived in, so out-of-order and repeated delivery give the same call.
struct CallState: Equatable {
    var direction = "inbound"
    var from: String?
    var to: String?
    var `extension`: String?
    var user: String?
    var startedAt: Date?
    var answeredAt: Date?
    var endedAt: Date?
    var duration: Int?
    var billsec: Int?
    var disposition: String?
    var recordingUrl: String?
    var status = "ringing"

    static let eventTypes: Set<String> = ["ringing", "answered", "hangup", "completed"]
    static let directions: Set<String> = ["inbound", "outbound", "internal"]

    /// - Parameter events: every event of the call, each with its time.
    init(events: [(event: CallEventInput, at: Date)]) {
        // Sort by time, then by event id, so the fold is deterministic.
        let sorted = events.sorted { ($0.at, $0.event.eventId ?? "") < ($1.at, $1.event.eventId ?? "") }
        var explicitAnswered = false
        for (event, at) in sorted {
            from = from ?? event.from?.nilIfBlank
            to = to ?? event.to?.nilIfBlank
            `extension` = `extension` ?? event.extension?.nilIfBlank
            user = user ?? event.user?.nilIfBlank
            recordingUrl = recordingUrl ?? event.recordingUrl?.nilIfBlank
            startedAt = min(startedAt ?? at, at)
            switch event.type {
            case "answered":
                answeredAt = min(answeredAt ?? at, at)
                explicitAnswered = true
            case "hangup", "completed":
                endedAt = max(endedAt ?? at, at)
                if let value = event.duration { duration = max(duration ?? 0, value) }
                if let value = event.billsec { billsec = max(billsec ?? 0, value) }
                if let value = event.disposition?.nilIfBlank { disposition = value.uppercased() }
            default:
                break
            }
        }
        // The earliest event that names a direction decides it.
        if let direction = sorted.compactMap({ $0.event.direction }).first { self.direction = direction }
        // A completed event alone carries the whole call: derive start and answer from its counts.
        if let end = endedAt {
            if let duration, sorted.allSatisfy({ $0.event.type == "completed" }) {
                startedAt = end.addingTimeInterval(-Double(duration))
            }
            if answeredAt == nil, let billsec, billsec > 0 {
                answeredAt = end.addingTimeInterval(-Double(billsec))
            }
        }
        let answered = explicitAnswered || (billsec ?? 0) > 0 || ["ANSWERED", "ANSWER"].contains(disposition ?? "")
        if let end = endedAt {
            if duration == nil, let start = startedAt { duration = Int(end.timeIntervalSince(start).rounded()) }
            if billsec == nil { billsec = answered ? answeredAt.map { Int(end.timeIntervalSince($0).rounded()) } : 0 }
            if answered {
                status = "answered"
            } else if disposition == "BUSY" {
                status = "busy"
            } else if ["FAILED", "CONGESTION", "CHANUNAVAIL"].contains(disposition ?? "") {
                status = "failed"
            } else {
                status = "missed"
            }
        } else {
            status = answered ? "in_progress" : "ringing"
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

extension String {
    var nilIfBlank: String? {
        let trimmed = trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}
