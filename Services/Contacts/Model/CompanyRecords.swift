import Contracts
import Foundation
import GRDB
import Storage

/// A row of `company` (phones, e-mails and categories live in their own tables).
struct CompanyRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "company"
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
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
    var mergedInto: Int64?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Reads one company with its phones, e-mails and categories.
func loadCompany(_ db: Database, id: Int64) throws -> Company? {
    try BatchLoad.companies(db, ids: [id]).first
}
