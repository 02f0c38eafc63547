import Bus
import Contracts
import Foundation
import GRDB
import NotificationsCore
import Storage
import Testing

@testable import NotificationsService

/// The notifications store: a mail's states, what a crash leaves, the snapshot, GDPR.
@Suite("Notifications: the message store")
struct MessageStoreTests {
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")

    func makeStore() throws -> MessageStore {
        MessageStore(database: try ServiceDatabase(inMemory: NotificationsMigrations.register), from: "salg@crm.test")
    }

    func queue(_ store: MessageStore, to: String = "ase@example.no", contact: Int64? = 7) async throws -> Message {
        var ask = SendEmailRequest(to: [to], subject: "Tilbud", text: "Hei")
        ask.contactId = contact
        return try Wire.decode(Message.self, from: try await store.sendEmail(ask, headers: Self.boss, requestId: UUID().uuidString))
    }

    @Test("queued, taken as sending (once), settled; a temporary refusal waits and counts; a crash leaves unknown")
    func states() async throws {
        let store = try makeStore()
        let first = try await queue(store)
        #expect(first.state == "queued" && first.messageId.hasSuffix("@crm.test>") && first.attempts == 0)
        let taken = try await store.take(first)
        #expect(taken.state == "sending" && taken.attempts == 1)
        await #expect(throws: BusError.self) { _ = try await store.take(first) }
        try await store.settle(taken, .temporary(code: 451, reply: "451 try later"))
        let waiting = try await store.get(id: first.id)
        #expect(waiting.state == "queued" && waiting.nextAttemptAt != nil)
        #expect(try await store.due(limit: 10).isEmpty)
        #expect(try await store.due(limit: 10, now: Date().addingTimeInterval(120)).map(\.id) == [first.id])
        let again = try await store.take(waiting)
        try await store.settle(again, .sent(reply: "250 ok"))
        let sent = try await store.get(id: first.id)
        #expect(sent.state == "sent" && sent.attempts == 2 && sent.sentAt != nil)
        // A crash while another is on the wire: it becomes unknown, never queued again.
        let second = try await store.take(try await queue(store))
        #expect(try await store.settleInterrupted() == 1)
        #expect(try await store.get(id: second.id).state == "unknown")
        #expect(try await store.due(limit: 10).isEmpty)
        // Events, in order: queued, sent, queued, unknown.
        let types = try await store.database.read { db in try String.fetchAll(db, sql: "SELECT type FROM outbox ORDER BY seq") }
        #expect(types == ["message.queued", "message.sent", "message.queued", "message.unknown"])
    }

    @Test("bad requests change nothing; the same request id queues once")
    func requests() async throws {
        let store = try makeStore()
        for bad in [
            SendEmailRequest(to: [], subject: "x", text: "x"), SendEmailRequest(to: ["not an address"], subject: "x", text: "x"),
            SendEmailRequest(to: ["a@example.no"], subject: " \n", text: "x"),
        ] {
            await #expect(throws: BusError.self) { _ = try await store.sendEmail(bad, headers: Self.boss, requestId: UUID().uuidString) }
        }
        let ask = SendEmailRequest(to: ["a@example.no"], subject: "Once", text: "x")
        _ = try await store.sendEmail(ask, headers: Self.boss, requestId: "same")
        _ = try await store.sendEmail(ask, headers: Self.boss, requestId: "same")
        #expect(try await store.list(ListMessagesRequest()).items.count == 1)
    }

    @Test("the snapshot answers each message as the event of its state; anonymising scrubs a contact's mails")
    func snapshotAndGDPR() async throws {
        let store = try makeStore()
        let mine = try await queue(store, contact: 7)
        let other = try await queue(store, to: "b@example.no", contact: 8)
        try await store.settle(try await store.take(other), .permanent(code: 550, reply: "550 no"))
        let page = try await store.database.read { db in try NotificationsSnapshot.page(db, nil, 10) }
        #expect(page.events.map(\.type) == ["message.queued", "message.failed"])
        let event = BusEvent(
            source: ContactsContract.service, sequence: 1, type: ContactsContract.Event.anonymized, occurredAt: "2026-11-27T10:00:00Z",
            payload: try Wire.encode(ContactDeleted(contactId: 7)))
        try await store.database.applyEvent(source: ContactsContract.service, sequence: 1) { db, outbox in
            try ContactsConsumer.handle(event, db, outbox)
        }
        let scrubbed = try await store.get(id: mine.id)
        #expect(scrubbed.to.isEmpty && scrubbed.subject == "(anonymised)" && scrubbed.text.isEmpty)
        #expect(try await store.get(id: other.id).to == ["b@example.no"])
    }
}
