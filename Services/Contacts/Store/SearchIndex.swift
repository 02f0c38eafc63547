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
        try db.cachedStatement(sql: "\(sql) INTO contact_search (rowid, name, emails, phones, plain) VALUES (?, ?, ?, ?, ?)").run(
            .integer(rowid(id)), .text(name), .text(emails.joined(separator: " ")),
            .text(phones.map { $0.e164 ?? digits($0.number) }.joined(separator: " ")), .text(plain(name)))
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
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO company_search (rowid, name, numbers, emails, phones, plain) VALUES (?, ?, ?, ?, ?, ?)"
        )
        .execute(
            arguments: [
                rowid(company.id), company.name, numbers.joined(separator: " "), company.emails.map(\.address).joined(separator: " "),
                company.phones.map { $0.e164 ?? digits($0.number) }.joined(separator: " "), plain(company.name),
            ])
    }

    /// A name's `plain` column: its folded form when folding changes more than case, else
    /// empty (the name column already answers a query without accents, and most names would
    /// only double the index).
    static func plain(_ name: String) -> String { TextFold.differs(name) ? TextFold.plain(name) : "" }

    /// The full-text queries for what a user typed, or nil when it is too short for trigrams
    /// (then the caller scans names with LIKE). `columns` are the record's own columns; a phone
    /// number in any format is also looked for by its digits in `digitColumns`.
    static func query(
        _ text: String, phones: PhoneNormalizer, columns: String = "{name emails phones}", digitColumns: String = "phones"
    ) -> SearchQuery? {
        let trimmed = text.trimmed
        guard trimmed.count >= 3 else { return nil }
        var alternatives = ["\(columns) : " + phrase(trimmed)]
        let looksLikePhone = trimmed.allSatisfy { $0.isNumber || " +-()./".contains($0) }
        let numberDigits = digits(trimmed)
        if looksLikePhone, numberDigits.count >= 3 {
            alternatives.append("\(digitColumns) : " + phrase(numberDigits))
            if let e164 = phones.e164(trimmed) { alternatives.append("\(digitColumns) : " + phrase(String(e164.dropFirst()))) }
        }
        // A query with no accents was looked for in the names as written already; one with
        // accents is also looked for there without them. E-mail addresses and numbers are not folded.
        let folded = TextFold.plain(trimmed)
        let foldedColumns = folded == trimmed.lowercased() ? "plain" : "{name plain}"
        let foldable = !looksLikePhone && !trimmed.contains("@")
        return SearchQuery(exact: alternatives.joined(separator: " OR "), folded: foldable ? "\(foldedColumns) : " + phrase(folded) : nil)
    }

    /// `text` as one FTS5 phrase: quotes doubled, and NUL left out (FTS5 reads a query as a C
    /// string, so a NUL ended it inside the quotes: "unterminated string", a 500 for a search
    /// box; found by schemathesis).
    static func phrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\0", with: "").replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func digits(_ text: String) -> String { text.filter { $0.isASCII && $0.isNumber } }
}

/// What a search matches, as FTS5 queries over a search table.
struct SearchQuery: Equatable {
    /// Matches in the record's own text: its name as written, e-mails, numbers.
    let exact: String
    /// Matches of the query folded (`TextFold`) in names as written or folded, so `odegard`
    /// finds Ødegård and `Ødegård` finds Odegard; nil for a phone number.
    let folded: String?

    /// Every match, exact or with accents forgiven.
    var any: String { folded.map { "(\(exact)) OR (\($0))" } ?? exact }
    /// Only the matches that need accents forgiven: listed after the exact ones.
    var foldedOnly: String? { folded.map { "(\($0)) NOT (\(exact))" } }
}
