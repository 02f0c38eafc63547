import Bus
import Contracts
import Foundation
import ServiceKit
import Storage
import TestKit
import Testing

@testable import ContactsService

@Suite("Notes")
struct NoteTests {
    static let kari = BusHeaders(actor: "kari", userId: 2, rank: "user")
    static let ola = BusHeaders(actor: "ola", userId: 3, rank: "user")
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")

    func note(_ store: ContactStore, _ json: String, _ headers: BusHeaders) async throws -> Note {
        try Wire.decode(
            Note.self,
            from: try await store.createNote(
                try Wire.decode(CreateNoteRequest.self, from: Data(json.utf8)), headers: headers, requestId: UUID().uuidString))
    }

    @Test("a private note is its author's alone: in lists, history and search; shared notes for all")
    func privacy() async throws {
        let store = ContactStore(
            database: try ServiceDatabase(inMemory: ContactsMigrations.register), phones: PhoneNormalizer(defaultCountry: "NO"))
        let contact = try Wire.decode(
            Contact.self, from: try await store.create(CreateContactRequest(lastName: "Nordmann"), headers: Self.boss, requestId: "c"))
        let secret = try await note(
            store, #"{"contact_id": \#(contact.id), "text": "Thinks our price is too high", "private": true}"#, Self.kari)
        let shared = try await note(store, #"{"contact_id": \#(contact.id), "text": "Met at the trade fair"}"#, Self.kari)
        #expect(secret.private && secret.author == "kari" && secret.authorId == 2)

        func listed(_ headers: BusHeaders, _ json: String) async throws -> [Int64] {
            try await store.notes(try Wire.decode(ListNotesRequest.self, from: Data(json.utf8)), headers: headers).items.map(\.id)
        }
        #expect(try await listed(Self.kari, #"{"contact_id": \#(contact.id)}"#) == [shared.id, secret.id])
        #expect(try await listed(Self.ola, #"{"contact_id": \#(contact.id)}"#) == [shared.id])
        #expect(try await listed(Self.boss, #"{"contact_id": \#(contact.id)}"#) == [shared.id])
        #expect(try await listed(Self.kari, #"{"q": "price"}"#) == [secret.id])
        #expect(try await listed(Self.ola, #"{"q": "price"}"#).isEmpty)
        #expect(try await listed(Self.ola, #"{"q": "trade"}"#) == [shared.id])
        // A NUL in what is typed is no search syntax: the rest is looked for (it was a 500).
        #expect(try await listed(Self.ola, #"{"q": "tra\u0000de"}"#) == [shared.id])
        #expect(try await listed(Self.ola, #"{"q": "\u0000\"\u0000"}"#).isEmpty)

        let kariHistory = try await store.history(HistoryRequest(contactId: contact.id, kind: "note"), headers: Self.kari)
        let olaHistory = try await store.history(HistoryRequest(contactId: contact.id, kind: "note"), headers: Self.ola)
        #expect(kariHistory.items.count == 2 && olaHistory.items.count == 1)
        #expect(olaHistory.items.first?.summary == "Note: Met at the trade fair")

        // Someone else's private note does not exist for them; a shared one can be changed by its author or a boss only.
        await expectBusError(.notFound) {
            _ = try await store.updateNote(UpdateNoteRequest(id: secret.id, text: "x"), headers: Self.ola, requestId: "u1")
        }
        await expectBusError(.notFound) { _ = try await store.deleteNote(id: secret.id, headers: Self.boss, requestId: "d0") }
        await expectBusError(.forbidden) {
            _ = try await store.updateNote(UpdateNoteRequest(id: shared.id, text: "x"), headers: Self.ola, requestId: "u2")
        }
        let edited = try Wire.decode(
            Note.self,
            from: try await store.updateNote(
                UpdateNoteRequest(id: shared.id, text: "Met at Nor-Shipping"), headers: Self.boss, requestId: "u3"))
        #expect(edited.text == "Met at Nor-Shipping")
        _ = try await store.deleteNote(id: secret.id, headers: Self.kari, requestId: "d1")
        #expect(try await listed(Self.kari, #"{"contact_id": \#(contact.id)}"#) == [shared.id])
        // Events never carry a private note's text.
        let events = try await store.database.outboxEvents(after: 0, limit: 100).filter { $0.type.hasPrefix("note.") }
        let payloads = try events.map { try Wire.decode(NoteChanged.self, from: $0.payload) }
        #expect(payloads.filter(\.private).allSatisfy { $0.text == nil })
        await expectBusError(.invalid) { _ = try await note(store, #"{"contact_id": \#(contact.id), "text": "  "}"#, Self.kari) }
        await expectBusError(.badRequest) { _ = try await note(store, #"{"text": "orphan"}"#, Self.kari) }
    }
}
