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
