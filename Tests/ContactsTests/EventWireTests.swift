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
}
