import Bus

/// The `limit` and id `cursor` every list takes, checked the same way everywhere.
public enum Paging {
    /// The page size asked for (50 when not), refused outside 1...`max`.
    public static func limit(_ requested: Int?, max: Int = 200) throws -> Int {
        let limit = requested ?? 50
        guard (1...max).contains(limit) else { throw BusError.invalid("limit must be between 1 and \(max)") }
        return limit
    }

    /// An id cursor as lists hand them out (the last id of the previous page), or nil for the first page.
    public static func idCursor(_ cursor: String?) throws -> Int64? {
        try cursor.map { value in
            guard let id = Int64(value), id > 0 else { throw BusError.invalid("cursor '\(value)' is not one this API gave out") }
            return id
        }
    }
}
