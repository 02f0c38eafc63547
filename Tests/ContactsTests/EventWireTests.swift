import Contracts
import Foundation
import Testing

@Suite("Contact events on the wire")
struct EventWireTests {
    @Test("the hand-written JSON of a created contact decodes as Wire's does")
    func createdContact() throws {
        let contact = Contact(
            id: 42, firstName: "Kåre \"K\"", lastName: "Nord\\mann", title: nil,
            phones: [
                ContactPhone(number: "+47 912 34 567", e164: "+4791234567", kind: "mobile"),
                ContactPhone(number: "105", e164: nil, kind: "work"),
            ],
            emails: [ContactEmail(address: "k@example.no", kind: "work")], createdAt: Date(), updatedAt: Date(), deletedAt: nil)
        let event = ContactChanged(contact: contact)
        let mine = try JSONSerialization.jsonObject(with: event.wireJSON) as? NSDictionary
        let wire = try JSONSerialization.jsonObject(with: Wire.encode(event)) as? NSDictionary
        #expect(mine != nil && mine == wire)
    }

    @Test("the hand-written JSON of a page of contacts is Wire's, field for field, full and sparse")
    func contactPage() throws {
        let now = Date(timeIntervalSince1970: 1_769_851_900)  // whole milliseconds, as the wire keeps them
        var full = Contact(
            id: 7, firstName: "Kåre \"K\" 🙂", lastName: "Nord\\mann/Berg\n\t\u{01}", title: "CEO",
            phones: [
                ContactPhone(number: "+47 912 34 567", e164: "+4791234567", kind: "mobile"),
                ContactPhone(number: "105", e164: nil, kind: "work"),
            ],
            emails: [ContactEmail(address: "k/x@example.no", kind: "work")], sourceId: 3, roleId: 4, categoryIds: [1, 9],
            createdAt: Date(timeIntervalSince1970: 1_769_851_800.123), updatedAt: Date(timeIntervalSince1970: 1_769_851_801),
            deletedAt: Date(timeIntervalSince1970: 1_769_851_802.5))
        full.address = Address(street: "Storgata 1", postalCode: "0155", city: "Oslo", country: "NO")
        full.birthday = "1980-02-29"
        full.ownerId = 2
        full.customFields = [
            "origin_of_contact": .string("Web \"form\""), "employees": .int(12), "score": .double(0.1), "vip": .bool(true),
            "none": .null, "tags": .array([.string("a"), .int(1)]), "nested": .object(["k": .double(-2.5e-8)]),
        ]
        full.bankDetails = BankDetails(accountNumber: "1234.56.78903", iban: nil, bic: "DNBANOKK", bankName: "DNB")
        full.consumer = true
        full.customerNumber = 10_001
        full.pictureFileId = 5
        full.lastActivityAt = Date(timeIntervalSince1970: 1_769_000_000)
        full.anonymizedAt = Date(timeIntervalSince1970: 1_769_000_001)
        full.mergedInto = 8
        var emptyParts = Contact(
            id: 9, firstName: "", lastName: "Solo", title: nil, phones: [], emails: [], createdAt: now, updatedAt: now,
            deletedAt: nil)
        emptyParts.address = Address()
        emptyParts.bankDetails = BankDetails()
        let sparse = Contact(
            id: 10, firstName: "Ida", lastName: "Berg", title: nil, phones: [], emails: [], createdAt: now, updatedAt: now,
            deletedAt: nil)
        for page in [
            Page(items: [full, emptyParts, sparse], nextCursor: "WyIxMCJd", count: 10_000, countExact: false),
            Page(items: [sparse], nextCursor: nil, count: 1, countExact: true), Page<Contact>(items: [], nextCursor: nil),
        ] {
            let mine = try JSONSerialization.jsonObject(with: page.wireJSON) as? NSDictionary
            let wire = try JSONSerialization.jsonObject(with: Wire.encode(page)) as? NSDictionary
            #expect(mine != nil && mine == wire, "\(String(decoding: page.wireJSON, as: UTF8.self))")
            let decoded = try Wire.decode(Page<Contact>.self, from: page.wireJSON)
            #expect(decoded.items == page.items && decoded.nextCursor == page.nextCursor && decoded.count == page.count)
            #expect(decoded.countExact == page.countExact)
        }
        #expect(try Wire.decode(Contact.self, from: full.wireJSON) == full)
    }

    @Test("the hand-written JSON of a page of companies is Wire's, field for field, full and sparse")
    func companyPage() throws {
        let now = Date(timeIntervalSince1970: 1_769_851_900)
        var full = Company(id: 3, name: "Fjord \"Line\" AS/ÅS", createdAt: now, updatedAt: now.addingTimeInterval(1.25))
        full.organisationNumber = "987 654 321"
        full.customerNumber = 10_002
        full.kinds = ["customer", "partner"]
        (full.statusId, full.industryId, full.sourceId, full.ownerId, full.mergedInto) = (1, 2, 3, 4, 5)
        full.categoryIds = [7, 8]
        full.postalAddress = Address(street: "Pb 1", postalCode: "0101", city: "Oslo", country: "NO")
        full.visitingAddress = Address(city: "Bergen")
        full.phones = [ContactPhone(number: "22 99 88 77", e164: "+4722998877", kind: "work")]
        full.emails = [ContactEmail(address: "post@fjord.no", kind: "work")]
        full.website = "https://fjord.no/a?b=c"
        full.customFields = ["employees": .int(120), "note": .string("line\nbreak")]
        full.bankDetails = BankDetails(iban: "NO9386011117947")
        full.customerSettings = CustomerSettings(currency: "NOK", paymentTermsDays: 14, language: "nb")
        full.deletedAt = now.addingTimeInterval(2)
        var empty = Company(id: 4, name: "Tom", createdAt: now, updatedAt: now)
        empty.customerSettings = CustomerSettings()
        empty.postalAddress = Address()
        for page in [
            Page(items: [full, empty, Company(id: 5, name: "Bare", createdAt: now, updatedAt: now)], nextCursor: "x", count: 3),
            Page<Company>(items: [], nextCursor: nil, count: 0, countExact: true),
        ] {
            let mine = try JSONSerialization.jsonObject(with: page.wireJSON) as? NSDictionary
            let wire = try JSONSerialization.jsonObject(with: Wire.encode(page)) as? NSDictionary
            #expect(mine != nil && mine == wire, "\(String(decoding: page.wireJSON, as: UTF8.self))")
            #expect(try Wire.decode(Page<Company>.self, from: page.wireJSON).items == page.items)
        }
    }
}
