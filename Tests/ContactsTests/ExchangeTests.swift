import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage
import TestKit
import Testing

@testable import ContactsService

@Suite("Import and export")
struct ExchangeTests {
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")

    func makeStore() async throws -> ContactStore {
        let store = ContactStore(
            database: try ServiceDatabase(inMemory: ContactsMigrations.register), phones: PhoneNormalizer(defaultCountry: "NO"))
        try await store.database.write { db, _ in
            for (id, kind, name, appliesTo) in [
                (1, "categories", "VIP", "contact"), (2, "sources", "Trade fair", nil), (3, "industries", "Finance", nil),
                (4, "categories", "Key account", "company"),
            ] as [(Int64, String, String, String?)] {
                try db.execute(
                    sql: "INSERT INTO reference_item (id, kind, name, active, applies_to) VALUES (?, ?, ?, 1, ?)",
                    arguments: [id, kind, name, appliesTo])
            }
        }
        return store
    }

    @Test("the CSV reader takes quotes, doubled quotes, line breaks in quotes, CRLF, semicolons and a BOM")
    func csvReader() throws {
        let text = "\u{FEFF}Fornavn;Etternavn;Merknad\r\n\"Kari\";Nordmann;\"sa \"\"hei\"\";\nny linje\"\r\nOla;\"Hansen; jr\";\r\n"
        #expect(CSVReader.detect(text) == ";")
        let records = try CSVReader(delimiter: ";").records(text)
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(records[1].fields == ["Kari", "Nordmann", "sa \"hei\";\nny linje"])
        #expect(records[2].fields == ["Ola", "Hansen; jr", ""])
        #expect(throws: CSVError.self) { _ = try CSVReader(delimiter: ",").records("a,b\n\"open,c\n") }
        #expect(CSVWriter.line(["a,b", "say \"x\"", "plain"]) == "\"a,b\",\"say \"\"x\"\"\",plain\r\n")
    }

    @Test("CSV import: mapping, dry run, rejected rows by line and reason, duplicates in the file and the database, safe twice")
    func importContacts() async throws {
        let store = try await makeStore()
        let csv = """
            Fornavn;Etternavn;E-post;Mobil;By;Kilde;Grupper;Firma
            Kari;Nordmann;kari@example.no;912 34 567;Bergen;Trade fair;VIP;Acme AS
            Ola;Hansen;ola@example.no;;Oslo;;;Acme AS
            ;;;;;;;
            Per;Berg;not-an-email;;;;;
            Eva;Lie;eva@example.no;+47 912 34 567;;;;
            Ida;Dahl;ida@example.no;;;Radio;;
            KARI;Copy;KARI@example.no;;;;;

            """
        let mapping = [
            "Fornavn": "first_name", "Etternavn": "last_name", "E-post": "email", "Mobil": "mobile", "By": "city", "Kilde": "source",
            "Grupper": "categories", "Firma": "company",
        ]
        let dry = try await store.importCSV(ImportRequest(csv: csv, mapping: mapping, dryRun: true), headers: Self.boss)
        #expect(dry.dryRun && dry.rows == 7 && dry.created == 3 && dry.createdIds.isEmpty)
        #expect(try await store.list(ListContactsRequest(), headers: Self.boss).items.isEmpty)
        #expect(dry.rejected.map(\.line) == [4, 7])
        #expect(dry.rejected[1].reason.contains("Radio"))
        // An address that is not one is a warning; Per is imported without it.
        #expect(dry.warnings?.map(\.line) == [5] && dry.warnings?[0].reason.contains("not-an-email") == true && dry.warningCount == 1)
        #expect(dry.duplicates.map(\.line) == [6, 8] && dry.duplicates.allSatisfy { $0.existingId == nil })

        let report = try await store.importCSV(ImportRequest(csv: csv, mapping: mapping), headers: Self.boss)
        #expect(report.created == 3 && report.duplicateCount == 2 && report.rejectedCount == 2)
        let kari = try await store.get(id: report.createdIds[0], headers: Self.boss)
        #expect(kari.phones.first?.e164 == "+4791234567" && kari.address?.city == "Bergen" && kari.sourceId == 2 && kari.categoryIds == [1])
        let links = try await store.links(LinksRequest(contactId: kari.id), headers: Self.boss)
        #expect(links.map(\.companyName) == ["Acme AS"])
        let ola = try await store.links(LinksRequest(contactId: report.createdIds[1]), headers: Self.boss)
        #expect(ola.map(\.companyId) == links.map(\.companyId))  // the same company, made once

        // Twice: nothing new, each row a duplicate of what the first run made.
        let again = try await store.importCSV(ImportRequest(csv: csv, mapping: mapping), headers: Self.boss)
        #expect(again.created == 0 && again.duplicates.first?.existingId == kari.id)
        #expect(try await store.list(ListContactsRequest(), headers: Self.boss).items.count == 3)
        await expectBusError(.invalid) {
            _ = try await store.importCSV(ImportRequest(csv: "a;b\n1;2\n", mapping: ["a": "shoe_size"]), headers: Self.boss)
        }
        await expectBusError(.conflict) {
            _ = try await store.importCSV(ImportRequest(csv: "a;b\n1;2\n", mapping: ["c": "city"]), headers: Self.boss)
        }
    }

    @Test("companies: headers that name fields map themselves; duplicates by organisation number")
    func importCompanies() async throws {
        let store = try await makeStore()
        let csv =
            "Name,Organisation number,Industry,Categories,City\nAcme AS,923 456 789,Finance,Key account,Oslo\nAcme again,923456789,,,\n"
        let report = try await store.importCSV(ImportRequest(kind: "companies", csv: csv), headers: Self.boss)
        #expect(report.created == 1 && report.duplicates.first?.line == 3)
        let acme = try await store.company(id: report.createdIds[0], headers: Self.boss)
        #expect(acme.industryId == 3 && acme.categoryIds == [4] && acme.postalAddress?.city == "Oslo")
        #expect(try await store.listCompanies(ListCompaniesRequest(q: "456 789"), headers: Self.boss).items.map(\.id) == [acme.id])
    }

    @Test("a big import leaves its search rows to the backlog: listed at once, found after it drains, edits in between kept")
    func deferredSearchRows() async throws {
        let store = try await makeStore()
        let count = SearchBacklog.threshold + 500
        var csv = "first_name;last_name;email;company;organisation_number;mobile\n"
        for n in 0..<count {
            csv += "Bulk\(n);Zqxperson\(n);bulk\(n)@example.no;" + (n % 100 == 0 ? "Quillfirm \(n) AS;9\(100_000_00 + n)" : ";")
            csv += ";4\(String(format: "%07d", n))\n"
        }
        let report = try await store.importCSV(ImportRequest(csv: csv), headers: Self.boss)
        #expect(report.created == count)
        #expect(report.searchPending == count + count / 100)  // the contacts and the companies they named
        // In lists and counts at once (by id: no search involved).
        var byId = ListContactsRequest()
        byId.id = report.createdIds[7]
        #expect(try await store.list(byId).items.map(\.lastName) == ["Zqxperson7"])
        await store.backlog.idle()  // the import asked the store's drainer for a drain
        #expect(try await store.database.read { try SearchBacklog.pending($0) } == 0)
        for n in [0, 999, count - 1] {
            #expect(try await store.list(ListContactsRequest(q: "zqxperson\(n)@")).items.isEmpty)  // the name, not the e-mail
            #expect(try await store.list(ListContactsRequest(q: "bulk\(n)@example")).items.map(\.lastName) == ["Zqxperson\(n)"])
        }
        #expect(try await store.listCompanies(ListCompaniesRequest(q: "quillfirm 1400"), headers: Self.boss).items.count == 1)
        #expect(try await store.list(ListContactsRequest(q: "400 01 234")).items.map(\.lastName) == ["Zqxperson1234"])
        // The backlog writes the row an edit would write (name, e-mails, phones), read from fewer columns.
        let sample = report.createdIds[3]
        func searchRow() async throws -> [String?] {
            try await store.database.read { db in
                let row = try Row.fetchOne(
                    db, sql: "SELECT name, emails, phones FROM contact_search WHERE rowid = ?", arguments: [SearchIndex.rowid(sample)])
                return [row?["name"], row?["emails"], row?["phones"]]
            }
        }
        let drained = try await searchRow()
        try await store.database.write { db, _ in try SearchIndex.indexContact(db, try #require(try loadContact(db, id: sample))) }
        #expect(try await searchRow() == drained && drained == ["Bulk3 Zqxperson3", "bulk3@example.no", "+4740000003"])

        // A drain cut short (a stop) and resumed: a record edited in between is indexed as it is
        // now, one deleted in between is skipped, and the rest is indexed once.
        let first = report.createdIds[0], last = first + Int64(count) - 1
        var patch = UpdateContactRequest(id: first + 5)
        patch.lastName = "Renamedperson"
        _ = try await store.update(patch, actor: "tester", requestId: "rename")
        try await store.database.write { db, _ in
            try db.execute(sql: "DELETE FROM contact_search")
            try db.execute(sql: "DELETE FROM contact WHERE id = ?", arguments: [first + 6])
            try SearchBacklog.add(db, .contact, first: first, last: last)
        }
        let left = try await store.database.write { db, _ in try SearchBacklog.indexBatch(db, limit: 1_000) }
        #expect(left == count - 1_000)
        #expect(try await store.list(ListContactsRequest(q: "Renamedperson")).items.map(\.id) == [first + 5])
        #expect(try await store.list(ListContactsRequest(q: "bulk1200@")).items.isEmpty)  // not yet
        await SearchBacklog.drain(store.database)
        #expect(try await store.list(ListContactsRequest(q: "bulk1200@")).items.count == 1)
        #expect(try await store.list(ListContactsRequest(q: "bulk5@")).items.map(\.lastName) == ["Renamedperson"])
        #expect(try await store.list(ListContactsRequest(q: "Bulk5 Zqxperson5")).items.isEmpty)  // the old name is gone
        let rows = try await store.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM contact_search") }
        #expect(rows == count - 1)

        // A big file of mostly known rows: what it does create is searchable without anyone draining.
        var again = csv
        for n in 0..<3 { again += "Late\(n);Yqvperson\(n);late\(n)@example.no;;;\n" }
        let second = try await store.importCSV(ImportRequest(csv: again), headers: Self.boss)
        #expect(second.created == 4 && second.searchPending == 4)  // the 3 new rows and the contact deleted above
        var found = false
        for _ in 0..<200 where !found {
            found = try await store.list(ListContactsRequest(q: "Yqvperson2")).items.count == 1
            if !found { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(found)
    }

    @Test("CSV export of a search reads back; vCards round-trip and escape what RFC 6350 says")
    func export() async throws {
        let store = try await makeStore()
        var request = CreateContactRequest(
            firstName: "Kari", lastName: "Nordmann, jr.", title: "CFO; finance", phones: [PhoneInput(number: "+47 912 34 567")],
            emails: [EmailInput(address: "kari@example.no")])
        request.address = Address(street: "Gata 1", postalCode: "5003", city: "Bergen", country: "NO")
        request.birthday = "1980-01-31"
        let kari = try Wire.decode(Contact.self, from: try await store.create(request, headers: Self.boss, requestId: "k"))
        _ = try await store.create(CreateContactRequest(firstName: "Ola", lastName: "Hansen"), headers: Self.boss, requestId: "o")

        let file = try await store.exportContactsCSV(ListContactsRequest(q: "nordmann"), headers: Self.boss)
        #expect(file.rows == 1 && file.contentType.hasPrefix("text/csv"))
        let records = try CSVReader(delimiter: ",").records(file.text)
        #expect(records.count == 2 && records[1].fields[2] == "Nordmann, jr." && records[1].fields[3] == "CFO; finance")

        var single = ListContactsRequest()
        single.id = kari.id
        let card = try await store.exportVCards(single, headers: Self.boss).text
        #expect(card.hasPrefix("BEGIN:VCARD\r\nVERSION:4.0\r\n") && card.contains("N:Nordmann\\, jr.;Kari;;;"))
        #expect(card.contains("TITLE:CFO\\; finance") && card.contains("BDAY:19800131") && card.contains("TEL;TYPE=cell:+4791234567"))
        #expect(card.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        let cards = try VCard.read(card)
        #expect(cards.count == 1)
        #expect(cards[0].card.request.lastName == "Nordmann, jr." && cards[0].card.request.title == "CFO; finance")
        #expect(cards[0].card.request.address?.city == "Bergen" && cards[0].card.request.birthday == "1980-01-31")

        // Importing the exported cards into another database gives the same person.
        let other = try await makeStore()
        let report = try await other.importVCard(ImportRequest(vcf: card), headers: Self.boss)
        #expect(report.created == 1)
        let copy = try await other.get(id: report.createdIds[0], headers: Self.boss)
        #expect(copy.firstName == "Kari" && copy.lastName == "Nordmann, jr." && copy.phones.first?.e164 == "+4791234567")
        #expect(try await other.importVCard(ImportRequest(vcf: card), headers: Self.boss).duplicateCount == 1)
    }

    @Test("exports map themselves: Google's several values in one cell and in several columns, Outlook's US dates and 0/0/00")
    func knownExports() async throws {
        let store = try await makeStore()
        // Google Contacts: its own header row, `:::` between a field's values, several numbered columns.
        let google = """
            Name,Given Name,Additional Name,Family Name,Birthday,Notes,Group Membership,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,Organization 1 - Name,Organization 1 - Title,Address 1 - Street,Address 1 - City,Address 1 - Postal Code,Address 1 - Country
            Åse Ødegård,Åse,,Ødegård,1970-03-14,,* myContacts,* Home,ase@example.no ::: ase.o@work.no,,,Mobile,+47 412 34 567,Fjordkraft AS,Innkjøper,Strandgaten 1,Bergen,5013,Norway

            """
        let dry = try await store.importCSV(ImportRequest(csv: google, dryRun: true), headers: Self.boss)
        let went = Dictionary(uniqueKeysWithValues: (dry.columns ?? []).map { ($0.header, $0.field ?? "-") })
        #expect(went["Given Name"] == "first_name" && went["Family Name"] == "last_name" && went["E-mail 1 - Value"] == "email")
        #expect(went["E-mail 1 - Type"] == "-" && went["Phone 1 - Value"] == "phone" && went["Organization 1 - Name"] == "company")
        #expect(went["Organization 1 - Title"] == "title" && went["Address 1 - Postal Code"] == "postal_code")
        #expect(dry.columns?.first { $0.header == "Birthday" }?.dateFormat == "YYYY-MM-DD")
        let report = try await store.importCSV(ImportRequest(csv: google), headers: Self.boss)
        #expect(report.created == 1 && report.rejectedCount == 0 && report.warningCount == 0, "\(report.rejected) \(report.warnings ?? [])")
        let ase = try await store.get(id: report.createdIds[0], headers: Self.boss)
        #expect((ase.firstName, ase.lastName, ase.title, ase.birthday) == ("Åse", "Ødegård", "Innkjøper", "1970-03-14"))
        #expect(ase.emails.map(\.address) == ["ase@example.no", "ase.o@work.no"])
        #expect(ase.phones.map(\.e164) == ["+4741234567"])
        #expect(ase.address?.street == "Strandgaten 1" && ase.address?.postalCode == "5013" && ase.address?.city == "Bergen")
        #expect(try await store.links(LinksRequest(contactId: ase.id), headers: Self.boss).map(\.companyName) == ["Fjordkraft AS"])

        // Outlook (English): US dates, `0/0/00` for none, several e-mail and phone columns.
        let outlook = """
            First Name,Last Name,E-mail Address,E-mail Display Name,E-mail 2 Address,Mobile Phone,Business Phone,Job Title,Company,Birthday
            Ola,Fisk,ola@fisk.no,Ola Fisk (ola@fisk.no),ola.privat@fisk.no,+47 900 11 222,+47 55 00 11 22,Skipper,Fisk AS,3/14/1970
            Kari,Garn,kari@garn.no,,,,,,,0/0/00
            Per,Tau,per@tau.no,,,,,,,31/31/1970

            """
        let second = try await store.importCSV(ImportRequest(csv: outlook), headers: Self.boss)
        #expect(second.created == 3 && second.columns?.first { $0.header == "Birthday" }?.dateFormat == "M/D/YYYY")
        #expect(second.warnings?.map(\.line) == [4] && second.warnings?.first?.reason.contains("31/31/1970") == true)
        let ola = try await store.get(id: second.createdIds[0], headers: Self.boss)
        #expect(ola.birthday == "1970-03-14" && ola.title == "Skipper")
        #expect(ola.emails.map(\.address) == ["ola@fisk.no", "ola.privat@fisk.no"])
        #expect(ola.phones.map(\.kind) == ["mobile", "work"])
        #expect(try await store.get(id: second.createdIds[1], headers: Self.boss).birthday == nil)

        // A Norwegian Excel sheet (semicolons, D.M.YYYY) and a Polish one, without a mapping.
        let norwegian =
            "Fornavn;Etternavn;E-post;Mobil;Firma;Postnr;Poststed;Fødselsdato\nSiri;Lie;siri@lie.no;915 55 666;Lie AS;0150;Oslo;24.12.1985\n"
        let third = try await store.importCSV(ImportRequest(csv: norwegian), headers: Self.boss)
        #expect(third.created == 1 && third.ignoredHeaders.isEmpty)
        let siri = try await store.get(id: third.createdIds[0], headers: Self.boss)
        #expect(siri.birthday == "1985-12-24" && siri.address?.postalCode == "0150" && siri.address?.city == "Oslo")
        let polish = "Imię;Nazwisko;E-mail;Telefon;Firma\nŁucja;Wójcik;lucja@firma.pl;+48 601 234 567;Firma Sp. z o.o.\n"
        let fourth = try await store.importCSV(ImportRequest(csv: polish), headers: Self.boss)
        #expect(fourth.created == 1 && fourth.ignoredHeaders.isEmpty)
        // A name-only row imported twice is one contact.
        let names = "First Name;Last Name\nNils;Navn\n"
        #expect(try await store.importCSV(ImportRequest(csv: names), headers: Self.boss).created == 1)
        #expect(try await store.importCSV(ImportRequest(csv: names), headers: Self.boss).duplicateCount == 1)
    }

    @Test("dates as exports write them, each form read and the column's form found")
    func dates() {
        #expect(ImportDates.read("3/14/1970", form: "M/D/YYYY") == "1970-03-14")
        #expect(ImportDates.read("14.3.1970", form: "D.M.YYYY") == "1970-03-14")
        #expect(ImportDates.read("14/03/1970", form: "D/M/YYYY") == "1970-03-14")
        #expect(ImportDates.read("14.03.70", form: "DD.MM.YY") == "1970-03-14")
        #expect(ImportDates.read("29.02.2023", form: "D.M.YYYY") == nil)
        #expect(ImportDates.read("1970-3-14", form: "YYYY-MM-DD") == nil)
        #expect(ImportDates.detect(["3/14/1970", "1/2/1980"]) == "M/D/YYYY")
        #expect(ImportDates.detect(["14/3/1970", "1/2/1980"]) == "D/M/YYYY")
        #expect(ImportDates.detect(["0/0/00", ""]) == nil)
        #expect(ImportHeaders.plain("E-mail 2 - Value") == "e mail value" && ImportHeaders.plain("Imię") == "imie")
        #expect(
            ImportHeaders.plain("Fødselsdato") == "fodselsdato"
                && ImportHeaders.plain("Business Country/Region") == "business country region")
    }

    @Test("vCards as phones write them: Android's 2.1 with QUOTED-PRINTABLE and soft breaks, the iPhone's 3.0 with item groups")
    func phoneCards() async throws {
        let android = """
            BEGIN:VCARD\r
            VERSION:2.1\r
            N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=98deg=C3=A5rd;=C3=85se;;;\r
            FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=85se =C3=98deg=C3=A5rd\r
            TEL;CELL:+47 412 34 567\r
            TEL;HOME;VOICE:+47 55 12 34 56\r
            EMAIL;HOME:ase@example.no\r
            ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;Str=C3=B8mgaten 1;Bergen;;5015;Norge\r
            NOTE;ENCODING=QUOTED-PRINTABLE:F=C3=B8rste linje med en lang tekst som br=\r
            ytes=0D=0Aog fortsetter\r
            BDAY:1970-03-14\r
            END:VCARD\r

            """
        let cards = try VCard.read(android)
        let card = try #require(cards.first?.card.request)
        #expect((card.firstName, card.lastName) == ("Åse", "Ødegård"))
        #expect(card.phones?.map(\.kind) == ["mobile", "home"] && card.emails?.first?.kind == "home")
        #expect(card.address?.street == "Strømgaten 1" && card.address?.country == "NO" && card.birthday == "1970-03-14")
        let iphone = """
            BEGIN:VCARD
            VERSION:3.0
            PRODID:-//Apple Inc.//iPhone OS 17.0//EN
            N:Hansen;Ola;;;
            FN:Ola Hansen
            ORG:Fjordkraft AS;
            TITLE:Innkjøper
            item1.TEL;type=pref:+47 900 11 222
            item1.X-ABLabel:_$!<Mobile>!$_
            item2.TEL:+47 55 00 11 22
            item2.X-ABLabel:_$!<Work>!$_
            item3.EMAIL;type=INTERNET:ola@fjordkraft.no
            item3.X-ABLabel:_$!<Work>!$_
            BDAY;value=date:1981-07-02
            END:VCARD

            """
        let ola = try #require(try VCard.read(iphone).first?.card)
        #expect(ola.organisation == "Fjordkraft AS" && ola.request.title == "Innkjøper" && ola.request.birthday == "1981-07-02")
        #expect(ola.request.phones?.map(\.kind) == ["mobile", "work"])
        // Through the import: the company is linked, the mobile is a mobile.
        let store = try await makeStore()
        let report = try await store.importVCard(ImportRequest(vcf: android + iphone), headers: Self.boss)
        #expect(report.created == 2, "\(report.rejected)")
        let imported = try await store.get(id: report.createdIds[1], headers: Self.boss)
        #expect(imported.phones.map(\.kind) == ["mobile", "work"])
        #expect(try await store.links(LinksRequest(contactId: imported.id), headers: Self.boss).map(\.companyName) == ["Fjordkraft AS"])
    }
}
