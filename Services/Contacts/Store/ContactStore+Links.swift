import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Contact-company links: many to many, each with its own title, role and dates.
extension ContactStore {
    func link(_ request: LinkRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let start = try FieldRules.date(request.startDate, field: "start_date")
        let end = try FieldRules.date(request.endDate, field: "end_date")
        if let start, let end, end < start { throw BusError.conflict("end_date is before start_date") }  // two values: 409 (ADR 008)
        let title = request.title?.trimmed.nilIfEmpty
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.link) { db, outbox in
            let (contact, company) = try Self.linkEnds(db, headers: headers, contactId: request.contactId, companyId: request.companyId)
            if let role = request.roleId { try ReferenceRules.check(db, sourceId: nil, roleId: role, categoryIds: nil) }
            let existed =
                try Row.fetchOne(
                    db, sql: "SELECT 1 FROM contact_company WHERE contact_id = ? AND company_id = ?",
                    arguments: [request.contactId, request.companyId]) != nil
            try db.execute(
                sql: """
                    INSERT INTO contact_company (contact_id, company_id, title, role_id, start_date, end_date) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(contact_id, company_id) DO UPDATE SET title = excluded.title, role_id = excluded.role_id,
                        start_date = excluded.start_date, end_date = excluded.end_date
                    """,
                arguments: [request.contactId, request.companyId, title, request.roleId, start, end])
            let link = try Self.links(db, contactId: request.contactId, companyId: request.companyId).first!
            if !existed {
                try History.add(
                    db, .contact(contact.id), kind: "linked", actor: headers.actor, summary: "Linked to \(company.name)", changes: nil)
                try History.add(
                    db, .company(company.id), kind: "linked", actor: headers.actor, summary: "\(contact.displayName) linked",
                    changes: nil)
            }
            try outbox.append(db, type: ContactsContract.Event.linked, payload: link)
            return link
        }
    }

    func unlink(_ request: LinkRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.unlink) { db, outbox in
            let (contact, company) = try Self.linkEnds(db, headers: headers, contactId: request.contactId, companyId: request.companyId)
            guard let link = try Self.links(db, contactId: request.contactId, companyId: request.companyId).first else {
                throw BusError.notFound("contact \(request.contactId) is not linked to company \(request.companyId)")
            }
            try db.execute(
                sql: "DELETE FROM contact_company WHERE contact_id = ? AND company_id = ?",
                arguments: [request.contactId, request.companyId])
            try History.add(
                db, .contact(contact.id), kind: "unlinked", actor: headers.actor, summary: "Unlinked from \(company.name)", changes: nil)
            try History.add(
                db, .company(company.id), kind: "unlinked", actor: headers.actor, summary: "\(contact.displayName) unlinked", changes: nil)
            try outbox.append(db, type: ContactsContract.Event.unlinked, payload: link)
            return Done()
        }
    }

    /// The companies of a contact, or the contacts of a company (those the caller may see).
    func links(_ request: LinksRequest, headers: BusHeaders) async throws -> [ContactLink] {
        guard (request.contactId == nil) != (request.companyId == nil) else {
            throw BusError.badRequest("name a contact_id or a company_id")
        }
        return try await database.read { db in
            let access = try Access.of(headers, db)
            if let id = request.contactId {
                guard let record = try ContactRecord.fetchOne(db, key: id), access.sees(owner: record.ownerId) else {
                    throw BusError.notFound("contact \(id) does not exist")
                }
            }
            if let id = request.companyId {
                guard let record = try CompanyRecord.fetchOne(db, key: id), access.sees(owner: record.ownerId) else {
                    throw BusError.notFound("company \(id) does not exist")
                }
            }
            return try Self.links(db, contactId: request.contactId, companyId: request.companyId, ownerOnly: access.ownerOnly)
        }
    }

    private static func linkEnds(_ db: Database, headers: BusHeaders, contactId: Int64, companyId: Int64) throws -> (Contact, Company) {
        let access = try Access.of(headers, db)
        guard let contact = try loadContact(db, id: contactId), contact.deletedAt == nil, access.sees(owner: contact.ownerId) else {
            throw BusError.notFound("contact \(contactId) does not exist")
        }
        guard let company = try CompanyRecord.fetchOne(db, key: companyId), company.deletedAt == nil, access.sees(owner: company.ownerId)
        else { throw BusError.notFound("company \(companyId) does not exist") }
        return (contact, try loadCompany(db, id: companyId)!)
    }

    static func links(_ db: Database, contactId: Int64?, companyId: Int64?, ownerOnly: Int64? = nil) throws -> [ContactLink] {
        var conditions = ["c.deleted_at IS NULL", "k.deleted_at IS NULL"]
        var arguments: [any DatabaseValueConvertible] = []
        if let contactId {
            conditions.append("l.contact_id = ?")
            arguments.append(contactId)
        }
        if let companyId {
            conditions.append("l.company_id = ?")
            arguments.append(companyId)
        }
        if let ownerOnly {
            conditions.append("c.owner_id = ? AND k.owner_id = ?")
            arguments += [ownerOnly, ownerOnly]
        }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT l.*, c.first_name, c.last_name, k.name AS company_name FROM contact_company l
                JOIN contact c ON c.id = l.contact_id JOIN company k ON k.id = l.company_id
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY k.name COLLATE NOCASE, c.last_name COLLATE NOCASE
                """,
            arguments: StatementArguments(arguments)
        ).map { row in
            var link = ContactLink(contactId: row["contact_id"], companyId: row["company_id"])
            link.title = row["title"]
            link.roleId = row["role_id"]
            link.startDate = row["start_date"]
            link.endDate = row["end_date"]
            link.contactName = [row["first_name"] as String, row["last_name"] as String].filter { !$0.isEmpty }.joined(separator: " ")
            link.companyName = row["company_name"]
            return link
        }
    }
}
