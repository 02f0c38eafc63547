import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage
import Testing

@testable import ContactsService

/// Every value of an import in its place: kinds of addresses and numbers, notes, the title on
/// the company link, a card's note, web address and picture.
@Suite("Import: kinds, notes and pictures")
struct ImportKindsTests {
    static let boss = ExchangeTests.boss

    func contact(_ store: ContactStore, _ report: ImportReport, _ index: Int = 0) async throws -> Contact {
        try await store.get(id: report.createdIds[index], headers: Self.boss)
    }

    func notes(_ store: ContactStore, _ id: Int64) async throws -> [String] {
        try await store.notes(ListNotesRequest(contactId: id), headers: Self.boss).items.map(\.text)
    }

    @Test("Google's Type columns give each address and number its kind; Outlook's home, fax and other phones; notes")
    func kinds() async throws {
        let store = try await ExchangeTests().makeStore()
        let google = """
            Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,\
            Phone 2 - Type,Phone 2 - Value,Organization 1 - Name,Organization 1 - Title,Notes
            Åse,Ødegård,* Home ::: Work,ase@home.no ::: ase@work.no,Other,ase@other.no,Mobile,+47 412 34 567,Home Fax ::: Work,\
            +47 22 00 00 01 ::: +47 22 00 00 02,Fjordkraft AS,Innkjøper,"Met at the fair.
            Wants a call in May."

            """
        let report = try await store.importCSV(ImportRequest(csv: google), headers: Self.boss)
        #expect(report.created == 1, "\(report.rejected)")
        #expect(!report.ignoredHeaders.contains("E-mail 1 - Type") && !report.ignoredHeaders.contains("Phone 2 - Type"))
        let ase = try await contact(store, report)
        #expect(ase.emails.map { "\($0.kind) \($0.address)" } == ["work ase@work.no", "home ase@home.no", "other ase@other.no"])
        #expect(ase.phones.map { "\($0.kind) \($0.e164 ?? "")" } == ["mobile +4741234567", "work +4722000002", "fax +4722000001"])
        #expect(ase.title == "Innkjøper")
        let links = try await store.links(LinksRequest(contactId: ase.id), headers: Self.boss)
        #expect(links.map { "\($0.companyName ?? "") \($0.title ?? "")" } == ["Fjordkraft AS Innkjøper"])
        #expect(try await notes(store, ase.id) == ["Met at the fair.\nWants a call in May."])

        let outlook = """
            First Name,Last Name,Business Phone,Home Phone,Mobile Phone,Business Fax,Other Phone,E-mail Address,Web Page
            Ola,Nordmann,22 11 11 11,22 22 22 22,900 00 001,22 33 33 33,22 44 44 44,ola@example.no,https://ola.example.no

            """
        let second = try await store.importCSV(ImportRequest(csv: outlook), headers: Self.boss)
        let ola = try await contact(store, second)
        #expect(ola.phones.map(\.kind) == ["mobile", "work", "home", "fax", "other"])
        #expect(try await notes(store, ola.id) == ["Web site: https://ola.example.no"])
    }

    /// A 1x1 PNG.
    static let png = Data(
        base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")!

    @Test("a card's NOTE, URL and PHOTO (2.1 base64 on lines of its own, 4.0 data URI) into a note and the file area")
    func pictures() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-import-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ContactStore(
            database: try ServiceDatabase(inMemory: ContactsMigrations.register), phones: PhoneNormalizer(defaultCountry: "NO"),
            filesDirectory: folder)
        let encoded = Self.png.base64EncodedString()
        let half = encoded.index(encoded.startIndex, offsetBy: encoded.count / 2)
        let cards = """
            BEGIN:VCARD
            VERSION:2.1
            N:Nordmann;Kari;;;
            TEL;CELL:+47 900 11 222
            NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Ringt tilbake p=C3=A5 fredag=0D=0A=
            Liker kaffe.
            URL:https://kari.example.no
            PHOTO;ENCODING=BASE64;TYPE=PNG:\(encoded[..<half])
            \(encoded[half...])

            END:VCARD
            BEGIN:VCARD
            VERSION:4.0
            FN:Per Hansen
            N:Hansen;Per;;;
            EMAIL;TYPE=home:per@home.no
            PHOTO:data:image/png;base64,\(encoded)
            END:VCARD
            BEGIN:VCARD
            VERSION:3.0
            N:Uten;Bilde;;;
            PHOTO;ENCODING=b;TYPE=JPEG:bm90IGFuIGltYWdl
            END:VCARD

            """
        let dry = try await store.importVCard(ImportRequest(vcf: cards, dryRun: true), headers: Self.boss)
        #expect(dry.created == 3)
        #expect((FileManager.default.subpaths(atPath: folder) ?? []).allSatisfy { !$0.hasSuffix(".part") && $0.count < 60 })
        let report = try await store.importVCard(ImportRequest(vcf: cards), headers: Self.boss)
        #expect(report.created == 3)
        let kari = try await contact(store, report)
        #expect(try await notes(store, kari.id) == ["Ringt tilbake på fredag\r\nLiker kaffe.\n\nWeb site: https://kari.example.no"])
        let per = try await contact(store, report, 1)
        #expect(per.emails.map(\.kind) == ["home"])
        for person in [kari, per] {
            let id = try #require(person.pictureFileId)
            let stored = try await store.database.read { db in
                try Row.fetchOne(db, sql: "SELECT contact_id, content_type, sha256 FROM stored_file WHERE id = ?", arguments: [id]).map {
                    [String(describing: $0["contact_id"] as Int64), $0["content_type"] as String, $0["sha256"] as String]
                }
            }
            #expect(stored?.prefix(2) == ["\(person.id)", "image/png"])
            let hash = try #require(stored?.last)
            #expect(FileManager.default.contents(atPath: FileStore.blobPath(hash, directory: folder)) == Self.png)
        }
        // Bytes that are no picture are left out; the contact comes in.
        #expect(try await contact(store, report, 2).pictureFileId == nil)
    }
}
