import Contracts
import Foundation
import GRDB
import Storage

/// A row of `contact`.
struct ContactRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "contact"
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    var id: Int64?
    var firstName: String
    var lastName: String
    var title: String?
    var sourceId: Int64?
    var roleId: Int64?
    var address: Address?
    /// The address's city, as its own column for filtering.
    var city: String?
    var birthday: String?
    var ownerId: Int64?
    var customFields: [String: JSONValue]?
    var bankDetails: BankDetails?
    var consumer: Bool = false
    var customerNumber: Int64?
    var pictureFileId: Int64?
    var lastActivityAt: Date?
    var anonymizedAt: Date?
    var mergedInto: Int64?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let firstName = Column(CodingKeys.firstName)
        static let lastName = Column(CodingKeys.lastName)
        static let deletedAt = Column(CodingKeys.deletedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, title, address, city, birthday, consumer
        case firstName = "first_name"
        case lastName = "last_name"
        case sourceId = "source_id"
        case roleId = "role_id"
        case ownerId = "owner_id"
        case customFields = "custom_fields"
        case bankDetails = "bank_details"
        case customerNumber = "customer_number"
        case pictureFileId = "picture_file_id"
        case lastActivityAt = "last_activity_at"
        case anonymizedAt = "anonymized_at"
        case mergedInto = "merged_into"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case deletedAt = "deleted_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `contact_phone`.
struct PhoneRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "contact_phone"
    var contactId: Int64
    var position: Int
    var number: String
    var e164: String?
    var kind: String

    enum Columns {
        static let contactId = Column(CodingKeys.contactId)
        static let position = Column(CodingKeys.position)
        static let e164 = Column(CodingKeys.e164)
    }

    enum CodingKeys: String, CodingKey {
        case position, number, e164, kind
        case contactId = "contact_id"
    }
}

/// A row of `contact_email`.
struct EmailRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "contact_email"
    var contactId: Int64
    var position: Int
    var address: String
    var kind: String

    enum Columns {
        static let contactId = Column(CodingKeys.contactId)
        static let position = Column(CodingKeys.position)
    }

    enum CodingKeys: String, CodingKey {
        case position, address, kind
        case contactId = "contact_id"
    }
}

/// A row of `contact_history`.
struct HistoryRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "contact_history"
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    var id: Int64?
    var contactId: Int64
    var kind: String
    var at: Date
    var actor: String?
    var summary: String
    var changes: Data?
    var callId: Int64?
    /// Unique key of an entry that comes from another service (`call:<id>`), so replays upsert.
    var ref: String?

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let contactId = Column(CodingKeys.contactId)
        static let kind = Column(CodingKeys.kind)
        static let ref = Column(CodingKeys.ref)
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, at, actor, summary, changes, ref
        case contactId = "contact_id"
        case callId = "call_id"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
