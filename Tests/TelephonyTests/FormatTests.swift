import Contracts
import Foundation
import Testing

@testable import TelephonyService

@Suite("Call formats from real VOIP systems")
struct FormatTests {
    func utc(_ text: String) -> Date { CallFormats.localTime(text, zone: TimeZone(identifier: "UTC")!)! }

    @Test("Asterisk cdr-csv with uniqueid and userfield: direction, outcome, Latin-1 names, bad rows reported")
    func asteriskCSV() async throws {
        let log = try TestCallLog()
        let report = try await log.ingest(format: "asterisk", try TestCallLog.fixture("asterisk-cdr-csv.csv"))
        #expect(report.rows == 5)
        #expect(report.accepted == 3)
        #expect(report.rejected.map(\.line) == [4, 5])
        #expect(report.rejected[0].reason.contains("start 'yesterday'"))
        #expect(report.rejected[1].reason.contains("got 3"))

        let answered = try #require(try await log.call("pbx1-1706434700.1"))
        #expect(answered.direction == "inbound")
        #expect(answered.status == "answered")
        #expect(answered.fromE164 == "+4722334455")
        #expect(answered.callerName == "Kari Nordmann")
        #expect(answered.extension == "105")
        #expect(answered.answeredBy == "105")
        #expect(answered.billsec == 120)
        #expect(answered.duration == 125)
        #expect(answered.ringSeconds == 5)
        #expect(answered.startedAt == utc("2024-01-28 09:38:20"))

        let busy = try #require(try await log.call("pbx1-1706436000.3"))
        #expect(busy.direction == "outbound")
        #expect(busy.status == "busy")
        #expect(busy.toE164 == "+4687654321")
        #expect(busy.answeredAt == nil)

        let missed = try #require(try await log.call("pbx1-1706439600.5"))
        #expect(missed.status == "missed")
        #expect(missed.callerName == "Jørgen Hansen")  // the byte 0xF8 of a Latin-1 trunk

        // The same file again: nothing new, nothing doubled.
        let again = try await log.ingest(format: "asterisk", try TestCallLog.fixture("asterisk-cdr-csv.csv"))
        #expect(again.accepted == 0)
        #expect(again.duplicates == 3)
        #expect(try await log.calls().count == 3)
        let published = try await log.published()
        #expect(published.filter { $0 == "call.logged" }.count == 3)
        #expect(published.filter { $0 == "call.missed" }.count == 1)
    }

    @Test("newcdrcolumns: rows sharing a linkedid are one call; forks, Local channels and voicemail")
    func asteriskLinkedid() async throws {
        let log = try TestCallLog()
        let report = try await log.ingest(format: "asterisk", try TestCallLog.fixture("asterisk-cdr-linkedid.csv"))
        #expect(report.rejected.isEmpty)
        #expect(report.calls == 2)
        let forked = try #require(try await log.call("pbx1-1706774400.10"))
        #expect(forked.legs == 2)
        #expect(forked.status == "answered")
        #expect(forked.answeredBy == "102")
        #expect(forked.billsec == 180)
        #expect(forked.ringSeconds == 6)
        let voicemail = try #require(try await log.call("pbx1-1706778000.20"))
        #expect(voicemail.legs == 3)
        #expect(voicemail.status == "voicemail")
        #expect(voicemail.answeredBy == nil)
        #expect(voicemail.billsec == 0)
        #expect(voicemail.ringSeconds == 46)
    }

    @Test("rows in any order and any number of uploads give the same calls")
    func orderOfRows() async throws {
        let text = String(decoding: try TestCallLog.fixture("asterisk-cdr-linkedid.csv"), as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        let inOrder = try TestCallLog()
        try await inOrder.ingest(format: "asterisk", Data(text.utf8))
        let reversed = try TestCallLog()
        for line in lines.reversed() { try await reversed.ingest(format: "asterisk", Data((line + "\n").utf8)) }
        try await reversed.ingest(format: "asterisk", Data(text.utf8))
        func facts(_ calls: [Call]) -> [String] {
            calls.map { "\($0.externalId) \($0.status) \($0.legs) \($0.billsec ?? -1) \($0.answeredBy ?? "-") \($0.startedAt!)" }.sorted()
        }
        #expect(facts(try await inOrder.calls()) == facts(try await reversed.calls()))
    }

    @Test("cdr_custom needs the column map; local times in the PBX's zone")
    func asteriskCustom() async throws {
        let log = try TestCallLog()
        let report = try await log.ingest(
            format: "asterisk-custom", try TestCallLog.fixture("asterisk-cdr-custom.csv"), timeZone: "Europe/Oslo")
        #expect(report.accepted == 1)
        #expect(report.rejected == [RejectedRow(line: 2, reason: "start 'not a date' is not a date")])
        let call = try #require(try await log.call("pbx2-1718020800.30"))
        #expect(call.startedAt == utc("2024-06-10 12:00:00"))
        #expect(call.callerName == "Kari")
        #expect(call.answeredBy == "107")
        #expect(call.billsec == 60)

        // The same file read as cdr-csv's order would be garbage: the map is not guessed.
        let wrong = try await TestCallLog().ingest(format: "asterisk", try TestCallLog.fixture("asterisk-cdr-custom.csv"))
        #expect(wrong.accepted == 0)
        #expect(wrong.rejected.count == 2)
    }

    @Test("FreeSWITCH JSON CDR: URL-encoded values, B-leg joins the A-leg's call")
    func freeswitch() async throws {
        let log = try TestCallLog()
        let report = try await log.ingest(format: "freeswitch", try TestCallLog.fixture("freeswitch-cdr.ndjson"))
        #expect(report.rows == 5)
        #expect(report.rejected.map(\.line) == [4, 5])
        let call = try #require(try await log.call("a1b2c3d4-0001"))
        #expect(call.legs == 2)
        #expect(call.from == "+4722334455")
        #expect(call.callerName == "Kari Nordmann")
        #expect(call.direction == "inbound")
        #expect(call.status == "answered")
        #expect(call.answeredBy == "1001")
        #expect(call.billsec == 60)
        let outbound = try #require(try await log.call("b1-0001"))
        #expect(outbound.direction == "outbound")
        #expect(outbound.status == "no_answer")
        #expect(outbound.toE164 == "+46812345678")
        #expect(outbound.extension == "1002")

        // One document posted alone, as mod_json_cdr does over HTTP.
        let single = try TestCallLog()
        let line = String(decoding: try TestCallLog.fixture("freeswitch-cdr.ndjson"), as: UTF8.self).split(separator: "\n")[0]
        #expect(try await single.ingest(format: "freeswitch", Data(line.utf8)).accepted == 1)
    }

    @Test("3CX CDR: header, Ext. numbers, slashed dates, reasons and voicemail")
    func threeCX() async throws {
        let log = try TestCallLog()
        let report = try await log.ingest(format: "3cx", try TestCallLog.fixture("3cx-cdr.csv"))
        #expect(report.rows == 4)
        #expect(report.rejected.map(\.line) == [5])
        let inbound = try #require(try await log.call("Call 501"))
        #expect(inbound.direction == "inbound")
        #expect(inbound.status == "answered")
        #expect(inbound.extension == "315")
        #expect(inbound.answeredBy == "315")
        #expect(inbound.billsec == 120)
        #expect(inbound.startedAt == utc("2020-05-04 10:58:46"))
        let cancelled = try #require(try await log.call("Call 502"))
        #expect(cancelled.direction == "outbound")
        #expect(cancelled.status == "no_answer")
        #expect(cancelled.toE164 == "+4687654321")
        #expect(try await log.call("Call 503")?.status == "voicemail")
    }

    @Test("Twilio: child legs join the parent, callbacks out of order, unknown parameters ignored")
    func twilio() async throws {
        let log = try TestCallLog()
        func post(_ fields: [(String, String)]) async throws -> IngestReport {
            let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
            return try await log.ingest(format: "twilio", Data(body.utf8))
        }
        let parent: [(String, String)] = [
            ("CallSid", "CA100"), ("AccountSid", "AC1"), ("From", "+4722334455"), ("To", "+4722998877"),
            ("Direction", "inbound"), ("ApiVersion", "2010-04-01"), ("SomethingNew", "x"),
        ]
        // The completed callback arrives first.
        _ = try await post(
            parent + [
                ("CallStatus", "completed"), ("CallDuration", "42"), ("SequenceNumber", "2"),
                ("Timestamp", "Tue, 04 Jun 2024 10:00:50 +0000"),
            ])
        _ = try await post([
            ("CallSid", "CA200"), ("ParentCallSid", "CA100"), ("From", "+4722334455"), ("To", "+4790000001"),
            ("Direction", "outbound-dial"), ("CallStatus", "completed"), ("CallDuration", "40"), ("SequenceNumber", "1"),
            ("Timestamp", "Tue, 04 Jun 2024 10:00:50 +0000"),
        ])
        _ = try await post(parent + [("CallStatus", "ringing"), ("SequenceNumber", "0"), ("Timestamp", "Tue, 04 Jun 2024 10:00:00 +0000")])
        _ = try await post(parent + [("CallStatus", "ringing"), ("SequenceNumber", "0"), ("Timestamp", "Tue, 04 Jun 2024 10:00:00 +0000")])
        let calls = try await log.calls()
        #expect(calls.count == 1)
        let call = try #require(calls.first)
        #expect(call.externalId == "CA100")
        #expect(call.producer == "test")
        #expect(call.legs == 2)
        #expect(call.direction == "inbound")
        #expect(call.status == "answered")
        #expect(call.answeredBy == "+4790000001")
        #expect(call.billsec == 42)
        #expect(call.eventCount == 3)

        await #expect(throws: (any Error).self) { try await post([("CallSid", "CA1"), ("CallStatus", "exploded")]) }
        await #expect(throws: (any Error).self) { try await post([("From", "+4722334455")]) }
    }

    @Test("Vonage: legs tied by conversation_uuid; busy; non-call events ignored")
    func vonage() async throws {
        let log = try TestCallLog()
        func post(_ json: String) async throws -> IngestReport { try await log.ingest(format: "vonage", Data(json.utf8)) }
        let conversation = "CON-aaaa"
        _ = try await post(
            #"{"from":"4722334455","to":"4722998877","uuid":"leg-1","conversation_uuid":"\#(conversation)","status":"started","direction":"inbound","timestamp":"2024-06-04T10:00:00.000Z"}"#
        )
        _ = try await post(
            #"{"from":"4722334455","to":"4722998877","uuid":"leg-1","conversation_uuid":"\#(conversation)","status":"answered","direction":"inbound","timestamp":"2024-06-04T10:00:03.000Z"}"#
        )
        let ignored = try await post(#"{"uuid":"leg-1","conversation_uuid":"\#(conversation)","dtmf":{"digits":"1"}}"#)
        #expect(ignored.accepted == 0 && ignored.rejected.isEmpty)
        _ = try await post(
            #"{"from":"4722334455","to":"4722998877","uuid":"leg-1","conversation_uuid":"\#(conversation)","status":"completed","direction":"inbound","timestamp":"2024-06-04T10:01:03.000Z","start_time":"2024-06-04T10:00:03.000Z","end_time":"2024-06-04T10:01:03.000Z","duration":"60","rate":"0.01"}"#
        )
        let call = try #require(try await log.call(conversation))
        #expect(call.status == "answered")
        #expect(call.billsec == 60)
        #expect(call.fromE164 == "+4722334455")
        #expect(call.ringSeconds == 3)

        _ = try await post(
            #"{"from":"4722998877","to":"4791234567","uuid":"leg-9","conversation_uuid":"CON-b","status":"busy","direction":"outbound","timestamp":"2024-06-04T11:00:00Z"}"#
        )
        #expect(try await log.call("CON-b")?.status == "busy")
        await #expect(throws: (any Error).self) { try await post("not json") }
    }
}

/// Inputs that once stopped the service (found by the fuzzer or by hand), each answered now.
@Suite("Inputs that used to stop telephony")
struct FormatRegressionTests {
    @Test("RFC 2822 times read by hand: Twilio's form, the day name optional, offsets, and nonsense refused")
    func rfc2822() {
        #expect(TwilioFormat.rfc2822("Tue, 04 Jun 2024 10:00:50 +0000") == Date(timeIntervalSince1970: 1_717_495_250))
        #expect(TwilioFormat.rfc2822("4 Jun 2024 12:00:50 +0200") == Date(timeIntervalSince1970: 1_717_495_250))
        #expect(TwilioFormat.rfc2822("Tue, 04 Jun 2024 10:00:50 GMT") == Date(timeIntervalSince1970: 1_717_495_250))
        #expect(TwilioFormat.rfc2822("2024-06-04T10:00:50Z") == Date(timeIntervalSince1970: 1_717_495_250))
        #expect(TwilioFormat.rfc2822("Fri, 31 Feb 2024 10:00:50 +0000") == nil)
        #expect(TwilioFormat.rfc2822("2\u{36C}\0 \0\0\0\0\0Z") == nil)  // trapped Foundation's DateFormatter
    }

    @Test("overlong numbers and fractions in times and durations are refused, not trapped on")
    func overflows() {
        let zone = TimeZone(identifier: "UTC")!
        #expect(CallFormats.localTime("2026-03-02 09:00:0000000000000000000000000000", zone: zone) == nil)
        #expect(CallFormats.localTime("2026-03-02 09:00:07", zone: zone) != nil)
        #expect(CallFormats.seconds("9223372036854775807:59:59") == nil)
        #expect(CallFormats.seconds("99999999999999999999999") == nil)
        #expect(CallFormats.seconds("1e300") == nil)
        #expect(CallFormats.seconds("00:01:05") == 65)
        // ICU's date parser divided by zero on a long fraction (SIGFPE).
        #expect(CallFormats.isoTime("2026-03-02T09:00:42.000" + String(repeating: "3", count: 100) + "Z") == nil)
        #expect(CallFormats.isoTime("2026-03-02T09:00:42.123+01:00") != nil)
    }
}
