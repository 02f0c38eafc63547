import Contracts
import Foundation
import GRDB

/// A row of `company` (phones, e-mails and categories live in their own tables).
struct CompanyRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "company"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var id: Int64?
    var name: String
    var organisationNumber: String?
    var customerNumber: Int64?
    var kinds: [String]
    var statusId: Int64?
    var industryId: Int64?
    var sourceId: Int64?
    var ownerId: Int64?
    var postalAddress: Address?
    var visitingAddress: Address?
    /// The visiting (else postal) address's city, as its own column for filtering.
    var city: String?
    var website: String?
    var customFields: [String: JSONValue]?
    var bankDetails: BankDetails?
    var customerSettings: CustomerSettings?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Reads one company with its phones, e-mails and categories.
func loadCompany(_ db: Database, id: Int64) throws -> Company? {
    guard let record = try CompanyRecord.fetchOne(db, key: id) else { return nil }
    var company = Company(id: id, name: record.name, createdAt: record.createdAt, updatedAt: record.updatedAt)
    company.organisationNumber = record.organisationNumber
    company.customerNumber = record.customerNumber
    company.kinds = record.kinds
    company.statusId = record.statusId
    company.industryId = record.industryId
    company.sourceId = record.sourceId
    company.ownerId = record.ownerId
    company.postalAddress = record.postalAddress
    company.visitingAddress = record.visitingAddress
    company.website = record.website
    company.customFields = record.customFields ?? [:]
    company.bankDetails = record.bankDetails
    company.customerSettings = record.customerSettings
    company.deletedAt = record.deletedAt
    company.phones = try Row.fetchAll(
        db, sql: "SELECT number, e164, kind FROM company_phone WHERE company_id = ? ORDER BY position", arguments: [id]
    ).map { ContactPhone(number: $0["number"], e164: $0["e164"], kind: $0["kind"]) }
    company.emails = try Row.fetchAll(
        db, sql: "SELECT address, kind FROM company_email WHERE company_id = ? ORDER BY position", arguments: [id]
    ).map { ContactEmail(address: $0["address"], kind: $0["kind"]) }
    company.categoryIds = try Int64.fetchAll(
        db, sql: "SELECT category_id FROM company_category WHERE company_id = ? ORDER BY category_id", arguments: [id])
    return company
}
