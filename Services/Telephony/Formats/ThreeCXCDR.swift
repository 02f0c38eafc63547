import Contracts
import Foundation
import ServiceKit

/// 3CX's CDR CSV: one row per segment of a call, `callid` tying them; numbers like `Ext.315`,
/// dates like `2020/05/04 10:58:46`, reasons like `TerminatedBySrc` or `Failed_Cancelled`.
/// A header line names the columns; without one, `columns` (or 3CX's default order) does.
enum ThreeCXCDR {
    static let defaultColumns = [
        "historyid", "callid", "duration", "time_start", "time_answered", "time_end", "reason_terminated", "from_no", "to_no",
        "from_dn", "to_dn", "dial_no", "reason_changed", "final_number", "final_dn", "bill_code", "bill_rate", "bill_cost",
        "bill_name", "chain", "from_type", "to_type", "final_type", "from_dispname", "to_dispname", "final_dispname",
    ]

    static func key(_ name: String) -> String { name.trimmed.lowercased().replacingOccurrences(of: "-", with: "_") }

    static func parse(_ text: String, columns: [String]?, zone: TimeZone) -> ParsedInput {
        let given = (columns ?? defaultColumns).map(key)
        return CallFormats.csvEvents(
            text,
            header: { fields in fields.map(key).contains("callid") ? fields.map(key) : nil },
            columns: { fields, header in
                let names = header ?? given
                guard fields.count >= min(names.count, 9) else { throw RowError("expected \(names.count) columns, got \(fields.count)") }
                return names
            },
            event: { row in try event(row, zone: zone) })
    }

    static func event(_ row: [String: String], zone: TimeZone) throws -> CallEventInput {
        func value(_ name: String) -> String? { row[name]?.nilIfEmpty }
        guard let callId = value("callid") else { throw RowError("callid is empty") }
        func time(_ name: String) throws -> Date? {
            guard let text = value(name) else { return nil }
            guard let date = CallFormats.localTime(text, zone: zone) else { throw RowError("\(name) '\(text)' is not a date") }
            return date
        }
        guard let start = try time("time_start") else { throw RowError("time_start is empty") }
        let answered = try time("time_answered")
        let end = try time("time_end") ?? start
        let from = value("from_no") ?? value("from_dn")
        let to = value("dial_no") ?? value("to_no") ?? value("to_dn")
        let fromType = value("from_type")?.lowercased() ?? ""
        let toType = (value("to_type") ?? "").lowercased()
        let finalType = (value("final_type") ?? "").lowercased()
        let historyId = value("historyid")
        var event = CallEventInput(
            eventId: "3cx-" + (historyId ?? CallFormats.fingerprint(defaultColumns.map { row[$0] ?? "" })), callId: callId,
            type: "completed", from: from, to: to, at: end)
        event.leg = historyId ?? callId
        event.startedAt = start
        event.answeredAt = answered
        event.endedAt = end
        event.callerName = value("from_dispname")
        if fromType.contains("line") || fromType.contains("external") {
            event.direction = "inbound"
        } else if toType.contains("line") || finalType.contains("line") || toType.contains("external") {
            event.direction = "outbound"
        } else if !fromType.isEmpty && !toType.isEmpty {
            event.direction = "internal"
        } else {
            event.direction = CallFormats.direction(from: from, to: to)
        }
        let finalParty = value("final_dn") ?? value("final_number")
        event.extension =
            event.direction == "inbound"
            ? (value("to_dn") ?? to).flatMap(PhoneNormalizer.extensionNumber) : from.flatMap(PhoneNormalizer.extensionNumber)
        let reason = (value("reason_terminated") ?? "").lowercased()
        if answered != nil && (finalType.contains("voicemail") || toType.contains("voicemail")) {
            event.disposition = "VOICEMAIL"
        } else if answered != nil {
            event.disposition = "ANSWERED"
            event.answeredBy = finalParty.flatMap(PhoneNormalizer.extensionNumber) ?? finalParty
        } else if reason.contains("busy") {
            event.disposition = "BUSY"
        } else if reason.contains("noanswer") || reason.contains("no_answer") {
            event.disposition = "NO ANSWER"
        } else if reason.contains("cancel") || reason.hasPrefix("terminatedby") {
            event.disposition = "CANCEL"
        } else if reason.contains("fail") {
            event.disposition = "FAILED"
        }
        return event
    }
}
