import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage
import TestKit
import Testing

@testable import ContactsService

@Suite("GDPR")
struct GDPRTests {
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")
    static let kari = BusHeaders(actor: "kari", userId: 2, rank: "user")

    func makeStore() throws -> ContactStore {
        ContactStore(database: try ServiceDatabase(inMemory: ContactsMigrations.register), phones: PhoneNormalizer(defaultCountry: "NO"))
    }

    @Test("anonymising replaces the name and the configured fields, scrubs the history, and tells other services")
    func anonymize() async throws {
        let store = try makeStore()
        var request = CreateContactRequest(
            firstName: "Kari", lastName: "Nordmann", title: "CFO", phones: [PhoneInput(number: "+47 912 34 567")],
            emails: [EmailInput(address: "kari@example.no")])
        request.birthday = "1980-01-31"
        request.address = Address(street: "Gata 1", city: "Bergen")
        let kari = try Wire.decode(Contact.self, from: try await store.create(request, headers: Self.boss, requestId: "c"))
        var change = UpdateContactRequest(id: kari.id)
        change.title = "CEO"
        _ = try await store.update(change, headers: Self.boss, requestId: "u")
        _ = try await store.createNote(
            try Wire.decode(CreateNoteRequest.self, from: Data(#"{"contact_id": \#(kari.id), "text": "Lives with her cat Pus"}"#.utf8)),
            headers: Self.boss, requestId: "n")

        await expectBusError(.forbidden) { _ = try await store.anonymize(id: kari.id, headers: Self.kari, requestId: "a0") }
        let anonymous = try Wire.decode(Contact.self, from: try await store.anonymize(id: kari.id, headers: Self.boss, requestId: "a1"))
        #expect(anonymous.firstName == "Anonymous" && anonymous.lastName == "#\(kari.id)" && anonymous.anonymizedAt != nil)
        #expect(anonymous.phones.isEmpty && anonymous.emails.isEmpty && anonymous.title == nil && anonymous.birthday == nil)
        #expect(anonymous.address == nil)
        // Notes stay unless the GDPR settings name them (the default does not).
        #expect(try await store.notes(ListNotesRequest(contactId: kari.id), headers: Self.boss).items.count == 1)

        let export = try await store.exportPerson(id: kari.id, headers: Self.boss)
        let text = String(decoding: try Wire.encode(export.history), as: UTF8.self)
        for personal in ["Kari", "Nordmann", "912", "CFO", "CEO", "kari@"] {
            #expect(!text.contains(personal), "history still holds \(personal): \(text)")
        }
        #expect(try await store.list(ListContactsRequest(q: "Nordmann"), headers: Self.boss).items.isEmpty)
        let stored = try await store.database.outboxEvents(after: 0, limit: 100)
        #expect(stored.last?.type == "contact.anonymized")
        // The events published before are scrubbed too: a subscriber catching up gets no personal data.
        #expect(stored.contains { $0.type == "contact.created" })
        for event in stored {
            let payload = String(decoding: event.payload, as: UTF8.self)
            for personal in ["Kari", "Nordmann", "912", "+4791234567", "kari@"] {
                #expect(!payload.contains(personal), "\(event.type) still holds \(personal): \(payload)")
            }
        }
        var again = UpdateContactRequest(id: kari.id)
        again.firstName = "Kari"
        await expectBusError(.conflict) { _ = try await store.update(again, headers: Self.boss, requestId: "u2") }
    }

    @Test("contacts without activity for the review period are listed, oldest first; touching one resets it")
    func review() async throws {
        let store = try makeStore()
        var ids: [Int64] = []
        for name in ["Old", "Older", "Recent"] {
            ids.append(
                try Wire.decode(
                    Contact.self, from: try await store.create(CreateContactRequest(lastName: name), headers: Self.boss, requestId: name)
                ).id)
        }
        let now = Date()
        let (old, older) = (ids[0], ids[1])
        try await store.database.write { db, _ in
            try History.touch(db, contactId: old, at: now.addingTimeInterval(-800 * 86400))
            try History.touch(db, contactId: older, at: now.addingTimeInterval(-900 * 86400))
        }
        let page = try await store.gdprReview(limit: 10, cursor: nil, headers: Self.boss)
        #expect(page.items.map(\.lastName) == ["Older", "Old"])
        let first = try await store.gdprReview(limit: 1, cursor: nil, headers: Self.boss)
        let second = try await store.gdprReview(limit: 1, cursor: first.nextCursor, headers: Self.boss)
        #expect(first.items.map(\.lastName) == ["Older"] && second.items.map(\.lastName) == ["Old"])
        _ = try await store.touch(id: ids[1], headers: Self.boss, requestId: "t")
        #expect(try await store.gdprReview(limit: 10, cursor: nil, headers: Self.boss).items.map(\.lastName) == ["Old"])
    }
}
