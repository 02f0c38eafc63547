import Contracts
import Foundation
import GRDB
import ServiceKit

/// Contacts' state as its events (`events.snapshot`), for a subscriber further behind than the
/// outbox keeps: a `contact.created` per contact and a `company.created` per company that is not
/// deleted, then a `contact.linked` per link.
enum ContactsSnapshot {
    static func page(_ db: Database, _ cursor: String?, _ limit: Int) throws -> (events: [(type: String, payload: Data)], next: String?) {
        let (phase, after) = SnapshotCursor.parse(cursor)
        switch phase {
        case 0:
            let ids = try Int64.fetchAll(
                db, sql: "SELECT id FROM contact WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
            let events = try BatchLoad.contacts(db, ids: ids).map { (ContactsContract.Event.created, ContactChanged(contact: $0).wireJSON) }
            return (events, SnapshotCursor.next(phase: 0, of: 3, lastId: ids.last, full: ids.count == limit))
        case 1:
            let ids = try Int64.fetchAll(
                db, sql: "SELECT id FROM company WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
            let events = try BatchLoad.companies(db, ids: ids).map {
                (ContactsContract.Event.companyCreated, try Wire.encode(CompanyChanged(company: $0)))
            }
            return (events, SnapshotCursor.next(phase: 1, of: 3, lastId: ids.last, full: ids.count == limit))
        default:
            // Every link of a page of contacts (the table is keyed by contact and company).
            let contacts = try Int64.fetchAll(
                db, sql: "SELECT DISTINCT contact_id FROM contact_company WHERE contact_id > ? ORDER BY contact_id LIMIT ?",
                arguments: [after, limit])
            guard let last = contacts.last else { return ([], nil) }
            let rows = try Row.fetchAll(
                db, sql: "SELECT contact_id, company_id FROM contact_company WHERE contact_id > ? AND contact_id <= ?",
                arguments: [after, last])
            let events = try rows.map { row in
                (ContactsContract.Event.linked, try Wire.encode(ContactLink(contactId: row["contact_id"], companyId: row["company_id"])))
            }
            return (events, SnapshotCursor.next(phase: 2, of: 3, lastId: last, full: contacts.count == limit))
        }
    }
}
