import Bus
import Contracts
import Foundation
import GRDB
import Testing

@testable import TelephonyService

@Suite("Matching calls to contacts, companies and employees")
struct MatchingTests {
    let start = Date(timeIntervalSince1970: 1_772_000_000)

    func completed(
        _ id: String, from: String, to: String = "22998877", direction: String = "inbound", ext: String? = "105"
    )
        -> CallEventInput
    {
        var event = CallEventInput(eventId: id, callId: id, type: "completed", direction: direction, from: from, to: to, at: start)
        event.duration = 30
        event.billsec = 20
        event.extension = ext
        return event
    }

    @Test("a number in any format matches the contact; several owners link to all and flag it; none is unmatched")
    func matches() async throws {
        let log = try TestCallLog()
        try await log.index(.contact, 1, ["+47 912 34 567"])
        try await log.index(.contact, 2, ["004722334455"])
        try await log.index(.company, 7, ["22 33 44 55"])
        try await log.ingest([
            completed("one", from: "91234567"), completed("two", from: "+4722334455"), completed("three", from: "4740000000"),
            completed("four", from: "anonymous"), completed("five", from: "105", to: "106", direction: "internal"),
        ])
        let one = try #require(try await log.call("one"))
        #expect(one.contactId == 1 && one.contactIds == [1] && !one.ambiguous && !one.unmatched)
        let two = try #require(try await log.call("two"))
        #expect(two.contactIds == [2] && two.companyIds == [7] && two.ambiguous)
        let three = try #require(try await log.call("three"))
        #expect(three.unmatched && three.contactId == nil)
        let four = try #require(try await log.call("four"))
        #expect(!four.unmatched && four.from == "anonymous" && four.fromE164 == nil)
        #expect(try await log.call("five")?.unmatched == false)

        #expect(try await log.calls { $0.unmatched = true }.map(\.externalId) == ["three"])
        #expect(try await log.calls { $0.companyId = 7 }.map(\.externalId) == ["two"])
        #expect(try await log.calls { $0.number = "+47 40 00 00 00" }.map(\.externalId) == ["three"])
        let unmatched = try await log.store.unmatched(UnmatchedRequest()).items
        #expect(unmatched.map(\.number) == ["+4740000000"])
    }

    @Test("a contact created later with the number picks up its earlier calls, and they are published again")
    func laterContact() async throws {
        let log = try TestCallLog()
        try await log.ingest([completed("early-1", from: "+4740000000"), completed("early-2", from: "40 00 00 00")])
        #expect(try await log.calls { $0.unmatched = true }.count == 2)
        try await log.index(.contact, 9, ["+47 40000000"])
        let calls = try await log.calls { $0.contactId = 9 }
        #expect(calls.count == 2)
        #expect(try await log.calls { $0.unmatched = true }.isEmpty)
        #expect(try await log.published().filter { $0 == "call.updated" }.count == 2)
    }

    @Test("the phone index follows contact events as the contacts service publishes them")
    func contactEvents() async throws {
        let log = try TestCallLog()
        try await log.ingest([completed("early", from: "+4740000000")])
        let consumer = PhoneIndexConsumer(phones: log.store.phones)
        let now = Date()
        var contact = Contact(
            id: 12, firstName: "Kari", lastName: "Nordmann", title: nil,
            phones: [
                ContactPhone(number: "40 00 00 00", e164: "+4740000000", kind: "mobile"),
                ContactPhone(number: "105", e164: nil, kind: "work"),
            ],
            emails: [], createdAt: now, updatedAt: now, deletedAt: nil)
        func deliver(_ type: String, _ sequence: Int64) async throws {
            let event = BusEvent(
                source: "contacts", sequence: sequence, type: type, occurredAt: "",
                payload: try Wire.encode(ContactChanged(contact: contact)))
            try await log.database.applyEvent(source: "contacts", sequence: sequence) { db, outbox in try consumer.handle(event, db, outbox)
            }
        }
        try await deliver(ContactsContract.Event.created, 1)
        #expect(try await log.call("early")?.contactId == 12)
        let numbers = try await log.database.read { db in
            try String.fetchAll(db, sql: "SELECT number FROM party_phone WHERE kind = 'contact' AND party_id = 12 ORDER BY number")
        }
        #expect(numbers == ["+4740000000", "raw:105"])
        contact.phones = []
        try await deliver(ContactsContract.Event.updated, 2)
        #expect(try await log.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM party_phone") } == 0)
    }

    @Test("a contact's calls show on the companies it is linked to")
    func companyThroughLink() async throws {
        let log = try TestCallLog()
        try await log.database.write { db, _ in
            try db.execute(sql: "INSERT INTO contact_company (contact_id, company_id) VALUES (3, 30)")
        }
        try await log.index(.contact, 3, ["+4791112222"])
        try await log.ingest([completed("c", from: "+4791112222")])
        #expect(try await log.call("c")?.companyIds == [30])
        #expect(try await log.calls { $0.companyId = 30 }.count == 1)
    }

    @Test("extensions map to employees; who spoke with a contact, how often and when")
    func employees() async throws {
        let log = try TestCallLog()
        try await log.database.write { db, _ in
            try UserIndex.set(db, userId: 11, username: "anne", extension: "105", active: true)
            try UserIndex.set(db, userId: 12, username: "bjorn", extension: "106", active: true)
        }
        try await log.index(.contact, 1, ["+4791234567"])
        var answeredBy106 = completed("b", from: "+4791234567", ext: "106")
        answeredBy106.answeredBy = "106"
        try await log.ingest([completed("a", from: "+4791234567"), answeredBy106, completed("c", from: "+4791234567")])
        let call = try #require(try await log.call("b"))
        #expect(call.userId == 12 && call.user == "bjorn" && call.answeredByUserId == 12)
        #expect(try await log.calls { $0.userId = 11 }.count == 2)
        let speakers = try await log.store.speakers(SpeakersRequest(contactId: 1, companyId: nil))
        #expect(Set(speakers.map { "\($0.user ?? "-") \($0.calls) \($0.talkSeconds)" }) == ["anne 2 40", "bjorn 1 20"])
    }

    @Test("a call that never ends is closed after the timeout, marked so; a late end replaces that")
    func timeout() async throws {
        let log = try TestCallLog()
        var ringing = CallEventInput(eventId: "r", callId: "open", type: "ringing", direction: "inbound", from: "+4791234567", at: start)
        ringing.leg = "a"
        try await log.ingest([ringing])
        #expect(try await log.call("open")?.status == "ringing")
        #expect(try await log.store.closeStale(timeout: 3600, now: start.addingTimeInterval(600)) == 0)
        #expect(try await log.store.closeStale(timeout: 3600, now: start.addingTimeInterval(7200)) == 1)
        let closed = try #require(try await log.call("open"))
        #expect(closed.timedOut && closed.status == "missed" && closed.endedAt == start)
        #expect(try await log.published() == ["call.logged", "call.missed"])

        var hangup = CallEventInput(eventId: "h", callId: "open", type: "hangup", at: start.addingTimeInterval(20))
        hangup.leg = "a"
        hangup.disposition = "NO ANSWER"
        try await log.ingest([hangup])
        let ended = try #require(try await log.call("open"))
        #expect(!ended.timedOut && ended.status == "missed" && ended.ringSeconds == 20)
        #expect(try await log.published().last == "call.updated")
    }

    @Test("anonymising a contact scrubs its numbers from the index, its calls and their stored events")
    func anonymize() async throws {
        let log = try TestCallLog()
        try await log.index(.contact, 5, ["+4791234567"])
        var event = completed("x", from: "\"Kari\" <+4791234567>")
        event.callerName = "Kari"
        try await log.ingest([event])
        try await log.database.write { db, _ in try PersonalDataScrubber.scrub(db, contactId: 5) }
        let call = try #require(try await log.call("x"))
        #expect(call.from == nil && call.fromE164 == nil && call.callerName == nil)
        let stored = try await log.database.read { db in try Data.fetchOne(db, sql: "SELECT payload FROM call_event")! }
        #expect(!String(decoding: stored, as: UTF8.self).contains("91234567"))
        #expect(!String(decoding: stored, as: UTF8.self).contains("Kari"))
        let indexed = try await log.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM party_phone")! }
        #expect(indexed == 0)
        // The call.logged event published before is rewritten too.
        let published = try await log.database.outboxEvents(after: 0, limit: 100)
        #expect(published.contains { $0.type == "call.logged" })
        for event in published {
            let payload = String(decoding: event.payload, as: UTF8.self)
            #expect(!payload.contains("91234567") && !payload.contains("Kari"), "\(event.type): \(payload)")
        }
    }
}
