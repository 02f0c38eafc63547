import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit

/// Builds the list and search queries of contacts and companies: filters, keyset pagination
/// over the chosen order (the cursor carries the last row's sort key, so a page costs the same
/// at row 10 and at row 900,000), and a count that stops at `countCap`.
struct ListQuery {
    /// The table's alias in the SQL is `t`.
    let table: String
    private(set) var conditions: [String] = []
    private(set) var arguments: [any DatabaseValueConvertible] = []
    /// The full-text table a search reads, joined as `s` (its rowid is the record's id).
    private(set) var searchTable: String?
    /// The full-text query of `search`.
    private var searchQuery: String?
    /// Only live records (`deleted_at IS NULL`), and no filter on them besides a search: then a
    /// count can be settled by the full-text index alone (see `overCap`).
    private var liveOnly = false
    private var filtered = false
    static let countCap = 10_000

    init(table: String) { self.table = table }

    mutating func add(_ condition: String, _ values: (any DatabaseValueConvertible)...) {
        add(condition, arguments: values)
    }

    mutating func add(_ condition: String, arguments values: [any DatabaseValueConvertible]) {
        filtered = true
        append(condition, values)
    }

    private mutating func append(_ condition: String, _ values: [any DatabaseValueConvertible]) {
        conditions.append(condition)
        arguments.append(contentsOf: values)
    }

    /// Live records (or only deleted ones, or both), and only the caller's when cards are not shared.
    mutating func restrict(deleted: Bool?, includeDeleted: Bool?, ownerOnly: Int64?) {
        if deleted == true {
            add("t.deleted_at IS NOT NULL")
        } else if includeDeleted != true {
            append("t.deleted_at IS NULL", [])
            liveOnly = true
        }
        if let ownerOnly { add("t.owner_id = ?", ownerOnly) }
    }

    /// Restricts to the records a full-text query matches. The search table drives the query
    /// (joined to the records by rowid, which is `SearchIndex.base - id`), so in the default
    /// newest-first order SQLite walks the matches forwards and stops at the page's end, however
    /// many match.
    mutating func search(_ table: String, _ query: String) {
        searchTable = table
        searchQuery = query
        append("\(table) MATCH ?", [query])
    }

    private var from: String {
        searchTable.map { "\($0) s JOIN \(table) t ON t.id = \(SearchIndex.base) - s.rowid" } ?? "\(table) t"
    }

    /// The order a list can be in, and how to continue after a row.
    enum Sort: String {
        case created, name, updated

        func orderBy(table: String) -> String {
            switch self {
            case .created: return "t.id DESC"
            case .name:
                return table == "contact" ? "t.last_name COLLATE NOCASE, t.first_name COLLATE NOCASE, t.id" : "t.name COLLATE NOCASE, t.id"
            case .updated: return "t.updated_at DESC, t.id DESC"
            }
        }
    }

    static func sort(_ raw: String?) throws -> Sort {
        guard let raw else { return .created }
        guard let sort = Sort(rawValue: raw) else { throw BusError.invalid("sort is created, name or updated, not '\(raw)'") }
        return sort
    }

    /// Continues after the row the cursor names.
    /// Continues after the row the cursor names: its id, and the sort keys the order needs
    /// (a key the cursor lacks reads as empty, so every well-formed cursor is a position).
    mutating func after(cursor text: String?, sort: Sort) throws {
        guard let cursor = try Paging.cursor(text) else { return }
        let id = cursor.id
        switch sort {
        case .created:
            if searchTable == nil { add("t.id < ?", id) } else { add("s.rowid > ?", SearchIndex.rowid(id)) }
        case .name where table == "contact":
            add("(t.last_name COLLATE NOCASE, t.first_name COLLATE NOCASE, t.id) > (?, ?, ?)", cursor.key(0), cursor.key(1), id)
        case .name: add("(t.name COLLATE NOCASE, t.id) > (?, ?)", cursor.key(0), id)
        case .updated: add("(t.updated_at, t.id) < (?, ?)", cursor.key(0), id)
        }
    }

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }

    /// The ids of one page (one more than `limit`, to know whether there is a next page), with
    /// the sort key of each.
    func page(_ db: Database, sort: Sort, limit: Int) throws -> [Row] {
        let keys: String
        switch sort {
        case .created: keys = "t.id"
        case .name: keys = table == "contact" ? "t.id, t.last_name, t.first_name" : "t.id, t.name"
        case .updated: keys = "t.id, t.updated_at"
        }
        return try Row.fetchAll(
            db, sql: "SELECT \(keys) FROM \(from) \(whereClause) ORDER BY \(order(sort)) LIMIT \(limit + 1)",
            arguments: StatementArguments(arguments))
    }

    /// How many rows match, counted up to the cap.
    func count(_ db: Database) throws -> (count: Int, exact: Bool) {
        if try overCap(db) { return (Self.countCap, false) }
        let count =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM (SELECT 1 FROM \(from) \(whereClause) LIMIT \(Self.countCap + 1))",
                arguments: StatementArguments(arguments)) ?? 0
        return (min(count, Self.countCap), count <= Self.countCap)
    }

    /// Whether a search of live records with no other filter matches more than the cap, told by
    /// the full-text index alone: if its matches, less every deleted record, are still over the
    /// cap, the live ones are. Counting a common trigram's matches this way reads only the index
    /// (0.3 ms at a million contacts) instead of looking up each match's record to see that it is
    /// live (5-10 ms for 10,000 of them). Otherwise the count is done the exact way.
    private func overCap(_ db: Database) throws -> Bool {
        guard let searchTable, let searchQuery, liveOnly, !filtered else { return false }
        let deleted =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM (SELECT 1 FROM \(table) WHERE deleted_at IS NOT NULL LIMIT \(Self.countCap + 1))") ?? 0
        guard deleted <= Self.countCap else { return false }
        let matches =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM (SELECT 1 FROM \(searchTable) WHERE \(searchTable) MATCH ? LIMIT \(Self.countCap + deleted + 1))
                    """, arguments: [searchQuery]) ?? 0
        return matches - deleted > Self.countCap
    }

    private func order(_ sort: Sort) -> String {
        sort == .created && searchTable != nil ? "s.rowid" : sort.orderBy(table: table)
    }

    /// One page of a list, searched or not. In the default order a search lists its parts one
    /// after the other (`SearchQuery.parts`: the records whose text matches as written, newest
    /// first, then those found only with accents forgiven), so `Ødegård` ranks Ødegård above
    /// Odegard; a cursor into a later part carries its number as a key. Each part walks its
    /// index's matches forwards and stops at the page's end. `make` builds the filtered query.
    static func page(
        _ db: Database, table: String, sort: Sort, limit: Int, cursor text: String?, search: SearchQuery?,
        make: () throws -> ListQuery
    ) throws -> (ids: [Int64], next: String?) {
        guard let search, sort == .created else {
            var query = try make()
            if let search {
                let any = search.anyCondition
                query.add(any.sql, arguments: any.arguments)
            }
            try query.after(cursor: text, sort: sort)
            let rows = try query.page(db, sort: sort, limit: limit)
            let next = rows.count > limit ? cursor(after: rows[limit - 1], sort: sort, table: table) : nil
            return (rows.prefix(limit).map { $0["id"] }, next)
        }
        let parts = search.parts
        let cursor = try Paging.cursor(text)
        let first = cursor.flatMap { Int($0.key(0)) }.map { min(max($0, 0), parts.count - 1) } ?? 0
        var ids: [Int64] = []
        for (number, part) in parts.enumerated() where number >= first {
            var query = try make()
            query.search(part.index, part.query)
            if let condition = part.condition, let argument = part.argument { query.add(condition, argument) }
            if number == first { try query.after(cursor: text, sort: sort) }
            let room = limit - ids.count
            let rows = try query.page(db, sort: sort, limit: room)
            ids += rows.prefix(room).map { $0["id"] }
            // One row past the page (this part, or the first of a later one): there is a next page.
            guard rows.count <= room else {
                let last = room > 0 ? ids[limit - 1] : SearchIndex.base  // a part's start: before every record
                return (ids, Cursor(id: last, keys: room > 0 ? keyed(number) : keyed(number, starting: true)).text)
            }
        }
        return (ids, nil)
    }

    /// The keys of a cursor in part `number` (the first part's cursors have none, as before).
    private static func keyed(_ number: Int, starting: Bool = false) -> [String] { number == 0 && !starting ? [] : [String(number)] }

    /// How many records a search matches, up to the cap: if its exact part alone is over the cap
    /// (told by the index, `overCap`), so is the whole; otherwise every part is counted.
    static func count(_ db: Database, search: SearchQuery?, make: () throws -> ListQuery) throws -> (count: Int, exact: Bool) {
        guard let search else { return try make().count(db) }
        var exact = try make()
        exact.search(search.mainIndex, search.exact)
        let counted = try exact.count(db)
        guard counted.exact, search.folded != nil else { return counted }
        var any = try make()
        let condition = search.anyCondition
        any.add(condition.sql, arguments: condition.arguments)
        return try any.count(db)
    }

    /// The cursor that continues after `row`.
    static func cursor(after row: Row, sort: Sort, table: String) -> String {
        let id: Int64 = row["id"]
        let keys: [String]
        switch sort {
        case .created: keys = []
        case .name: keys = table == "contact" ? [row["last_name"] ?? "", row["first_name"] ?? ""] : [row["name"] ?? ""]
        case .updated: keys = [row["updated_at"]]
        }
        return Cursor(id: id, keys: keys).text
    }
}
