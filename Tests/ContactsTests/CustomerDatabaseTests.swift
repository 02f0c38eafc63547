import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage
import TestKit
import Testing

@testable import ContactsService

/// Companies, contact fields, links, search, visibility: the customer database in full.
@Suite("Customer database")
struct CustomerDatabaseTests {
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")
    static let kari = BusHeaders(actor: "kari", userId: 2, rank: "user")
    static let ola = BusHeaders(actor: "ola", userId: 3, rank: "user")

    /// A store whose read model of settings holds a few items, fed through the real consumer.
    func makeStore() async throws -> ContactStore {
        let store = ContactStore(
            database: try ServiceDatabase(inMemory: ContactsMigrations.register), phones: PhoneNormalizer(defaultCountry: "NO"))
        let items: [(Int64, ReferenceKind, String, String?)] = [
            (1, .categories, "VIP", "contact"), (2, .categories, "Key account", "company"), (3, .categories, "Newsletter", "both"),
            (10, .industries, "Finance", nil), (11, .industries, "Retail", nil), (20, .companyStatuses, "Active", nil),
            (30, .sources, "Web site", nil), (31, .sources, "Referral", nil), (40, .roles, "General Manager", nil),
        ]
        var sequence: Int64 = 0
        func feed(_ type: String, _ change: SettingsChange) async throws {
            sequence += 1
            let event = BusEvent(
                source: "settings", sequence: sequence, type: type, occurredAt: "2026-01-01T00:00:00Z", payload: try Wire.encode(change))
            try await store.database.applyEvent(source: "settings", sequence: sequence) { db, outbox in
                try ContactsEvents.handle(event, db, outbox)
            }
        }
        let now = Date()
        for (id, kind, name, appliesTo) in items {
            let item = ReferenceItem(
                id: id, kind: kind, name: name, colour: nil, sortOrder: 0, active: true, locked: false, appliesTo: appliesTo,
                createdAt: now,
                updatedAt: now)
            try await feed(
                "reference.created",
                SettingsChange(entity: "reference", kind: kind.rawValue, id: id, actor: nil, before: nil, after: .of(item)))
        }
        let fields = [
            CustomField(
                id: 1, appliesTo: "contact", key: "origin_of_contact", label: "Origin", type: "choice", options: ["Web", "Phone"],
                required: false, ownTab: false, sortOrder: 1, active: true, createdAt: now, updatedAt: now),
            CustomField(
                id: 2, appliesTo: "company", key: "employees", label: "Employees", type: "number", options: [], required: true,
                ownTab: false, sortOrder: 1, active: true, createdAt: now, updatedAt: now),
        ]
        for field in fields {
            try await feed(
                "custom_field.created", SettingsChange(entity: "custom_field", id: field.id, actor: nil, before: nil, after: .of(field)))
        }
        return store
    }

    func setVisibility(_ store: ContactStore, shared: Bool) async throws {
        let change = SettingsChange(
            entity: "configuration", kind: "visibility", id: nil, actor: nil, before: nil,
            after: try .of(VisibilityConfiguration(sharedCustomerCards: shared)))
        let sequence = try await store.database.checkpoint(source: "settings") + 1
        let event = BusEvent(
            source: "settings", sequence: sequence, type: "configuration.updated", occurredAt: "2026-01-01T00:00:00Z",
            payload: try Wire.encode(change))
        try await store.database.applyEvent(source: "settings", sequence: sequence) { db, outbox in
            try ContactsEvents.handle(event, db, outbox)
        }
    }

    func company(_ store: ContactStore, _ json: String, headers: BusHeaders = boss) async throws -> Company {
        try Wire.decode(
            Company.self,
            from: try await store.createCompany(
                try Wire.decode(CompanyInput.self, from: Data(json.utf8)), headers: headers, requestId: UUID().uuidString))
    }

    func contact(_ store: ContactStore, _ json: String, headers: BusHeaders = boss) async throws -> Contact {
        try Wire.decode(
            Contact.self,
            from: try await store.create(
                try Wire.decode(CreateContactRequest.self, from: Data(json.utf8)), headers: headers, requestId: UUID().uuidString))
    }

    @Test("a company with every field; customer numbers come from one sequence shared with consumers")
    func companies() async throws {
        let store = try await makeStore()
        let acme = try await company(
            store,
            """
            {"name": " Acme AS ", "organisation_number": "923 456 789", "assign_customer_number": true, "kinds": ["customer", "supplier"],
             "status_id": 20, "industry_id": 10, "source_id": 30, "category_ids": [2, 3],
             "postal_address": {"street": "Box 1", "postal_code": "0101", "city": "Oslo", "country": "no"},
             "visiting_address": {"street": "Storgata 1", "city": "Bergen"},
             "phones": [{"number": "22 33 44 55", "kind": "work"}], "emails": [{"address": "post@acme.no"}],
             "website": "acme.no", "custom_fields": {"employees": 42},
             "bank_details": {"iban": "NO93 8601 1117 947", "bic": "DNBANOKK"},
             "customer_settings": {"currency": "nok", "payment_terms_days": 14, "language": "NB"}}
            """)
        #expect(acme.name == "Acme AS" && acme.customerNumber == 10001 && acme.kinds == ["customer", "supplier"])
        #expect(acme.postalAddress?.country == "NO" && acme.website == "https://acme.no")
        #expect(acme.phones.first?.e164 == "+4722334455" && acme.categoryIds == [2, 3])
        #expect(acme.bankDetails?.iban == "NO9386011117947" && acme.customerSettings?.currency == "NOK")
        #expect(acme.customFields["employees"] == .int(42))
        let consumer = try await contact(store, #"{"first_name": "Eva", "last_name": "Consumer", "consumer": true}"#)
        #expect(consumer.customerNumber == 10002 && consumer.consumer)
        let other = try await company(store, #"{"name": "Beta", "assign_customer_number": true, "custom_fields": {"employees": 1}}"#)
        #expect(other.customerNumber == 10003)

        for bad in [#"{"name": ""}"#, #"{"name": "X", "kinds": ["friend"], "custom_fields": {"employees": 1}}"#] {
            await expectBusError(.invalid) { _ = try await company(store, bad) }
        }
        // What only stored data (or check digits) can refuse is a conflict (ADR 008).
        for bad in [
            #"{"name": "X", "category_ids": [1], "custom_fields": {"employees": 1}}"#,
            #"{"name": "X", "industry_id": 30, "custom_fields": {"employees": 1}}"#,
            #"{"name": "X", "bank_details": {"iban": "NO9386011117948"}, "custom_fields": {"employees": 1}}"#,
            #"{"name": "X", "custom_fields": {"employees": "many"}}"#, #"{"name": "X"}"#,
            #"{"name": "X", "custom_fields": {"employees": 1, "shoe_size": 44}}"#,
        ] {
            await expectBusError(.conflict) { _ = try await company(store, bad) }
        }
        // Update: only what is given; {} clears an address; history says what changed.
        var change = try Wire.decode(CompanyInput.self, from: Data(#"{"visiting_address": {}, "industry_id": 11, "website": ""}"#.utf8))
        change.id = acme.id
        let updated = try Wire.decode(Company.self, from: try await store.updateCompany(change, headers: Self.boss, requestId: "u1"))
        #expect(updated.visitingAddress == nil && updated.industryId == 11 && updated.website == nil && updated.name == "Acme AS")
        let history = try await store.companyHistory(CompanyHistoryRequest(companyId: acme.id), headers: Self.boss)
        let fields = history.items.first?.changes?.map(\.field) ?? []
        #expect(Set(fields) == ["industry", "visiting_address", "website"])
        #expect(history.items.first?.changes?.first { $0.field == "industry" }?.after == "Retail")
    }

    @Test("contacts: address, birthday, custom fields checked against settings' definitions, categories for contacts only")
    func contactFields() async throws {
        let store = try await makeStore()
        let kari = try await contact(
            store,
            """
            {"first_name": "Kari", "last_name": "Nordmann", "title": "CFO", "role_id": 40, "source_id": 31, "category_ids": [1, 3],
             "address": {"street": "Gata 2", "postal_code": "5003", "city": "Bergen", "country": "NO"}, "birthday": "1980-02-29",
             "custom_fields": {"origin_of_contact": "Web"}}
            """)
        #expect(kari.birthday == "1980-02-29" && kari.address?.city == "Bergen" && kari.customFields["origin_of_contact"] == .string("Web"))
        for bad in [#"{"last_name": "X", "birthday": "1981-02-29"}"#, #"{"last_name": "X", "address": {"country": "Norway"}}"#] {
            await expectBusError(.invalid) { _ = try await contact(store, bad) }
        }
        for bad in [
            #"{"last_name": "X", "category_ids": [2]}"#, #"{"last_name": "X", "custom_fields": {"origin_of_contact": "Fax"}}"#,
            #"{"last_name": "X", "role_id": 30}"#,
        ] {
            await expectBusError(.conflict) { _ = try await contact(store, bad) }
        }
        // Choose categories replaces the set; a custom value set to null goes away.
        let chosen = try Wire.decode(
            Contact.self,
            from: try await store.setCategories(SetCategoriesRequest(id: kari.id, categoryIds: [3]), headers: Self.boss, requestId: "c"))
        #expect(chosen.categoryIds == [3])
        var change = UpdateContactRequest(id: kari.id)
        change.customFields = ["origin_of_contact": .null]
        let cleared = try Wire.decode(Contact.self, from: try await store.update(change, headers: Self.boss, requestId: "u"))
        #expect(cleared.customFields.isEmpty)
    }

    @Test("links: many to many with title, role and dates; listed both ways; history on both sides")
    func links() async throws {
        let store = try await makeStore()
        let acme = try await company(store, #"{"name": "Acme", "custom_fields": {"employees": 5}}"#)
        let beta = try await company(store, #"{"name": "Beta", "custom_fields": {"employees": 5}}"#)
        let kari = try await contact(store, #"{"first_name": "Kari", "last_name": "Nordmann"}"#)
        let ola = try await contact(store, #"{"first_name": "Ola", "last_name": "Hansen"}"#)
        var request = LinkRequest(contactId: kari.id, companyId: acme.id)
        request.title = "CFO"
        request.roleId = 40
        request.startDate = "2024-01-01"
        _ = try await store.link(request, headers: Self.boss, requestId: "l1")
        _ = try await store.link(LinkRequest(contactId: kari.id, companyId: beta.id), headers: Self.boss, requestId: "l2")
        _ = try await store.link(LinkRequest(contactId: ola.id, companyId: acme.id), headers: Self.boss, requestId: "l3")
        let kariCompanies = try await store.links(LinksRequest(contactId: kari.id), headers: Self.boss)
        #expect(kariCompanies.map(\.companyName) == ["Acme", "Beta"] && kariCompanies[0].title == "CFO" && kariCompanies[0].roleId == 40)
        let acmeContacts = try await store.links(LinksRequest(companyId: acme.id), headers: Self.boss)
        #expect(acmeContacts.map(\.contactName) == ["Ola Hansen", "Kari Nordmann"])
        // Changing a link keeps one link.
        request.title = "CEO"
        _ = try await store.link(request, headers: Self.boss, requestId: "l4")
        #expect(try await store.links(LinksRequest(contactId: kari.id), headers: Self.boss).first?.title == "CEO")
        var bad = LinkRequest(contactId: kari.id, companyId: acme.id)
        bad.startDate = "2024-05-01"
        bad.endDate = "2024-01-01"
        await expectBusError(.conflict) { _ = try await store.link(bad, headers: Self.boss, requestId: "l5") }
        _ = try await store.unlink(LinkRequest(contactId: kari.id, companyId: beta.id), headers: Self.boss, requestId: "u1")
        #expect(try await store.links(LinksRequest(contactId: kari.id), headers: Self.boss).map(\.companyId) == [acme.id])
        let history = try await store.companyHistory(CompanyHistoryRequest(companyId: beta.id), headers: Self.boss)
        #expect(history.items.map(\.kind).prefix(2) == ["unlinked", "linked"])
        // Contacts of a company, as a list filter.
        let filtered = try await store.list(
            try Wire.decode(ListContactsRequest.self, from: Data(#"{"company_id": \#(acme.id)}"#.utf8)), headers: Self.boss)
        #expect(Set(filtered.items.map(\.id)) == [kari.id, ola.id])
    }

    @Test("search finds any part of a name, e-mail or phone in any format; filters, sorts and counts")
    func search() async throws {
        let store = try await makeStore()
        for (first, last, city) in [
            ("John", "Smith", "Oslo"), ("Anna", "Keith", "Bergen"), ("Per", "Whitfield", "Oslo"), ("Ida", "Berg", "Oslo"),
        ] {
            _ = try await contact(
                store, #"{"first_name": "\#(first)", "last_name": "\#(last)", "address": {"city": "\#(city)"}, "category_ids": [3]}"#)
        }
        _ = try await contact(
            store, #"{"last_name": "Phone", "phones": [{"number": "+47 912 34 567"}], "emails": [{"address": "ph@x.no"}]}"#)
        func names(_ json: String) async throws -> [String] {
            try await store.list(try Wire.decode(ListContactsRequest.self, from: Data(json.utf8)), headers: Self.boss).items.map(\.lastName)
        }
        let ith = try await names(#"{"q": "ith"}"#)
        // Substring search: "Whitfield" holds "hit", not "ith", so it is (rightly) not found.
        #expect(Set(ith) == ["Smith", "Keith"], "\(ith)")
        #expect(try await names(#"{"q": "hitf"}"#) == ["Whitfield"])
        #expect(try await names(#"{"q": "ITH", "city": "bergen"}"#) == ["Keith"])
        for typed in ["912 34 567", "0047 912 34 567", "+4791234567", "34567", "ph@x"] {
            #expect(try await names(#"{"q": "\#(typed)"}"#) == ["Phone"], "\(typed)")
        }
        #expect(try await names(#"{"q": "be", "sort": "name"}"#) == ["Berg"])
        #expect(try await names(#"{"sort": "name", "category_id": 3}"#) == ["Berg", "Keith", "Smith", "Whitfield"])
        // Keyset pages in name order.
        let first = try await store.list(
            try Wire.decode(ListContactsRequest.self, from: Data(#"{"sort": "name", "limit": 2, "count": true}"#.utf8)), headers: Self.boss)
        #expect(first.items.map(\.lastName) == ["Berg", "Keith"] && first.count == 5 && first.countExact == true)
        var next = try Wire.decode(ListContactsRequest.self, from: Data(#"{"sort": "name", "limit": 2}"#.utf8))
        next.cursor = first.nextCursor
        #expect(try await store.list(next, headers: Self.boss).items.map(\.lastName) == ["Phone", "Smith"])
        // Every well-formed cursor is a position (ADR 008): one from another order reads as a
        // position in this one instead of failing.
        var wrong = try Wire.decode(ListContactsRequest.self, from: Data(#"{"sort": "updated"}"#.utf8))
        wrong.cursor = first.nextCursor
        _ = try await store.list(wrong, headers: Self.boss)
        await expectBusError(.invalid) {
            var garbage = try Wire.decode(ListContactsRequest.self, from: Data(#"{"sort": "name"}"#.utf8))
            garbage.cursor = "not a cursor"
            _ = try await store.list(garbage, headers: Self.boss)
        }
        // Companies by name part, organisation number and kind.
        _ = try await company(
            store,
            #"{"name": "Smithson Tools", "organisation_number": "987 654 321", "kinds": ["supplier"], "custom_fields": {"employees": 1}}"#)
        let byNumber = try await store.listCompanies(ListCompaniesRequest(q: "654 321"), headers: Self.boss)
        #expect(byNumber.items.map(\.name) == ["Smithson Tools"])
        var suppliers = ListCompaniesRequest(q: "mith")
        suppliers.kind = "customer"
        #expect(try await store.listCompanies(suppliers, headers: Self.boss).items.isEmpty)
    }

    @Test("a search's count is capped at 10,000 and exact below it, deleted matches left out either way")
    func cappedSearchCount() async throws {
        let store = try await makeStore()
        // 10,003 contacts whose names hold "sen", and one that does not; written as rows, the API
        // would take far longer for this many.
        try await store.database.write { db, _ in
            for id in Int64(1)...10_004 {
                let last = id == 10_004 ? "Berg" : "Hansen"
                try db.execute(
                    sql:
                        "INSERT INTO contact (id, first_name, last_name, created_at, updated_at) VALUES (?, 'Kari', ?, '2026-01-01', '2026-01-01')",
                    arguments: [id, last])
                try db.execute(
                    sql: "INSERT INTO contact_search (rowid, name, emails, phones) VALUES (?, ?, '', '')",
                    arguments: [SearchIndex.rowid(id), "Kari \(last)"])
            }
        }
        func count(_ json: String) async throws -> (Int?, Bool?) {
            let page = try await store.list(try Wire.decode(ListContactsRequest.self, from: Data(json.utf8)), headers: Self.boss)
            return (page.count, page.countExact)
        }
        func delete(_ ids: ClosedRange<Int64>) async throws {
            for id in ids { _ = try await store.delete(id: id, headers: Self.boss, requestId: "d\(id)") }
        }
        #expect(try await count(#"{"q": "sen", "count": true}"#) == (10_000, false))
        // Two deleted: 10,001 live matches, still over the cap.
        try await delete(1...2)
        #expect(try await count(#"{"q": "sen", "count": true}"#) == (10_000, false))
        // Two more: 9,999 live matches among 10,003, counted exactly.
        try await delete(3...4)
        #expect(try await count(#"{"q": "sen", "count": true}"#) == (9_999, true))
        #expect(try await count(#"{"q": "sen", "count": true, "deleted": true}"#) == (4, true))
        #expect(try await count(#"{"q": "sen", "count": true, "include_deleted": true}"#) == (10_000, false))
        #expect(try await count(#"{"q": "berg", "count": true}"#) == (1, true))
        // A filter besides the search is counted the exact way.
        #expect(try await count(#"{"q": "sen", "count": true, "owner_id": 7}"#) == (0, true))
    }

    @Test("soft delete hides a record until restored; restore lists what is deleted")
    func restore() async throws {
        let store = try await makeStore()
        let kari = try await contact(store, #"{"first_name": "Kari", "last_name": "Nordmann"}"#)
        let acme = try await company(store, #"{"name": "Acme", "custom_fields": {"employees": 5}}"#)
        _ = try await store.link(LinkRequest(contactId: kari.id, companyId: acme.id), headers: Self.boss, requestId: "l")
        _ = try await store.delete(id: kari.id, headers: Self.boss, requestId: "d1")
        _ = try await store.setCompanyDeleted(id: acme.id, deleted: true, headers: Self.boss, requestId: "d2")
        #expect(try await store.list(ListContactsRequest(), headers: Self.boss).items.isEmpty)
        let deleted = try await store.list(
            try Wire.decode(ListContactsRequest.self, from: Data(#"{"deleted": true}"#.utf8)), headers: Self.boss)
        #expect(deleted.items.map(\.id) == [kari.id])
        _ = try await store.restore(id: kari.id, headers: Self.boss, requestId: "r1")
        _ = try await store.setCompanyDeleted(id: acme.id, deleted: false, headers: Self.boss, requestId: "r2")
        #expect(try await store.links(LinksRequest(contactId: kari.id), headers: Self.boss).map(\.companyId) == [acme.id])
        let events = try await store.database.outboxEvents(after: 0, limit: 100).map(\.type)
        #expect(events.contains("contact.restored") && events.contains("company.restored"))
    }

    @Test("when customer cards are not shared, a user sees and changes only what they own; a boss sees all")
    func visibility() async throws {
        let store = try await makeStore()
        let mine = try await contact(store, #"{"last_name": "Mine"}"#, headers: Self.kari)
        let theirs = try await contact(store, #"{"last_name": "Theirs"}"#, headers: Self.ola)
        #expect(mine.ownerId == 2 && theirs.ownerId == 3)
        // Shared (the default): everybody sees everything.
        #expect(try await store.list(ListContactsRequest(), headers: Self.kari).items.count == 2)
        try await setVisibility(store, shared: false)
        #expect(try await store.list(ListContactsRequest(), headers: Self.kari).items.map(\.lastName) == ["Mine"])
        #expect(try await store.list(ListContactsRequest(), headers: Self.boss).items.count == 2)
        await expectBusError(.notFound) { _ = try await store.get(id: theirs.id, headers: Self.kari) }
        var change = UpdateContactRequest(id: theirs.id)
        change.title = "Hacked"
        await expectBusError(.notFound) { _ = try await store.update(change, headers: Self.kari, requestId: "x") }
        await expectBusError(.notFound) { _ = try await store.history(HistoryRequest(contactId: theirs.id), headers: Self.kari) }
        var give = UpdateContactRequest(id: mine.id)
        give.ownerId = 3
        await expectBusError(.forbidden) { _ = try await store.update(give, headers: Self.kari, requestId: "y") }
        // A user's new card is theirs even if they name another owner.
        let named = try await contact(store, #"{"last_name": "Named", "owner_id": 3}"#, headers: Self.kari)
        #expect(named.ownerId == 2)
        _ = try await store.update(give, headers: Self.boss, requestId: "z")
        #expect(try await store.list(ListContactsRequest(), headers: Self.kari).items.map(\.lastName) == ["Named"])
    }

    @Test("the cities customers are in: each once whatever its case, in order, limited; only one's own when cards are not shared")
    func cities() async throws {
        let store = try await makeStore()
        for (name, city, owner) in [
            ("A", "Bergen", Self.kari), ("B", "bergen", Self.ola), ("C", "Ålesund", Self.ola), ("D", "Arendal", Self.kari),
            ("E", "Tromsø", Self.ola), ("F", " ", Self.kari),
        ] {
            _ = try await contact(store, #"{"last_name": "\#(name)", "address": {"city": "\#(city)"}}"#, headers: owner)
        }
        _ = try await contact(store, #"{"last_name": "No city"}"#)
        _ = try await company(store, #"{"name": "Kystbyen AS", "custom_fields": {"employees": 3}, "visiting_address": {"city": "Bodø"}}"#)
        let all = try await store.cities(CitiesRequest(), headers: Self.kari)
        #expect(all.count == 4)
        #expect(all.map { $0.lowercased() } == ["arendal", "bergen", "tromsø", "ålesund"])
        #expect(try await store.cities(CitiesRequest(limit: 2), headers: Self.kari).count == 2)
        #expect(try await store.cities(CitiesRequest(companies: true), headers: Self.kari) == ["Bodø"])
        try await setVisibility(store, shared: false)
        #expect(try await store.cities(CitiesRequest(), headers: Self.kari) == ["Arendal", "Bergen"])
    }

    @Test("lists filtered by custom fields: a choice, a number, case ignored; bad keys match nothing, too many refused")
    func customFieldFilters() async throws {
        let store = try await makeStore()
        _ = try await contact(store, #"{"last_name": "Webb", "custom_fields": {"origin_of_contact": "Web"}}"#)
        _ = try await contact(store, #"{"last_name": "Phoney", "custom_fields": {"origin_of_contact": "Phone"}}"#)
        _ = try await contact(store, #"{"last_name": "Blank"}"#)
        _ = try await company(store, #"{"name": "Small AS", "custom_fields": {"employees": 5}}"#)
        _ = try await company(store, #"{"name": "Bigger AS", "custom_fields": {"employees": 12}}"#)
        var ask = ListContactsRequest()
        ask.customFields = ["origin_of_contact": "web"]
        ask.count = true
        let found = try await store.list(ask, headers: Self.boss)
        #expect(found.items.map(\.lastName) == ["Webb"] && found.count == 1)
        var companies = ListCompaniesRequest()
        companies.customFields = ["employees": "12"]
        #expect(try await store.listCompanies(companies, headers: Self.boss).items.map(\.name) == ["Bigger AS"])
        companies.customFields = ["employees": "12.0"]
        #expect(try await store.listCompanies(companies, headers: Self.boss).items.map(\.name) == ["Bigger AS"])
        companies.customFields = ["employees": "twelve"]
        #expect(try await store.listCompanies(companies, headers: Self.boss).items.isEmpty)
        // A key no custom field can have (nor reach the SQL), or a blank value, names nothing: no match.
        for bad in [["1st": "x"], ["a\"); DROP TABLE contact; --": "x"], ["origin_of_contact": " "]] {
            ask.customFields = bad
            let none = try await store.list(ask, headers: Self.boss)
            #expect(none.items.isEmpty && none.count == 0)
        }
        ask.customFields = Dictionary(uniqueKeysWithValues: (1...6).map { ("k\($0)", "v") })
        await expectBusError(.invalid) { _ = try await store.list(ask, headers: Self.boss) }
    }

    @Test("reference data in use: counted and moved for contacts and companies, with history")
    func referenceUse() async throws {
        let store = try await makeStore()
        let acme = try await company(store, #"{"name": "Acme", "industry_id": 10, "category_ids": [3], "custom_fields": {"employees": 5}}"#)
        _ = try await contact(store, #"{"last_name": "A", "category_ids": [3]}"#)
        #expect(try await store.referenceUsage(kind: .industries, id: 10).count == 1)
        #expect(try await store.referenceUsage(kind: .categories, id: 3).count == 2)
        let moved = try Wire.decode(
            ReferenceCount.self,
            from: try await store.moveReference(ReferenceMoveRequest(kind: .industries, from: 10, to: 11), actor: "admin", requestId: "m"))
        #expect(moved.count == 1)
        #expect(try await store.company(id: acme.id, headers: Self.boss).industryId == 11)
        let history = try await store.companyHistory(CompanyHistoryRequest(companyId: acme.id), headers: Self.boss)
        #expect(history.items.first?.summary == "Industry Finance replaced by Retail")
        let cleared = try Wire.decode(
            ReferenceCount.self,
            from: try await store.moveReference(ReferenceMoveRequest(kind: .categories, from: 3, to: nil), actor: "admin", requestId: "c"))
        let left = try await store.referenceUsage(kind: .categories, id: 3).count
        #expect(cleared.count == 2 && left == 0)
    }
}
