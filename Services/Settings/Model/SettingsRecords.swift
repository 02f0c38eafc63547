import Contracts
import Foundation
import GRDB
import Storage

// The contract types are the settings service's records: one definition of each, stored with
// snake_case columns. Types with child rows (groups, processes) have records of their own.

extension User: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "user"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

extension APIToken: FetchableRecord, TableRecord {
    public static let databaseTableName = "api_token"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
}

extension ReferenceItem: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "reference_item"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

extension CustomField: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "custom_field"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

extension SalesBudget: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sales_budget"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// A row of `employee_group` (members live in `group_member`).
struct GroupRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "employee_group"
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var id: Int64
    var parentId: Int64?
    var name: String
    var description: String?
    var type: String
    var createdAt: Date
    var updatedAt: Date
}

/// A row of `crm_process` (statuses live in `process_status`).
struct ProcessRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "crm_process"
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { DatabaseDate.encoding }
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var id: Int64
    var name: String
    var isDefault: Bool
    var subjectLabels: [String]?
    var weightLabels: [String]?
    var createdAt: Date
    var updatedAt: Date
}

/// A row of `process_status`.
struct StatusRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "process_status"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var id: Int64
    var processId: Int64
    var position: Int
    var name: String
    var probability: Int
    var final: String?
}

extension Database {
    /// The id the next row of an AUTOINCREMENT table gets: ids are never reused, so an event
    /// about a deleted item can never be mistaken for one about a new item.
    func nextId(_ table: String) throws -> Int64 {
        let sequence = try Int64.fetchOne(self, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table]) ?? 0
        let highest = try Int64.fetchOne(self, sql: "SELECT MAX(id) FROM \(table)") ?? 0
        return max(sequence, highest) + 1
    }
}
