import Bus
import Contracts
import Foundation
import ServiceKit
import Storage
import Testing

@testable import ContactsService

@Suite("Contact store")
struct ContactStoreTests {
    func makeStore() throws -> ContactStore {
        ContactStore(database: try ServiceDatabase(inMemory: ContactsMigrations.register), phones: PhoneNormalizer(defaultCountry: "NO"))
    }

    func create(_ store: ContactStore, _ request: CreateContactRequest, id: String = UUID().uuidString) async throws -> Contact {
        try Wire.decode(Contact.self, from: try await store.create(request, actor: "tester", requestId: id))
    }

    @Test("creating stores normalised phones, writes history and one contact.created event")
    func create() async throws {
        let store = try makeStore()
        let contact = try await create(
            store,
            CreateContactRequest(
                firstName: " Kari ", lastName: "Nordmann",
                phones: [PhoneInput(number: "+47 912 34 567"), PhoneInput(number: "105", kind: "work")],
                emails: [EmailInput(address: "kari@example.no")]))
        #expect(contact.firstName == "Kari")
        #expect(contact.phones.map(\.e164) == ["+4791234567", nil])
        let events = try await store.database.outboxEvents(after: 0, limit: 10)
        #expect(events.map(\.type) == ["contact.created"])
        let history = try await store.history(HistoryRequest(contactId: contact.id))
        #expect(history.items.map(\.kind) == ["created"])
        #expect(history.items.first?.actor == "tester")
    }

    @Test("a retried create with the same request id makes one contact")
    func idempotentCreate() async throws {
        let store = try makeStore()
        let first = try await create(store, CreateContactRequest(lastName: "Once"), id: "same")
        let second = try await create(store, CreateContactRequest(lastName: "Once"), id: "same")
        #expect(first == second)
        #expect(try await store.list(ListContactsRequest()).items.count == 1)
        #expect(try await store.database.outboxEvents(after: 0, limit: 10).count == 1)
    }

    @Test("bad input is refused and changes nothing")
    func invalid() async throws {
        let store = try makeStore()
        await #expect(throws: BusError.self) { _ = try await create(store, CreateContactRequest(firstName: "  ")) }
        await #expect(throws: BusError.self) {
            _ = try await create(store, CreateContactRequest(lastName: "X", emails: [EmailInput(address: "not-an-address")]))
        }
        await #expect(throws: BusError.self) {
            _ = try await create(store, CreateContactRequest(lastName: "X", phones: [PhoneInput(number: "1", kind: "pager")]))
        }
        #expect(try await store.list(ListContactsRequest()).items.isEmpty)
        #expect(try await store.database.outboxEvents(after: 0, limit: 10).isEmpty)
    }

    @Test("an e-mail address is judged by its bytes: an '@' a combining mark follows is still an '@'")
    func emailBytes() async throws {
        let store = try makeStore()
        // "@" and U+1F3FB are one Swift Character; the address has one "@" and a dot after it.
        let odd = "kari@\u{1F3FB}example.no"
        let contact = try await create(store, CreateContactRequest(lastName: "X", emails: [EmailInput(address: odd)]))
        #expect(contact.emails.map(\.address) == [odd])
        await #expect(throws: BusError.self) {
            _ = try await create(store, CreateContactRequest(lastName: "Y", emails: [EmailInput(address: "a@\u{301}b@example.no")]))
        }
    }

    @Test("an update records field changes in history and the event")
    func update() async throws {
        let store = try makeStore()
        let contact = try await create(store, CreateContactRequest(firstName: "Ola", lastName: "Hansen"))
        var patch = UpdateContactRequest(id: contact.id)
        patch.lastName = "Berg"
        patch.phones = [PhoneInput(number: "22 33 44 55")]
        let updated = try Wire.decode(Contact.self, from: try await store.update(patch, actor: "tester", requestId: "u1"))
        #expect(updated.lastName == "Berg")
        #expect(updated.phones.first?.e164 == "+4722334455")
        let history = try await store.history(HistoryRequest(contactId: contact.id, kind: "updated"))
        let changes = try #require(history.items.first?.changes)
        #expect(changes.contains(FieldChange(field: "last_name", before: "Hansen", after: "Berg")))
        let events = try await store.database.outboxEvents(after: 0, limit: 10)
        #expect(events.map(\.type) == ["contact.created", "contact.updated"])
    }

    @Test("search finds any part of a name, an e-mail, or a phone typed another way; pages follow the cursor")
    func search() async throws {
        let store = try makeStore()
        for (first, last) in [("Anna", "Smith"), ("Keith", "Jones"), ("Bob", "Whitfield"), ("Eve", "Brown")] {
            _ = try await create(
                store,
                CreateContactRequest(
                    firstName: first, lastName: last,
                    emails: [EmailInput(address: "\(first.lowercased())@example.com")]))
        }
        _ = try await create(store, CreateContactRequest(lastName: "Phone", phones: [PhoneInput(number: "+47 912 34 567")]))
        let ith = try await store.list(ListContactsRequest(q: "ith"))
        #expect(Set(ith.items.map(\.lastName)) == ["Smith", "Jones"])  // Keith Jones by first name
        #expect(try await store.list(ListContactsRequest(q: "eve@")).items.map(\.firstName) == ["Eve"])
        #expect(try await store.list(ListContactsRequest(q: "004791234567")).items.map(\.lastName) == ["Phone"])
        let page1 = try await store.list(ListContactsRequest(limit: 2))
        let page2 = try await store.list(ListContactsRequest(limit: 2, cursor: page1.nextCursor))
        let page3 = try await store.list(ListContactsRequest(limit: 2, cursor: page2.nextCursor))
        #expect(page1.items.count == 2 && page2.items.count == 2 && page3.items.count == 1)
        #expect(page3.nextCursor == nil)
        #expect(Set((page1.items + page2.items + page3.items).map(\.id)).count == 5)
    }

    @Test("what history takes from a call reads back from telephony's payload, field by field")
    func loggedCallKeys() throws {
        var call = Call(id: 7, producer: "pbx", externalId: "c7", direction: "outbound", status: "answered", eventCount: 3)
        (call.from, call.fromE164, call.to, call.toE164) = ("105", nil, "22 99 88 77", "+4722998877")
        (call.extension, call.user, call.answeredBy) = ("105", "kari", "106")
        (call.contactId, call.contactIds, call.companyIds) = (4, [4, 5], [9])
        (call.ambiguous, call.billsec, call.startedAt) = (true, 61, Date(timeIntervalSince1970: 1_772_000_000))
        let read = try Wire.keyedDecoder.decode(LoggedCall.self, from: Wire.encode(call))
        #expect(read.id == 7 && read.direction == "outbound" && read.status == "answered")
        #expect(read.from == "105" && read.fromE164 == nil && read.to == "22 99 88 77" && read.toE164 == "+4722998877")
        #expect(read.extension == "105" && read.user == "kari" && read.answeredBy == "106")
        #expect(read.contactId == 4 && read.contactIds == [4, 5] && read.companyIds == [9] && read.ambiguous)
        #expect(read.billsec == 61 && read.startedAt == call.startedAt)
    }

    @Test("a call event lands in history once, even when replayed or updated")
    func callHistoryUpsert() async throws {
        let store = try makeStore()
        let contact = try await create(store, CreateContactRequest(lastName: "Caller"))
        var call = Call(id: 7, producer: "pbx", externalId: "c7", direction: "inbound", status: "missed", eventCount: 2)
        call.contactId = contact.id
        call.fromE164 = "+4791234567"
        func deliver(_ type: String, _ sequence: Int64) async throws {
            let event = BusEvent(source: "telephony", sequence: sequence, type: type, occurredAt: "", payload: try Wire.encode(call))
            try await store.database.applyEvent(source: "telephony", sequence: sequence) { db, outbox in
                try CallEventsConsumer.handle(event, db, outbox)
            }
        }
        try await deliver("call.logged", 1)
        try await deliver("call.logged", 1)  // replay
        call.status = "answered"
        call.billsec = 42
        try await deliver("call.updated", 2)
        try await deliver("something.new", 3)  // unknown types are ignored quietly
        let history = try await store.history(HistoryRequest(contactId: contact.id, kind: "call"))
        #expect(history.items.count == 1)
        #expect(history.items.first?.summary == "Inbound call from +4791234567, answered, 42 s")
        #expect(try await store.database.checkpoint(source: "telephony") == 3)
    }
}

/// The store as a caller without a signed-in user sees it (another service, the command line).
extension ContactStore {
    func create(_ request: CreateContactRequest, actor: String, requestId: String) async throws -> Data {
        try await create(request, headers: BusHeaders(actor: actor), requestId: requestId)
    }
    func update(_ request: UpdateContactRequest, actor: String, requestId: String) async throws -> Data {
        try await update(request, headers: BusHeaders(actor: actor), requestId: requestId)
    }
    func delete(id: Int64, actor: String, requestId: String) async throws -> Data {
        try await delete(id: id, headers: BusHeaders(actor: actor), requestId: requestId)
    }
    func list(_ request: ListContactsRequest) async throws -> Page<Contact> { try await list(request, headers: BusHeaders()) }
    func history(_ request: HistoryRequest) async throws -> Page<HistoryEntry> { try await history(request, headers: BusHeaders()) }
}
