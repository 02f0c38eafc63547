import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit

// Lists and searches of contacts and companies, and their histories.
extension ContactStore {
    func list(_ request: ListContactsRequest, headers: BusHeaders) async throws -> Page<Contact> {
        let limit = try History.pageSize(request.limit)
        let sort = try ListQuery.sort(request.sort)
        let search = request.q?.trimmed.nilIfEmpty
        let ftsQuery = search.flatMap { SearchIndex.query($0, table: "contact", phones: phones) }
        return try await database.read { db in
            let access = try Access.of(headers, db)
            let wholeNumber = search.flatMap { Self.wholeNumber($0, phones: phones) }
            let fts = wholeNumber == nil ? ftsQuery : nil
            func make() throws -> ListQuery {
                var query = ListQuery(table: "contact")
                query.restrict(deleted: request.deleted, includeDeleted: request.includeDeleted, ownerOnly: access.ownerOnly)
                if let e164 = wholeNumber {
                    // A whole phone number, typed any way: one index lookup.
                    query.add("t.id IN (SELECT contact_id FROM contact_phone WHERE e164 = ?)", e164)
                } else if fts == nil, let search {
                    // Too short for trigrams (a full-text search is the page's or the count's to add).
                    query.add("(t.first_name || ' ' || t.last_name) LIKE ? ESCAPE '\\'", Self.likePattern(search))
                }
                if let value = request.categoryId {
                    query.add("EXISTS (SELECT 1 FROM contact_category x WHERE x.contact_id = t.id AND x.category_id = ?)", value)
                }
                if let value = request.companyId {
                    query.add("EXISTS (SELECT 1 FROM contact_company x WHERE x.contact_id = t.id AND x.company_id = ?)", value)
                }
                if let value = request.id { query.add("t.id = ?", value) }
                if let value = request.sourceId { query.add("t.source_id = ?", value) }
                if let value = request.roleId { query.add("t.role_id = ?", value) }
                if let value = request.ownerId { query.add("t.owner_id = ?", value) }
                if let value = request.city?.trimmed.nilIfEmpty { query.add("t.city = ? COLLATE NOCASE", value) }
                if let value = request.consumer { query.add("t.consumer = ?", value) }
                try Self.customFieldFilters(request.customFields, into: &query)
                Self.period(&query, created: (request.createdFrom, request.createdTo), updated: (request.updatedFrom, request.updatedTo))
                return query
            }
            let counted = request.count == true ? try ListQuery.count(db, search: fts, make: make) : nil
            let page = try ListQuery.page(db, table: "contact", sort: sort, limit: limit, cursor: request.cursor, search: fts, make: make)
            let items = try BatchLoad.contacts(db, ids: page.ids)
            return Page(items: items, nextCursor: page.next, count: counted?.count, countExact: counted?.exact)
        }
    }

    func listCompanies(_ request: ListCompaniesRequest, headers: BusHeaders) async throws -> Page<Company> {
        let limit = try History.pageSize(request.limit)
        let sort = try ListQuery.sort(request.sort)
        let search = request.q?.trimmed.nilIfEmpty
        let ftsQuery = search.flatMap { SearchIndex.query($0, table: "company", phones: phones, digitColumns: "{phones numbers}") }
        if let kind = request.kind, !Company.kindValues.contains(kind) {
            throw BusError.invalid("kind is one of \(Company.kindValues.joined(separator: ", ")), not '\(kind)'")
        }
        return try await database.read { db in
            let access = try Access.of(headers, db)
            func make() throws -> ListQuery {
                var query = ListQuery(table: "company")
                query.restrict(deleted: request.deleted, includeDeleted: request.includeDeleted, ownerOnly: access.ownerOnly)
                // No whole-number shortcut here: organisation numbers are digits too, and the index has both.
                if ftsQuery == nil, let search {
                    query.add("t.name LIKE ? ESCAPE '\\'", Self.likePattern(search))
                }
                if let kind = request.kind { query.add("EXISTS (SELECT 1 FROM json_each(t.kinds) WHERE value = ?)", kind) }
                if let value = request.categoryId {
                    query.add("EXISTS (SELECT 1 FROM company_category x WHERE x.company_id = t.id AND x.category_id = ?)", value)
                }
                if let value = request.industryId { query.add("t.industry_id = ?", value) }
                if let value = request.statusId { query.add("t.status_id = ?", value) }
                if let value = request.sourceId { query.add("t.source_id = ?", value) }
                if let value = request.ownerId { query.add("t.owner_id = ?", value) }
                if let value = request.city?.trimmed.nilIfEmpty { query.add("t.city = ? COLLATE NOCASE", value) }
                try Self.customFieldFilters(request.customFields, into: &query)
                Self.period(&query, created: (request.createdFrom, request.createdTo), updated: (request.updatedFrom, request.updatedTo))
                return query
            }
            let counted = request.count == true ? try ListQuery.count(db, search: ftsQuery, make: make) : nil
            let page = try ListQuery.page(
                db, table: "company", sort: sort, limit: limit, cursor: request.cursor, search: ftsQuery, make: make)
            let items = try BatchLoad.companies(db, ids: page.ids)
            return Page(items: items, nextCursor: page.next, count: counted?.count, countExact: counted?.exact)
        }
    }

    /// Filters on custom fields' values (`json_each` reads a scalar as one row and a multiple
    /// choice's array as one row per option). No index serves them: a rare value is a walk
    /// over the records in the list's order (the page stops at its 50th match; a count at its cap).
    static func customFieldFilters(_ filters: [String: String]?, into query: inout ListQuery) throws {
        guard let filters, !filters.isEmpty else { return }
        guard filters.count <= 5 else { throw BusError.invalid("at most 5 custom field filters") }
        for (key, raw) in filters.sorted(by: { $0.key < $1.key }) {
            // A key no custom field can have, or a value no field holds, matches nothing: the
            // filter is a question about the stored fields, not a malformed request.
            let value = raw.trimmed
            guard (1...64).contains(key.count), key.first?.isLetter == true,
                key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !value.isEmpty, value.count <= 200
            else {
                query.add("0")
                continue
            }
            var matches = ["(j.type = 'text' AND j.value = ? COLLATE NOCASE)"]
            var arguments: [any DatabaseValueConvertible] = ["$.\"\(key)\"", value]
            if let number = Double(value), number.isFinite {
                matches.append("(j.type IN ('integer', 'real') AND j.value = ?)")
                arguments.append(number)
            }
            switch value.lowercased() {
            case "true", "yes": matches.append("j.type = 'true'")
            case "false", "no": matches.append("j.type = 'false'")
            default: break
            }
            query.add(
                "EXISTS (SELECT 1 FROM json_each(t.custom_fields, ?) j WHERE \(matches.joined(separator: " OR ")))", arguments: arguments)
        }
    }

    /// The distinct cities of live contacts or companies, in order. With cards shared, a loose
    /// index scan: one seek in the city index per city found, so a list of 300 costs the same
    /// at a million contacts as at a thousand. With cards not shared, only the user's own
    /// customers' cities.
    func cities(_ request: CitiesRequest, headers: BusHeaders) async throws -> [String] {
        let limit = min(max(request.limit ?? 300, 1), 1000)
        let table = request.companies == true ? "company" : "contact"
        return try await database.read { db in
            let access = try Access.of(headers, db)
            if let owner = access.ownerOnly {
                return try String.fetchAll(
                    db,
                    sql: """
                        SELECT MIN(city) FROM \(table) WHERE owner_id = ? AND city IS NOT NULL AND deleted_at IS NULL
                        GROUP BY city COLLATE NOCASE ORDER BY city COLLATE NOCASE LIMIT ?
                        """,
                    arguments: [owner, limit])
            }
            var cities: [String] = []
            var after: String?
            while cities.count < limit {
                let next: String?
                if let after {
                    next = try String.fetchOne(
                        db,
                        sql:
                            "SELECT city FROM \(table) WHERE city IS NOT NULL AND city > ? COLLATE NOCASE ORDER BY city COLLATE NOCASE LIMIT 1",
                        arguments: [after])
                } else {
                    next = try String.fetchOne(
                        db, sql: "SELECT city FROM \(table) WHERE city IS NOT NULL ORDER BY city COLLATE NOCASE LIMIT 1")
                }
                guard let next else { break }
                if !next.trimmingCharacters(in: .whitespaces).isEmpty { cities.append(next) }
                after = next
            }
            return cities
        }
    }

    func history(_ request: HistoryRequest, headers: BusHeaders) async throws -> Page<HistoryEntry> {
        try await database.read { db in
            let access = try Access.of(headers, db)
            guard let record = try ContactRecord.fetchOne(db, key: request.contactId), access.sees(owner: record.ownerId)
            else { throw BusError.notFound("contact \(request.contactId) does not exist") }
            return try History.page(
                db, .contact(request.contactId), viewer: access.userId, kind: request.kind, from: request.from, to: request.to,
                limit: request.limit,
                cursor: request.cursor)
        }
    }

    func companyHistory(_ request: CompanyHistoryRequest, headers: BusHeaders) async throws -> Page<HistoryEntry> {
        try await database.read { db in
            let access = try Access.of(headers, db)
            guard let record = try CompanyRecord.fetchOne(db, key: request.companyId), access.sees(owner: record.ownerId)
            else { throw BusError.notFound("company \(request.companyId) does not exist") }
            return try History.page(
                db, .company(request.companyId), viewer: access.userId, kind: request.kind, from: request.from, to: request.to,
                limit: request.limit,
                cursor: request.cursor)
        }
    }

    /// The E.164 form of a search that is a whole phone number (8 digits or more, only phone
    /// characters), else nil: then digits are searched as a substring.
    static func wholeNumber(_ text: String, phones: PhoneNormalizer) -> String? {
        guard text.allSatisfy({ $0.isNumber || " +-()./".contains($0) }), SearchIndex.digits(text).count >= 8 else { return nil }
        return phones.e164(text)
    }

    static func likePattern(_ text: String) -> String {
        "%"
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    static func period(_ query: inout ListQuery, created: (Date?, Date?), updated: (Date?, Date?)) {
        if let from = created.0 { query.add("t.created_at >= ?", from) }
        if let to = created.1 { query.add("t.created_at < ?", to) }
        if let from = updated.0 { query.add("t.updated_at >= ?", from) }
        if let to = updated.1 { query.add("t.updated_at < ?", to) }
    }
}
