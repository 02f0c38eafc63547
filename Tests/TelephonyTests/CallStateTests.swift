import Contracts
import Foundation
import Testing

@testable import TelephonyService

@Suite("Folding call events")
struct CallStateTests {
    let start = Date(timeIntervalSince1970: 1_772_000_000)

    func event(
        _ id: String, _ type: String, _ offset: Double, direction: String? = nil, from: String? = nil
    ) -> (event: CallEventInput, at: Date) {
        (CallEventInput(eventId: id, callId: "c", type: type, direction: direction, from: from, to: nil), start.addingTimeInterval(offset))
    }

    @Test("every order of the same events gives the same call")
    func orderIndependent() {
        let events = [
            event("1", "ringing", 0, direction: "inbound", from: "+4791234567"), event("2", "answered", 5), event("3", "hangup", 65),
        ]
        let permutations = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1], [0, 2, 1], [1, 0, 2]]
        let states = permutations.map { order in CallState(events: order.map { events[$0] }) }
        #expect(Set(states.map(\.status)) == ["answered"])
        #expect(states.allSatisfy { $0 == states[0] })
        #expect(states[0].billsec == 60)
        #expect(states[0].duration == 65)
        #expect(states[0].remoteNumber == "+4791234567")
    }

    @Test("a call that ends without an answer is missed; busy and failed come from the disposition")
    func unanswered() {
        #expect(CallState(events: [event("1", "ringing", 0), event("2", "hangup", 20)]).status == "missed")
        var busy = event("2", "hangup", 3)
        busy.event.disposition = "busy"
        #expect(CallState(events: [event("1", "ringing", 0), busy]).status == "busy")
        #expect(CallState(events: [event("1", "ringing", 0)]).status == "ringing")
        #expect(CallState(events: [event("1", "ringing", 0), event("2", "answered", 2)]).status == "in_progress")
    }

    @Test("a single completed event carries the whole call")
    func completedAlone() {
        var completed = event("1", "completed", 100, direction: "outbound")
        completed.event.to = "22334455"
        completed.event.duration = 40
        completed.event.billsec = 30
        completed.event.disposition = "ANSWERED"
        let state = CallState(events: [completed])
        #expect(state.status == "answered")
        #expect(state.startedAt == start.addingTimeInterval(60))
        #expect(state.answeredAt == start.addingTimeInterval(70))
        #expect(state.remoteNumber == "22334455")
    }
}

@Suite("Call events on the wire")
struct WireFormatTests {
    @Test("the hand-written JSON of a call decodes to the same call as Wire's; stored events round-trip")
    func handWritten() throws {
        var call = Call(id: 7, producer: "pbx \"1\"", externalId: "c/1", direction: "inbound", status: "answered", eventCount: 3)
        call.from = "\"Kari\" <+4791234567>\n"
        call.fromE164 = "+4791234567"
        call.callerName = "Jørgen\t\u{1}"
        call.contactIds = [1, 2]
        call.companyIds = [9]
        call.ambiguous = true
        call.startedAt = Date(timeIntervalSince1970: 1_772_000_000)
        call.billsec = 60
        call.recordingUrl = "https://rec.example.com/a.wav"
        call.outcome = "answered"
        #expect(try Wire.decode(Call.self, from: call.wireJSON) == Wire.decode(Call.self, from: Wire.encode(call)))
        #expect(try Wire.decode(Call.self, from: call.wireJSON) == call)

        var event = CallEventInput(eventId: "e1", callId: "c1", type: "completed", direction: "inbound", from: "Ø", at: Date())
        event.duration = 5
        event.sequence = -3
        event.answeredAt = Date(timeIntervalSince1970: 12.5)
        #expect(try EventCodec.decode(EventCodec.encode(event)) == event)
        #expect(try EventCodec.decode(Wire.encode(event)).eventId == "e1")  // payloads stored as JSON earlier
        #expect(throws: (any Error).self) { try EventCodec.decode(Data([1, 0, 9, 9])) }
    }
}

@Suite("Reading call events from JSON")
struct CallEventJSONTests {
    @Test("the hand-written reader agrees with Wire's decoder, and says what is wrong")
    func agreesWithWire() throws {
        let samples = [
            #"{"event_id":"e1","call_id":"c1","type":"ringing","direction":"inbound","from":"+4791234567","at":"2026-03-02T09:00:00Z"}"#,
            #"{"event_id":"e\"2\\","call_id":"c\u00f8\ud83d\ude00","type":"completed","duration":65,"billsec":60,"at":"2026-03-02T09:00:00.250Z","extra":{"a":[1,2,{"b":null}],"c":true},"leg":null}"#,
            #" { "event_id" : "e3" , "call_id" : "c" , "type" : "hangup" , "started_at" : "2026-03-02T10:00:00+01:00", "sequence": 4 } "#,
            #"{"event_id":"e4","call_id":"c","type":"answered","at":"2026-03-02T09:00:00.123456Z","recording_url":"https:\/\/x\/y"}"#,
        ]
        for sample in samples {
            let data = Data(sample.utf8)
            #expect(try CallEventJSON.event(data) == Wire.decode(CallEventInput.self, from: data), "\(sample)")
        }
        // PBXs send numbers as numbers.
        #expect(try CallEventJSON.event(Data(#"{"from":4791234567,"duration":"12"}"#.utf8)).from == "4791234567")
        for (bad, reason) in [
            (#"{"event_id":"e1""#, "unfinished"), (#"{"at":"yesterday"}"#, "at 'yesterday'"), (#"{"duration":1.5}"#, "whole number"),
            (#"{"from":{}}"#, "from must be a string"), (#"[1]"#, "JSON object"), (#"{"a":1} x"#, "after the value"),
        ] {
            #expect {
                try CallEventJSON.event(Data(bad.utf8))
            } throws: { error in
                "\(error)".contains(reason)
            }
        }
        let request = try CallEventJSON.request(Data(#"{"producer":"pbx","events":[{"event_id":"a"},{"event_id":"b"}]}"#.utf8))
        #expect(request.producer == "pbx" && request.events.map(\.eventId) == ["a", "b"])
        #expect(Timestamp.parse("2026-01-31T09:30:00.5Z") == Date(timeIntervalSince1970: 1_769_851_800.5))
    }
}
