import Bus
import Contracts

/// The `limit` and `cursor` every list takes, checked the same way everywhere.
public enum Paging {
    /// The page size asked for (50 when not), refused outside 1...`max`.
    public static func limit(_ requested: Int?, max: Int = 200) throws -> Int {
        let limit = requested ?? 50
        guard (1...max).contains(limit) else { throw BusError.invalid("limit must be between 1 and \(max)") }
        return limit
    }

    /// A cursor as lists hand them out (`Cursor`), or nil for the first page.
    public static func cursor(_ cursor: String?) throws -> Cursor? {
        try cursor.map { value in
            guard let cursor = Cursor(text: value) else { throw BusError.invalid("cursor '\(value)' is not one this API gave out") }
            return cursor
        }
    }

    /// The id of a cursor over a list in id order (its keys, if any, say nothing there).
    public static func idCursor(_ cursor: String?) throws -> Int64? { try self.cursor(cursor)?.id }
}
