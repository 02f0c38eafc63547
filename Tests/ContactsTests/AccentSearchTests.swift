import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage
import Testing

@testable import ContactsService

/// Search that forgives missing accents: `odegard` finds Ødegård, while a query as written
/// lists the records that match it as written first.
@Suite("Accent-insensitive search")
struct AccentSearchTests {
    let base = CustomerDatabaseTests()
    static let boss = CustomerDatabaseTests.boss

    @Test("folding: accents off, Nordic and Polish letters spelt plainly, everything else kept")
    func folding() {
        let cases = [
            ("Ødegård", "odegard"), ("Sørensen", "sorensen"), ("Łódź", "lodz"), ("Müller", "muller"), ("Bjørnæs", "bjornaes"),
            ("Straße 5", "strasse 5"), ("Zażółć gęślą jaźń", "zazolc gesla jazn"), ("ÆRØ", "aero"), ("José-María", "jose-maria"),
            ("Ñuñez", "nunez"), ("Þór Ðórsson", "thor dorsson"), ("plain@example.no", "plain@example.no"), ("Иван", "иван"),
        ]
        for (text, plain) in cases { #expect(TextFold.plain(text) == plain, "\(text)") }
        #expect(TextFold.differs("Ødegård"))
        #expect(!TextFold.differs("ODEGARD"))
        #expect(!TextFold.differs("Иван"))  // case only
    }

    func names(_ store: ContactStore, _ json: String) async throws -> [String] {
        try await store.list(try Wire.decode(ListContactsRequest.self, from: Data(json.utf8)), headers: Self.boss).items.map(
            \.displayName)
    }

    @Test("contacts: odegard, sorensen, lodz, muller; exact matches first, then folded, across pages")
    func contacts() async throws {
        let store = try await base.makeStore()
        for (first, last) in [
            ("Åse", "Ødegård"), ("Per", "Sørensen"), ("Łucja", "Łódź"), ("Hans", "Müller"), ("Kari", "Odegard"), ("Ola", "Hansen"),
        ] {
            _ = try await base.contact(store, #"{"first_name": "\#(first)", "last_name": "\#(last)"}"#)
        }
        #expect(try await names(store, #"{"q": "odegard"}"#) == ["Kari Odegard", "Åse Ødegård"])
        #expect(try await names(store, #"{"q": "Ødegård"}"#) == ["Åse Ødegård", "Kari Odegard"])
        #expect(try await names(store, #"{"q": "odeg"}"#) == ["Kari Odegard", "Åse Ødegård"])
        #expect(try await names(store, #"{"q": "ØDEGÅRD"}"#) == ["Åse Ødegård", "Kari Odegard"])
        #expect(try await names(store, #"{"q": "sorensen"}"#) == ["Per Sørensen"])
        #expect(try await names(store, #"{"q": "lodz"}"#) == ["Łucja Łódź"])
        #expect(try await names(store, #"{"q": "lucja lodz"}"#) == ["Łucja Łódź"])
        #expect(try await names(store, #"{"q": "muller"}"#) == ["Hans Müller"])
        #expect(try await names(store, #"{"q": "MULLER"}"#) == ["Hans Müller"])
        #expect(try await names(store, #"{"q": "ase"}"#) == ["Åse Ødegård"])
        #expect(try await names(store, #"{"q": "hansen"}"#) == ["Ola Hansen"])
        // Counted with both parts; other orders have both parts in that order.
        var counting = ListContactsRequest(q: "odegard")
        counting.count = true
        let counted = try await store.list(counting, headers: Self.boss)
        #expect(counted.count == 2 && counted.countExact == true)
        #expect(try await names(store, #"{"q": "odegard", "sort": "name"}"#) == ["Kari Odegard", "Åse Ødegård"])
        // One per page: the exact match, then the folded one, then the end.
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await store.list(ListContactsRequest(q: "odegard", limit: 1, cursor: cursor), headers: Self.boss)
            seen += page.items.map(\.displayName)
            cursor = page.nextCursor
        } while cursor != nil && seen.count < 5
        #expect(seen == ["Kari Odegard", "Åse Ødegård"])
        // A renamed contact is found by its new name only.
        let muller = try await store.list(ListContactsRequest(q: "muller"), headers: Self.boss).items[0]
        var change = UpdateContactRequest(id: muller.id)
        change.lastName = "Schmidt"
        _ = try await store.update(change, headers: Self.boss, requestId: "rename")
        #expect(try await names(store, #"{"q": "muller"}"#).isEmpty)
    }

    @Test("companies: lodz finds Łódź, an organisation number is not folded")
    func companies() async throws {
        let store = try await base.makeStore()
        _ = try await base.company(store, #"{"name": "Łódź Logistyka Sp. z o.o.", "custom_fields": {"employees": 3}}"#)
        _ = try await base.company(
            store, #"{"name": "Fjørå Fisk AS", "organisation_number": "987 654 321", "custom_fields": {"employees": 3}}"#)
        func companies(_ q: String) async throws -> [String] {
            try await store.listCompanies(ListCompaniesRequest(q: q), headers: Self.boss).items.map(\.name)
        }
        #expect(try await companies("lodz") == ["Łódź Logistyka Sp. z o.o."])
        #expect(try await companies("fjora fisk") == ["Fjørå Fisk AS"])
        #expect(try await companies("654 321") == ["Fjørå Fisk AS"])
    }

    @Test("an existing database: the migration folds the names its search rows hold")
    func migration() throws {
        var migrator = DatabaseMigrator()
        ContactsMigrations.register(&migrator)
        let queue = try DatabaseQueue()
        try migrator.migrate(queue, upTo: "contacts-v9-search-backlog")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO contact_search (rowid, name, emails, phones) VALUES (1099511627769, 'Åse Ødegård', '', '');
                    INSERT INTO company_search (rowid, name, numbers, emails, phones) VALUES (1099511627773, 'Łódź Handel', '', '', '');
                    INSERT INTO contact (id, first_name, last_name, created_at, updated_at) VALUES (7, 'Åse', 'Ødegård', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
                    INSERT INTO company (id, name, kinds, created_at, updated_at) VALUES (3, 'Łódź Handel', '[]', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
                    """)
        }
        try migrator.migrate(queue)
        let found = try queue.read { db -> (contact: Int64?, company: Int64?) in
            let contact = try Int64.fetchOne(db, sql: "SELECT rowid FROM contact_plain WHERE contact_plain MATCH 'odegard'")
            let company = try Int64.fetchOne(db, sql: "SELECT rowid FROM company_plain WHERE company_plain MATCH 'lodz'")
            return (contact, company)
        }
        #expect(found.contact == SearchIndex.rowid(7))
        #expect(found.company == SearchIndex.rowid(3))
    }
}
