import Foundation
import GRDB
import GRDBSQLite

/// A value bound straight through SQLite's C API (`Statement.run`, `Statement.fetchInt64`).
public enum SQLValue: Sendable {
    case integer(Int64)
    case text(String)
    case blob(Data)
    case null

    public static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    public static func integer(_ value: Int64?) -> SQLValue { value.map { .integer($0) } ?? .null }
    public static func bool(_ value: Bool?) -> SQLValue { value.map { .integer($0 ? 1 : 0) } ?? .null }
}

/// SQLite copies the bytes of a bound text or blob before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Statement {
    /// Runs a cached statement with `values` bound by position, straight through SQLite's C API.
    ///
    /// For statements that run many times per transaction: an import's rows, search rows, history
    /// entries and every outbox event. GRDB's `execute(arguments:)` boxes every value as
    /// `any DatabaseValueConvertible`, converts it, checks the count and consults the connection's
    /// observers for each statement: measured in a 100,000-row import at a million contacts,
    /// building arguments and executing took more of the import's own time than SQLite did. The
    /// statement must come from the connection in use (`db.cachedStatement`); commit and rollback
    /// hooks still fire, as they are SQLite's. GRDB resets a statement before binding its own
    /// arguments, so the same cached statement may still be used through GRDB elsewhere.
    public func run(_ values: SQLValue...) throws {
        try bind(values)
        var code = sqlite3_step(sqliteStatement)
        while code == SQLITE_ROW { code = sqlite3_step(sqliteStatement) }
        guard code == SQLITE_DONE else { throw failure(code) }
    }

    /// The first column of the first row as an integer, or nil when there is no row (or it is NULL).
    public func fetchInt64(_ values: SQLValue...) throws -> Int64? {
        try bind(values)
        let code = sqlite3_step(sqliteStatement)
        switch code {
        case SQLITE_ROW:
            let value = sqlite3_column_type(sqliteStatement, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(sqliteStatement, 0)
            sqlite3_reset(sqliteStatement)
            return value
        case SQLITE_DONE: return nil
        default: throw failure(code)
        }
    }

    private func bind(_ values: [SQLValue]) throws {
        sqlite3_reset(sqliteStatement)
        guard values.count == Int(sqlite3_bind_parameter_count(sqliteStatement)) else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE,
                message: "\(values.count) values for \(sqlite3_bind_parameter_count(sqliteStatement)) parameters",
                sql: sql)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number): code = sqlite3_bind_int64(sqliteStatement, index, number)
            case .text(var text):
                // By length, not to the first NUL; an empty text is "" (a nil pointer would bind NULL).
                code = text.withUTF8 { bytes in
                    bytes.isEmpty
                        ? sqlite3_bind_text(sqliteStatement, index, "", 0, transient)
                        : sqlite3_bind_text(sqliteStatement, index, bytes.baseAddress, Int32(bytes.count), transient)
                }
            case .blob(let data):
                // An empty blob as zero bytes: a nil pointer (which empty Data may give) would bind NULL.
                code = data.withUnsafeBytes { bytes in
                    bytes.isEmpty
                        ? sqlite3_bind_zeroblob(sqliteStatement, index, 0)
                        : sqlite3_bind_blob(sqliteStatement, index, bytes.baseAddress, Int32(bytes.count), transient)
                }
            case .null: code = sqlite3_bind_null(sqliteStatement, index)
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let message = sqlite3_db_handle(sqliteStatement).map { String(cString: sqlite3_errmsg($0)) }
        sqlite3_reset(sqliteStatement)
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }
}

extension ServiceDatabase {
    /// Memory SQLite holds in this process (page caches of every connection, mostly), in bytes.
    public static var sqliteMemoryUsed: Int64 { sqlite3_memory_used() }

    /// Keeps SQLite's memory in this process near `bytes` (its soft heap limit, process-wide): page
    /// caches recycle their least recently used pages instead of growing past it.
    public static func limitMemory(bytes: Int64) { _ = sqlite3_soft_heap_limit64(bytes) }
}
