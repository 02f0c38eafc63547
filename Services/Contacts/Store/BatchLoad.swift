import Contracts
import Foundation
import GRDB

/// Reads a page of contacts or companies with one query per table (not four per record), in
/// the order of the ids given: a page of 50 costs 4 queries, not 200.
enum BatchLoad {
    static func contacts(_ db: Database, ids: [Int64]) throws -> [Contact] {
        guard !ids.isEmpty else { return [] }
        let list = ids.map { String($0) }.joined(separator: ",")
        let records = Dictionary(
            try ContactRecord.fetchAll(db, sql: "SELECT * FROM contact WHERE id IN (\(list))").map { ($0.id!, $0) },
            uniquingKeysWith: { first, _ in first })
        let phones = try Self.grouped(
            db, "SELECT contact_id AS owner, number, e164, kind FROM contact_phone WHERE contact_id IN (\(list)) ORDER BY position")
        let emails = try Self.grouped(
            db, "SELECT contact_id AS owner, address, kind FROM contact_email WHERE contact_id IN (\(list)) ORDER BY position")
        let categories = try Self.grouped(
            db, "SELECT contact_id AS owner, category_id FROM contact_category WHERE contact_id IN (\(list)) ORDER BY category_id")
        return ids.compactMap { id in
            guard let record = records[id] else { return nil }
            var contact = Contact(
                id: id, firstName: record.firstName, lastName: record.lastName, title: record.title,
                phones: (phones[id] ?? []).map { ContactPhone(number: $0["number"], e164: $0["e164"], kind: $0["kind"]) },
                emails: (emails[id] ?? []).map { ContactEmail(address: $0["address"], kind: $0["kind"]) },
                sourceId: record.sourceId, roleId: record.roleId, categoryIds: (categories[id] ?? []).map { $0["category_id"] },
                createdAt: record.createdAt, updatedAt: record.updatedAt, deletedAt: record.deletedAt)
            contact.apply(record)
            return contact
        }
    }

    static func companies(_ db: Database, ids: [Int64]) throws -> [Company] {
        guard !ids.isEmpty else { return [] }
        let list = ids.map { String($0) }.joined(separator: ",")
        let records = Dictionary(
            try CompanyRecord.fetchAll(db, sql: "SELECT * FROM company WHERE id IN (\(list))").map { ($0.id!, $0) },
            uniquingKeysWith: { first, _ in first })
        let phones = try Self.grouped(
            db, "SELECT company_id AS owner, number, e164, kind FROM company_phone WHERE company_id IN (\(list)) ORDER BY position")
        let emails = try Self.grouped(
            db, "SELECT company_id AS owner, address, kind FROM company_email WHERE company_id IN (\(list)) ORDER BY position")
        let categories = try Self.grouped(
            db, "SELECT company_id AS owner, category_id FROM company_category WHERE company_id IN (\(list)) ORDER BY category_id")
        return ids.compactMap { id in
            guard let record = records[id] else { return nil }
            var company = Company(record: record)
            company.phones = (phones[id] ?? []).map { ContactPhone(number: $0["number"], e164: $0["e164"], kind: $0["kind"]) }
            company.emails = (emails[id] ?? []).map { ContactEmail(address: $0["address"], kind: $0["kind"]) }
            company.categoryIds = (categories[id] ?? []).map { $0["category_id"] }
            return company
        }
    }
}

extension BatchLoad {
    /// Child rows by the id of the record they belong to (the query names it `owner`).
    static func grouped(_ db: Database, _ sql: String, arguments: StatementArguments = []) throws -> [Int64: [Row]] {
        Dictionary(grouping: try Row.fetchAll(db, sql: sql, arguments: arguments), by: { $0["owner"] as Int64 })
    }
}

extension Contact {
    /// The fields that come straight from the `contact` row.
    mutating func apply(_ record: ContactRecord) {
        address = record.address
        birthday = record.birthday
        ownerId = record.ownerId
        customFields = record.customFields ?? [:]
        bankDetails = record.bankDetails
        consumer = record.consumer
        customerNumber = record.customerNumber
        pictureFileId = record.pictureFileId
        lastActivityAt = record.lastActivityAt
        anonymizedAt = record.anonymizedAt
        mergedInto = record.mergedInto
    }
}

extension Company {
    /// A company from its row, without phones, e-mails and categories.
    init(record: CompanyRecord) {
        self.init(id: record.id!, name: record.name, createdAt: record.createdAt, updatedAt: record.updatedAt)
        organisationNumber = record.organisationNumber
        customerNumber = record.customerNumber
        kinds = record.kinds
        statusId = record.statusId
        industryId = record.industryId
        sourceId = record.sourceId
        ownerId = record.ownerId
        postalAddress = record.postalAddress
        visitingAddress = record.visitingAddress
        website = record.website
        customFields = record.customFields ?? [:]
        bankDetails = record.bankDetails
        customerSettings = record.customerSettings
        mergedInto = record.mergedInto
        deletedAt = record.deletedAt
    }
}
