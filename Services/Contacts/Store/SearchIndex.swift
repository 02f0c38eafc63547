import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// The trigram full-text indexes of contacts and companies (FTS5, `tokenize = 'trigram'`): any
/// part of three characters or more of a name, e-mail or phone number finds the record. Rows
/// are rewritten in the same transaction as the record they index.
///
/// A record's row in an index has the rowid `base - id`, so the newest records come first in
/// rowid order. FTS5 walks a match list forwards cheaply and stops at a page's end, but walking
/// it backwards (`ORDER BY rowid DESC`) means reading every list the query touches to the end:
/// measured at a million contacts, 15-20 ms for a rare name that way against well under a
/// millisecond forwards (docs/performance.md).
enum SearchIndex {
    static let base: Int64 = 1 << 40

    static func rowid(_ id: Int64) -> Int64 { base - id }

    /// Writes a contact's row, replacing the old one (FTS5 takes `OR REPLACE` on the rowid:
    /// one statement where a DELETE and an INSERT were); `isNew` skips looking for an old one.
    static func indexContact(_ db: Database, _ contact: Contact, isNew: Bool = false) throws {
        try indexContact(
            db, id: contact.id, name: contact.displayName, emails: contact.emails.map(\.address),
            phones: contact.phones.map { ($0.number, $0.e164) }, isNew: isNew)
    }

    /// The same row from its parts (the search backlog reads only these, not whole contacts).
    static func indexContact(
        _ db: Database, id: Int64, name: String, emails: [String], phones: [(number: String, e164: String?)], isNew: Bool = false
    ) throws {
        let sql = isNew ? "INSERT" : "INSERT OR REPLACE"
        try db.cachedStatement(sql: "\(sql) INTO contact_search (rowid, name, emails, phones) VALUES (?, ?, ?, ?)").run(
            .integer(rowid(id)), .text(name), .text(emails.joined(separator: " ")),
            .text(phones.map { $0.e164 ?? digits($0.number) }.joined(separator: " ")))
        try indexPlain(db, "contact", id: id, name: name, isNew: isNew)
    }

    /// Writes the rows of the contacts with ids `first...last` (those that exist), reading by
    /// range only what a row holds: three range scans, where loading whole contacts (every
    /// column through Codable, categories too) was most of a search-backlog batch's own time.
    static func indexContacts(_ db: Database, first: Int64, last: Int64) throws {
        let emails = try BatchLoad.grouped(
            db, "SELECT contact_id AS owner, address FROM contact_email WHERE contact_id BETWEEN ? AND ? ORDER BY contact_id, position",
            arguments: [first, last])
        let phones = try BatchLoad.grouped(
            db,
            "SELECT contact_id AS owner, number, e164 FROM contact_phone WHERE contact_id BETWEEN ? AND ? ORDER BY contact_id, position",
            arguments: [first, last])
        let contacts = try Row.fetchCursor(
            db, sql: "SELECT id, first_name, last_name FROM contact WHERE id BETWEEN ? AND ?", arguments: [first, last])
        while let row = try contacts.next() {
            let id: Int64 = row["id"]
            try indexContact(
                db, id: id, name: Contact.displayName(first: row["first_name"], last: row["last_name"]),
                emails: (emails[id] ?? []).map { $0["address"] },
                phones: (phones[id] ?? []).map { ($0["number"], $0["e164"]) })
        }
    }

    static func indexCompany(_ db: Database, _ company: Company) throws {
        let numbers = [company.organisationNumber.map(digits), company.customerNumber.map { String($0) }].compactMap { $0 }
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO company_search (rowid, name, numbers, emails, phones) VALUES (?, ?, ?, ?, ?)")
            .execute(
                arguments: [
                    rowid(company.id), company.name, numbers.joined(separator: " "), company.emails.map(\.address).joined(separator: " "),
                    company.phones.map { $0.e164 ?? digits($0.number) }.joined(separator: " "),
                ])
        try indexPlain(db, "company", id: company.id, name: company.name, isNew: false)
    }

    /// A record's row in `<table>_plain`, the index of names with accents folded (`TextFold`):
    /// only for names that folding changes more than in case, so the index holds a few names in
    /// ten and its match lists stay short; ASCII names are found by the main index as written.
    static func indexPlain(_ db: Database, _ table: String, id: Int64, name: String, isNew: Bool) throws {
        if TextFold.differs(name) {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO \(table)_plain (rowid, plain) VALUES (?, ?)").run(
                .integer(rowid(id)), .text(TextFold.plain(name)))
        } else if !isNew {
            try db.cachedStatement(sql: "DELETE FROM \(table)_plain WHERE rowid = ?").run(.integer(rowid(id)))
        }
    }

    /// Removes a record's rows from both indexes (a record merged away or purged).
    static func remove(_ db: Database, _ table: String, id: Int64) throws {
        try db.execute(sql: "DELETE FROM \(table)_search WHERE rowid = ?", arguments: [rowid(id)])
        try db.execute(sql: "DELETE FROM \(table)_plain WHERE rowid = ?", arguments: [rowid(id)])
    }

    /// The full-text queries for what a user typed, or nil when it is too short for trigrams
    /// (then the caller scans names with LIKE). A phone number in any format is also looked for
    /// by its digits in `digitColumns`; e-mail addresses and numbers are not folded.
    static func query(_ text: String, table: String, phones: PhoneNormalizer, digitColumns: String = "phones") -> SearchQuery? {
        let trimmed = text.trimmed
        guard trimmed.count >= 3 else { return nil }
        var alternatives = [phrase(trimmed)]
        let looksLikePhone = trimmed.allSatisfy { $0.isNumber || " +-()./".contains($0) }
        let numberDigits = digits(trimmed)
        if looksLikePhone, numberDigits.count >= 3 {
            alternatives.append("\(digitColumns) : " + phrase(numberDigits))
            if let e164 = phones.e164(trimmed) { alternatives.append("\(digitColumns) : " + phrase(String(e164.dropFirst()))) }
        }
        let exact = alternatives.joined(separator: " OR ")
        guard !looksLikePhone, !trimmed.contains("@") else { return SearchQuery(table: table, exact: exact, folded: nil, foldedNames: nil) }
        let folded = TextFold.plain(trimmed)
        // A query with letters to fold is also looked for in the names as written (`Ødegård` finds Odegard).
        let hasAccents = folded != trimmed.lowercased()
        return SearchQuery(table: table, exact: exact, folded: phrase(folded), foldedNames: hasAccents ? "name : " + phrase(folded) : nil)
    }

    /// `text` as one FTS5 phrase: quotes doubled, and NUL left out (FTS5 reads a query as a C
    /// string, so a NUL ended it inside the quotes: "unterminated string", a 500 for a search
    /// box; found by schemathesis).
    static func phrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\0", with: "").replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func digits(_ text: String) -> String { text.filter { $0.isASCII && $0.isNumber } }
}

/// What a search matches: FTS5 queries over a record table's two indexes, `<table>_search`
/// (names as written, e-mails, numbers) and `<table>_plain` (names with accents folded).
struct SearchQuery: Equatable {
    let table: String
    /// Matches in the record's own text, in `<table>_search`.
    let exact: String
    /// The folded query, in `<table>_plain`; nil for a phone number or an e-mail address.
    let folded: String?
    /// The folded query in the names as written, when the query had letters to fold.
    let foldedNames: String?

    var mainIndex: String { table + "_search" }
    var plainIndex: String { table + "_plain" }

    /// The parts of a search in the order a page lists them: exact matches, then names found
    /// with accents forgiven, then (for a query with accents) names written without them; each
    /// part leaves out what an earlier one listed. (index, FTS5 query, condition, its argument).
    var parts: [(index: String, query: String, condition: String?, argument: String?)] {
        var parts: [(String, String, String?, String?)] = [(mainIndex, exact, nil, nil)]
        if let folded {
            parts.append(
                (plainIndex, folded, "NOT EXISTS (SELECT 1 FROM \(mainIndex) WHERE rowid = s.rowid AND \(mainIndex) MATCH ?)", exact))
            if let foldedNames {
                parts.append(
                    (
                        mainIndex, "(\(foldedNames)) NOT (\(exact))",
                        "NOT EXISTS (SELECT 1 FROM \(plainIndex) WHERE rowid = s.rowid AND \(plainIndex) MATCH ?)", folded
                    ))
            }
        }
        return parts
    }

    /// Every match as a condition on the records (`t`): for other orders than newest first, and counts.
    var anyCondition: (sql: String, arguments: [String]) {
        var sql = ["t.id IN (SELECT \(SearchIndex.base) - rowid FROM \(mainIndex) WHERE \(mainIndex) MATCH ?)"]
        var arguments = [exact]
        if let folded {
            sql.append("t.id IN (SELECT \(SearchIndex.base) - rowid FROM \(plainIndex) WHERE \(plainIndex) MATCH ?)")
            arguments.append(folded)
        }
        if let foldedNames {
            sql.append("t.id IN (SELECT \(SearchIndex.base) - rowid FROM \(mainIndex) WHERE \(mainIndex) MATCH ?)")
            arguments.append(foldedNames)
        }
        return ("(" + sql.joined(separator: " OR ") + ")", arguments)
    }
}
