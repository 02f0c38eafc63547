import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage
import TestKit
import Testing

@testable import ContactsService

@Suite("Duplicates, merge and purge")
struct MergeTests {
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")

    func makeStore() throws -> ContactStore {
        ContactStore(database: try ServiceDatabase(inMemory: ContactsMigrations.register), phones: PhoneNormalizer(defaultCountry: "NO"))
    }

    func contact(_ store: ContactStore, _ json: String) async throws -> Contact {
        try Wire.decode(
            Contact.self,
            from: try await store.create(
                try Wire.decode(CreateContactRequest.self, from: Data(json.utf8)), headers: Self.boss, requestId: UUID().uuidString))
    }

    func company(_ store: ContactStore, _ json: String) async throws -> Company {
        try Wire.decode(
            Company.self,
            from: try await store.createCompany(
                try Wire.decode(CompanyInput.self, from: Data(json.utf8)), headers: Self.boss, requestId: UUID().uuidString))
    }

    @Test("likely duplicates: the same e-mail, the same phone, a similar name at the same company")
    func duplicates() async throws {
        let store = try makeStore()
        let a = try await contact(store, #"{"first_name": "Kari", "last_name": "Nordmann", "emails": [{"address": "kari@x.no"}]}"#)
        let b = try await contact(store, #"{"first_name": "Karianne", "last_name": "nordmann", "emails": [{"address": "KARI@x.no"}]}"#)
        let c = try await contact(store, #"{"last_name": "Phone", "phones": [{"number": "912 34 567"}]}"#)
        let d = try await contact(store, #"{"last_name": "Other", "phones": [{"number": "+4791234567"}]}"#)
        let acme = try await company(store, #"{"name": "Acme AS", "organisation_number": "923 456 789"}"#)
        _ = try await company(store, #"{"name": "ACME A/S", "organisation_number": "923456789"}"#)
        for id in [a.id, b.id] {
            _ = try await store.link(LinkRequest(contactId: id, companyId: acme.id), headers: Self.boss, requestId: "l\(id)")
        }
        let groups = try await store.duplicates(limit: nil, headers: Self.boss)
        #expect(groups.contains(DuplicateGroup(reason: "email", value: "kari@x.no", ids: [a.id, b.id])))
        #expect(groups.contains(DuplicateGroup(reason: "phone", value: "+4791234567", ids: [c.id, d.id])))
        #expect(groups.contains { $0.reason == "name_at_company" && $0.ids == [a.id, b.id] })
        let companies = try await store.companyDuplicates(limit: nil, headers: Self.boss)
        #expect(Set(companies.map(\.reason)) == ["organisation_number", "name"])
    }

    @Test("merging moves links, notes, history, phones and e-mails to the survivor; the other is deleted and points to it")
    func merge() async throws {
        let store = try makeStore()
        let keep = try await contact(store, #"{"first_name": "Kari", "last_name": "Nordmann", "emails": [{"address": "kari@x.no"}]}"#)
        let gone = try await contact(
            store,
            #"{"first_name": "Kari", "last_name": "Nordmann", "title": "CFO", "emails": [{"address": "KARI@x.no"}, {"address": "k@home.no", "kind": "home"}], "phones": [{"number": "912 34 567"}]}"#
        )
        let acme = try await company(store, #"{"name": "Acme"}"#)
        _ = try await store.link(LinkRequest(contactId: gone.id, companyId: acme.id), headers: Self.boss, requestId: "l")
        _ = try await store.createNote(
            try Wire.decode(CreateNoteRequest.self, from: Data(#"{"contact_id": \#(gone.id), "text": "Met at the fair"}"#.utf8)),
            headers: Self.boss, requestId: "n")
        let merged = try Wire.decode(
            Contact.self,
            from: try await store.merge(MergeRequest(survivorId: keep.id, otherId: gone.id), headers: Self.boss, requestId: "m"))
        #expect(merged.title == "CFO" && merged.emails.map(\.address) == ["kari@x.no", "k@home.no"] && merged.phones.count == 1)
        #expect(try await store.links(LinksRequest(contactId: keep.id), headers: Self.boss).map(\.companyId) == [acme.id])
        #expect(try await store.notes(ListNotesRequest(contactId: keep.id), headers: Self.boss).items.count == 1)
        let history = try await store.history(HistoryRequest(contactId: keep.id), headers: Self.boss)
        #expect(history.items.first?.kind == "merged" && history.items.contains { $0.summary.hasPrefix("Contact Kari Nordmann created") })
        let other = try await store.get(id: gone.id, headers: Self.boss)
        #expect(other.deletedAt != nil && other.mergedInto == keep.id)
        #expect(try await store.list(ListContactsRequest(q: "home.no"), headers: Self.boss).items.map(\.id) == [keep.id])
        let events = try await store.database.outboxEvents(after: 0, limit: 100).map(\.type)
        #expect(events.suffix(3) == ["contact.merged", "contact.updated", "contact.deleted"])
        await expectBusError(.notFound) {
            _ = try await store.merge(MergeRequest(survivorId: keep.id, otherId: gone.id), headers: Self.boss, requestId: "m2")
        }
        await expectBusError(.conflict) {
            _ = try await store.merge(MergeRequest(survivorId: keep.id, otherId: keep.id), headers: Self.boss, requestId: "m3")
        }
    }

    @Test("companies merge: contacts, phones and empty fields move; the other is deleted and points to it")
    func mergeCompanies() async throws {
        let store = try makeStore()
        let keep = try await company(store, #"{"name": "Acme AS"}"#)
        let gone = try await company(
            store, #"{"name": "ACME A/S", "organisation_number": "923456789", "phones": [{"number": "22 33 44 55"}]}"#)
        let kari = try await contact(store, #"{"last_name": "Nordmann"}"#)
        _ = try await store.link(LinkRequest(contactId: kari.id, companyId: gone.id), headers: Self.boss, requestId: "l")
        let merged = try Wire.decode(
            Company.self,
            from: try await store.mergeCompanies(MergeRequest(survivorId: keep.id, otherId: gone.id), headers: Self.boss, requestId: "m"))
        #expect(merged.organisationNumber == "923456789" && merged.phones.count == 1)
        #expect(try await store.links(LinksRequest(companyId: keep.id), headers: Self.boss).map(\.contactId) == [kari.id])
        #expect(try await store.company(id: gone.id, headers: Self.boss).mergedInto == keep.id)
    }

    @Test("purge removes only what was deleted before the retention period, with all that hangs on it")
    func purge() async throws {
        let store = try makeStore()
        let old = try await contact(store, #"{"last_name": "Old", "emails": [{"address": "old@x.no"}]}"#)
        let recent = try await contact(store, #"{"last_name": "Recent"}"#)
        let alive = try await contact(store, #"{"last_name": "Alive"}"#)
        _ = try await store.delete(id: old.id, headers: Self.boss, requestId: "d1")
        _ = try await store.delete(id: recent.id, headers: Self.boss, requestId: "d2")
        let longAgo = Date().addingTimeInterval(-200 * 86400)
        try await store.database.write { db, _ in
            try db.execute(sql: "UPDATE contact SET deleted_at = ? WHERE id = ?", arguments: [longAgo, old.id])
        }
        await expectBusError(.forbidden) {
            _ = try await store.purge(PurgeRequest(), headers: BusHeaders(actor: "kari", userId: 2, rank: "user"))
        }
        let dry = try await store.purge(PurgeRequest(dryRun: true), headers: Self.boss)
        #expect(dry.contacts == 1 && dry.dryRun)
        let done = try await store.purge(PurgeRequest(), headers: Self.boss)
        #expect(done.contacts == 1)
        await expectBusError(.notFound) { _ = try await store.get(id: old.id, headers: Self.boss) }
        #expect(try await store.get(id: recent.id, headers: Self.boss).deletedAt != nil)
        #expect(try await store.get(id: alive.id, headers: Self.boss).deletedAt == nil)
        let leftovers = try await store.database.read { db in
            try Int.fetchOne(
                db,
                sql:
                    "SELECT (SELECT COUNT(*) FROM contact_email WHERE contact_id = ?) + (SELECT COUNT(*) FROM contact_history WHERE contact_id = ?)",
                arguments: [old.id, old.id])
        }
        #expect(leftovers == 0)
    }
}
