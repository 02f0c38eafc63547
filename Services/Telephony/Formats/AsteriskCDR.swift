import Contracts
import Foundation
import ServiceKit

/// Asterisk's CDR files: cdr-csv `Master.csv` (no header; 16 columns, then uniqueid and userfield
/// when enabled, then peeraccount, linkedid and sequence with `newcdrcolumns`) and cdr_custom's,
/// whose order is whatever its mapping says (a column map, never a guess by name).
/// Rows sharing a linkedid are legs of one call (forked Dial, Local channels `;1`/`;2`).
enum AsteriskCDR {
    static let baseColumns = [
        "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata", "start", "answer", "end",
        "duration", "billsec", "disposition", "amaflags",
    ]
    /// cdr_custom's legacy mapping (`cdr_custom.conf.sample`), which starts with clid.
    static let customLegacyColumns = [
        "clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata", "start", "answer", "end", "duration",
        "billsec", "disposition", "amaflags", "accountcode", "uniqueid", "userfield",
    ]

    /// The column names of a cdr-csv row with `count` fields.
    static func csvColumns(count: Int) -> [String]? {
        let extra = count - baseColumns.count
        switch extra {
        case 0: return baseColumns
        case 1: return baseColumns + ["uniqueid"]
        case 2: return baseColumns + ["uniqueid", "userfield"]
        case 3: return baseColumns + ["peeraccount", "linkedid", "sequence"]
        case 4: return baseColumns + ["uniqueid", "peeraccount", "linkedid", "sequence"]
        case 5: return baseColumns + ["uniqueid", "userfield", "peeraccount", "linkedid", "sequence"]
        default: return nil
        }
    }

    static func parse(_ text: String, columns fixed: [String]?, zone: TimeZone) -> ParsedInput {
        CallFormats.csvEvents(
            text,
            header: { fields in
                // A header line some exports add; rows are named by position all the same.
                let names = fields.map { $0.lowercased() }
                return names.contains("src") && names.contains("dst") ? names : nil
            },
            columns: { fields, _ in
                if let fixed {
                    guard fields.count >= fixed.count else {
                        throw RowError("expected \(fixed.count) columns (the column map), got \(fields.count)")
                    }
                    return fixed.map { $0.lowercased() }
                }
                guard let known = csvColumns(count: fields.count) else {
                    throw RowError("expected 16 to 21 columns (cdr-csv), got \(fields.count)")
                }
                return known
            },
            event: { row in try event(row, zone: zone) })
    }

    /// One CDR row as a `completed` event of its leg.
    static func event(_ row: [String: String], zone: TimeZone) throws -> CallEventInput {
        func value(_ name: String) -> String? { row[name]?.nilIfEmpty }
        guard let startText = value("start") else { throw RowError("start is empty") }
        guard let start = CallFormats.localTime(startText, zone: zone) else { throw RowError("start '\(startText)' is not a date") }
        let answer = try value("answer").map { text -> Date in
            guard let date = CallFormats.localTime(text, zone: zone) else { throw RowError("answer '\(text)' is not a date") }
            return date
        }
        guard let endText = value("end") else { throw RowError("end is empty") }
        guard let end = CallFormats.localTime(endText, zone: zone) else { throw RowError("end '\(endText)' is not a date") }
        let duration = try value("duration").map { text -> Int in
            guard let seconds = CallFormats.seconds(text), seconds >= 0 else { throw RowError("duration '\(text)' is not a number") }
            return seconds
        }
        let billsec = try value("billsec").map { text -> Int in
            guard let seconds = CallFormats.seconds(text), seconds >= 0 else { throw RowError("billsec '\(text)' is not a number") }
            return seconds
        }
        let (name, clidNumber) = callerId(value("clid"))
        let from = value("src") ?? clidNumber
        let to = value("dst").flatMap { $0 == "s" ? nil : $0 }
        let uniqueid = value("uniqueid")
        let channel = value("channel") ?? ""
        let dstchannel = value("dstchannel") ?? ""
        let callId = value("linkedid") ?? uniqueid ?? "cdr-" + CallFormats.fingerprint([startText, channel])
        var event = CallEventInput(
            eventId: "cdr-" + CallFormats.fingerprint(baseColumns.map { row[$0] ?? "" } + [uniqueid ?? "", row["sequence"] ?? ""]),
            callId: callId, type: "completed", from: from, to: to, at: end)
        event.leg = (uniqueid ?? channel) + "|" + dstchannel
        event.startedAt = start
        event.answeredAt = answer
        event.endedAt = end
        event.duration = duration
        event.billsec = billsec
        event.callerName = name
        event.sequence = value("sequence").flatMap { Int($0) }
        let callerExtension = from.flatMap(PhoneNormalizer.extensionNumber) ?? PhoneNormalizer.extensionNumber(channel)
        let calleeExtension = PhoneNormalizer.extensionNumber(dstchannel) ?? to.flatMap(PhoneNormalizer.extensionNumber)
        event.direction = CallFormats.direction(from: callerExtension ?? from, to: to ?? calleeExtension)
        event.extension = event.direction == "inbound" ? calleeExtension : callerExtension
        let disposition = value("disposition")?.uppercased()
        if value("lastapp")?.lowercased() == "voicemail" {
            event.disposition = "VOICEMAIL"
        } else {
            event.disposition = disposition
            if disposition == "ANSWERED", event.direction != "outbound" { event.answeredBy = calleeExtension }
        }
        if let userfield = value("userfield"),
            userfield.hasPrefix("http") || [".wav", ".mp3", ".gsm", ".ogg"].contains(where: userfield.hasSuffix)
        {
            event.recordingUrl = userfield
        }
        return event
    }

    /// `"Name" <number>` → (Name, number); a bare number → (nil, number).
    static func callerId(_ raw: String?) -> (name: String?, number: String?) {
        guard let raw = raw?.trimmed, !raw.isEmpty else { return (nil, nil) }
        guard let open = raw.lastIndex(of: "<"), let close = raw.lastIndex(of: ">"), open < close else { return (nil, raw) }
        let number = String(raw[raw.index(after: open)..<close]).trimmed
        var name = String(raw[..<open]).trimmed
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        return (name.nilIfEmpty, number.nilIfEmpty)
    }
}
