import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Turns import rows into contacts and companies inside one transaction, with the checks of a
/// create and duplicate detection against the database and the earlier rows of the same file.
/// Without an outbox (a dry run) it checks everything and writes nothing.
struct Importer {
    /// A row that is already in the database or earlier in the file.
    struct Duplicate: Error {
        let reason: String
        let existingId: Int64?
    }

    let db: Database
    let outbox: Outbox?
    let phones: PhoneNormalizer
    let headers: BusHeaders
    let access: Access
    private var seenEmails: Set<String> = []
    private var seenPhones: Set<String> = []
    private var seenNames: Set<String> = []
    private var seenNumbers: Set<String> = []
    /// Organisation number digits -> company, read on first use (the column holds numbers as
    /// typed): a file of people without organisation numbers never needs it, and at 200,000
    /// companies reading it takes most of a second.
    private var companiesByNumber: [String: Int64]?
    private var references: [String: Int64] = [:]
    private var categoryTargets: [Int64: String] = [:]
    private var fakeId: Int64 = 0
    /// Search rows left to `SearchBacklog` (a big import); the ids created, to note there.
    let deferSearch: Bool
    private var createdContacts: ClosedRange<Int64>?
    private var createdCompanies: ClosedRange<Int64>?

    /// One time for every record of the import (one transaction), formatted once for the rows
    /// and once for the events.
    private let now = Date()
    private let stamp: String
    private let eventStamp: String

    init(db: Database, outbox: Outbox?, phones: PhoneNormalizer, headers: BusHeaders, deferSearch: Bool = false) throws {
        stamp = DatabaseDate.string(now)
        eventStamp = Timestamp.string(from: now)
        self.db = db
        self.outbox = outbox
        self.phones = phones
        self.headers = headers
        self.deferSearch = deferSearch
        access = try Access.of(headers, db)
        for row in try Row.fetchAll(db, sql: "SELECT id, kind, name, applies_to FROM reference_item WHERE active") {
            references["\(row["kind"] as String)|\((row["name"] as String).lowercased())"] = row["id"]
            if let target: String = row["applies_to"] { categoryTargets[row["id"]] = target }
        }
    }

    // MARK: - Contacts

    /// Creates one contact from a row; answers its id (nil in a dry run).
    mutating func contact(_ values: [String: String]) throws -> Int64? {
        var first = values["first_name"] ?? "", last = values["last_name"] ?? ""
        if first.isEmpty && last.isEmpty, let name = values["name"] {
            let words = name.split(separator: " ")
            first = words.dropLast().joined(separator: " ")
            last = words.last.map(String.init) ?? ""
        }
        guard !(first.isEmpty && last.isEmpty) else { throw BusError.invalid("no name (first_name, last_name or name)") }
        guard first.count <= 200, last.count <= 200 else { throw BusError.invalid("a name is longer than 200 characters") }
        let emails = try Self.emailFields.flatMap { field, kind in
            try Self.list(values[field]).map { address -> ContactEmail in
                guard Self.looksLikeEmail(address) else { throw BusError.invalid("'\(address)' is not an e-mail address") }
                return ContactEmail(address: address, kind: kind)
            }
        }
        let numbers = Self.phoneFields.flatMap { field, kind in
            Self.list(values[field]).map { ContactPhone(number: $0, e164: phones.e164($0), kind: kind) }
        }
        let address = try FieldRules.address(
            Address(street: values["street"], postalCode: values["postal_code"], city: values["city"], country: values["country"]),
            field: "address")
        let birthday = try FieldRules.date(values["birthday"], field: "birthday")
        let sourceId = try reference(.sources, values["source"])
        let roleId = try reference(.roles, values["role"])
        let categories = try categoryIds(values["categories"], for: "contact")

        for email in emails {
            let key = email.address.lowercased()
            if let id = try db.cachedStatement(
                sql: """
                    SELECT e.contact_id FROM contact_email e JOIN contact c ON c.id = e.contact_id
                    WHERE e.address = ? COLLATE NOCASE AND c.deleted_at IS NULL LIMIT 1
                    """
            ).fetchInt64(.text(email.address)) {
                throw Duplicate(reason: "a contact with the e-mail \(email.address) exists", existingId: id)
            }
            if seenEmails.contains(key) { throw Duplicate(reason: "the e-mail \(email.address) is on an earlier row", existingId: nil) }
        }
        for phone in numbers {
            guard let e164 = phone.e164 else { continue }
            if let id = try db.cachedStatement(
                sql: """
                    SELECT p.contact_id FROM contact_phone p JOIN contact c ON c.id = p.contact_id
                    WHERE p.e164 = ? AND c.deleted_at IS NULL LIMIT 1
                    """
            ).fetchInt64(.text(e164)) {
                throw Duplicate(reason: "a contact with the phone \(e164) exists", existingId: id)
            }
            if seenPhones.contains(e164) { throw Duplicate(reason: "the phone \(e164) is on an earlier row", existingId: nil) }
        }
        // A row with only a name (no e-mail or phone to know it by) is the contact of that name
        // that has none either: so a file imported twice makes nobody twice.
        if emails.isEmpty && numbers.isEmpty {
            let key = first.lowercased() + "\u{1F}" + last.lowercased()
            if let id = try db.cachedStatement(
                sql: """
                    SELECT c.id FROM contact c WHERE c.last_name = ? COLLATE NOCASE AND c.first_name = ? COLLATE NOCASE
                        AND c.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM contact_email e WHERE e.contact_id = c.id)
                        AND NOT EXISTS (SELECT 1 FROM contact_phone p WHERE p.contact_id = c.id) LIMIT 1
                    """
            ).fetchInt64(.text(last), .text(first)) {
                throw Duplicate(reason: "a contact named \(first) \(last) with no e-mail or phone exists", existingId: id)
            }
            if seenNames.contains(key) { throw Duplicate(reason: "\(first) \(last) is on an earlier row", existingId: nil) }
            seenNames.insert(key)
        }
        emails.forEach { seenEmails.insert($0.address.lowercased()) }
        numbers.compactMap(\.e164).forEach { seenPhones.insert($0) }
        let companyName = values["company"]?.nilIfEmpty, companyNumber = values["organisation_number"].map(SearchIndex.digits)?.nilIfEmpty
        guard let outbox else { return nil }

        var record = ContactRecord(
            id: nil, firstName: first, lastName: last, title: values["title"]?.nilIfEmpty, sourceId: sourceId, roleId: roleId,
            createdAt: now, updatedAt: now, deletedAt: nil)
        record.address = address?.nilIfEmpty
        record.city = record.address?.city
        record.birthday = birthday
        record.ownerId = access.ownerOnly ?? access.userId
        record.lastActivityAt = now
        if ["yes", "true", "1", "ja", "x"].contains(values["consumer"]?.lowercased() ?? "") {
            record.consumer = true
            record.customerNumber = try CustomerNumbers.next(db)
        }
        // The hot path of a big import: cached statements bound directly, not the Codable record.
        try db.cachedStatement(
            sql: """
                INSERT INTO contact (first_name, last_name, title, source_id, role_id, address, city, birthday, owner_id,
                    consumer, customer_number, last_activity_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).run(
            .text(record.firstName), .text(record.lastName), .text(record.title), .integer(record.sourceId), .integer(record.roleId),
            .text(record.address.map(Self.storedJSON)), .text(record.city), .text(record.birthday), .integer(record.ownerId),
            .bool(record.consumer), .integer(record.customerNumber), .text(stamp), .text(stamp), .text(stamp))
        let id = db.lastInsertedRowID
        for (position, phone) in numbers.enumerated() {
            try db.cachedStatement(sql: "INSERT INTO contact_phone (contact_id, position, number, e164, kind) VALUES (?, ?, ?, ?, ?)")
                .run(.integer(id), .integer(Int64(position)), .text(phone.number), .text(phone.e164), .text(phone.kind))
        }
        for (position, email) in emails.enumerated() {
            try db.cachedStatement(sql: "INSERT INTO contact_email (contact_id, position, address, kind) VALUES (?, ?, ?, ?)")
                .run(.integer(id), .integer(Int64(position)), .text(email.address), .text(email.kind))
        }
        for category in categories {
            try db.cachedStatement(sql: "INSERT INTO contact_category (contact_id, category_id) VALUES (?, ?)").run(
                .integer(id), .integer(category))
        }
        var contact = Contact(
            id: id, firstName: first, lastName: last, title: record.title, phones: numbers, emails: emails, sourceId: sourceId,
            roleId: roleId, categoryIds: categories, createdAt: now, updatedAt: now, deletedAt: nil)
        contact.address = record.address
        contact.pictureFileId = try picture(values, contactId: id, name: contact.displayName, outbox: outbox)
        if deferSearch {
            createdContacts = (createdContacts?.lowerBound ?? id)...id
        } else {
            try SearchIndex.indexContact(db, contact, isNew: true)
        }
        try History.add(
            db, .contact(id), kind: "created", actor: headers.actor, summary: "Contact \(contact.displayName) imported", changes: nil,
            touch: false, at: stamp)
        try outbox.append(db, type: ContactsContract.Event.created, json: ContactChanged(contact: contact).wireJSON, occurredAt: eventStamp)
        if companyName != nil || companyNumber != nil {
            let companyId = try companyToLink(name: companyName, number: companyNumber, outbox: outbox)
            // The job title goes on the link as well: it is the title at that company.
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO contact_company (contact_id, company_id, title) VALUES (?, ?, ?)").run(
                .integer(id), .integer(companyId), .text(record.title))
        }
        try note(values, on: .contact(id), outbox: outbox)
        return id
    }

    /// A card's picture, whose bytes the import put in the file area: a file of the contact's
    /// area and the contact's picture. Set by the vCard import only (no mapping names these).
    static let photoHash = "\u{0}photo_sha256", photoType = "\u{0}photo_type", photoSize = "\u{0}photo_size"

    private func picture(_ values: [String: String], contactId: Int64, name: String, outbox: Outbox) throws -> Int64? {
        guard let hash = values[Self.photoHash], let type = values[Self.photoType], let size = values[Self.photoSize].flatMap({ Int64($0) })
        else { return nil }
        let fileName = "Picture of \(name.replacingOccurrences(of: "/", with: "-")).\(type.split(separator: "/").last ?? "img")"
        try db.execute(
            sql: """
                INSERT INTO stored_file (contact_id, name, content_type, size, sha256, author, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                contactId, String(fileName.prefix(255)), type, size, hash, headers.actor, DatabaseDate.string(now),
                DatabaseDate.string(now),
            ])
        let fileId = db.lastInsertedRowID
        try db.execute(sql: "UPDATE contact SET picture_file_id = ? WHERE id = ?", arguments: [fileId, contactId])
        let file = FileStore.file(try Row.fetchOne(db, sql: "SELECT * FROM stored_file WHERE id = ?", arguments: [fileId])!)
        try outbox.append(db, type: ContactsContract.Event.fileStored, payload: file)
        return fileId
    }

    /// The import fields of e-mail addresses and phone numbers, with the kind each gives.
    static let emailFields = [("email", "work"), ("home_email", "home"), ("other_email", "other")]
    static let phoneFields = [("mobile", "mobile"), ("phone", "work"), ("home_phone", "home"), ("fax", "fax"), ("other_phone", "other")]

    /// A row's notes (and a web address, which a contact has no field for) as a note on the record.
    private func note(_ values: [String: String], on subject: History.Subject, outbox: Outbox) throws {
        var parts = values["notes"].flatMap { $0.trimmed.nilIfEmpty }.map { [$0] } ?? []
        if let website = values["website"]?.nilIfEmpty, case .contact = subject { parts.append("Web site: \(website)") }
        guard !parts.isEmpty else { return }
        let text = String(parts.joined(separator: "\n\n").prefix(ContactStore.noteLimit))
        _ = try ContactStore.insertNote(db, outbox, subject: subject, text: text, private: false, headers: headers, at: now)
    }

    /// The company a contact row names (by organisation number, else by name), made if missing.
    private mutating func companyToLink(name: String?, number: String?, outbox: Outbox) throws -> Int64 {
        if let number, let id = try companyNumbers()[number] { return id }
        if number == nil, let name,
            let id = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM company WHERE name = ? COLLATE NOCASE AND deleted_at IS NULL LIMIT 1"),
                arguments: [name])
        {
            return id
        }
        var values: [String: String] = ["name": name ?? "Company \(number ?? "")"]
        values["organisation_number"] = number
        return try company(values, skipDuplicates: true)!
    }

    // MARK: - Companies

    mutating func company(_ values: [String: String], skipDuplicates: Bool = false) throws -> Int64? {
        guard let name = values["name"]?.nilIfEmpty, name.count <= 200 else { throw BusError.invalid("no company name (name)") }
        let number = values["organisation_number"]?.nilIfEmpty
        let digits = number.map(SearchIndex.digits)?.nilIfEmpty
        let emails = Self.list(values["email"])
        if !skipDuplicates {
            if let digits {
                if let id = try companyNumbers()[digits] {
                    throw Duplicate(reason: "a company with the organisation number \(number!) exists", existingId: id)
                }
                if seenNumbers.contains(digits) {
                    throw Duplicate(reason: "the organisation number \(number!) is on an earlier row", existingId: nil)
                }
            }
            for email in emails {
                if let id = try Int64.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT e.company_id FROM company_email e JOIN company k ON k.id = e.company_id
                            WHERE e.address = ? COLLATE NOCASE AND k.deleted_at IS NULL LIMIT 1
                            """), arguments: [email])
                {
                    throw Duplicate(reason: "a company with the e-mail \(email) exists", existingId: id)
                }
                if seenEmails.contains(email.lowercased()) {
                    throw Duplicate(reason: "the e-mail \(email) is on an earlier row", existingId: nil)
                }
            }
        }
        let kinds = Self.list(values["kinds"]).map { $0.lowercased() }
        if let wrong = kinds.first(where: { !Company.kindValues.contains($0) }) {
            throw BusError.invalid("kinds: '\(wrong)' is not one of \(Company.kindValues.joined(separator: ", "))")
        }
        let industryId = try reference(.industries, values["industry"])
        let statusId = try reference(.companyStatuses, values["status"])
        let sourceId = try reference(.sources, values["source"])
        let categories = try categoryIds(values["categories"], for: "company")
        let website = try FieldRules.website(values["website"])
        let address = try FieldRules.address(
            Address(street: values["street"], postalCode: values["postal_code"], city: values["city"], country: values["country"]),
            field: "address")
        let numbers = Self.list(values["phone"]).map { ContactPhone(number: $0, e164: phones.e164($0), kind: "work") }
        if let digits { seenNumbers.insert(digits) }
        emails.forEach { seenEmails.insert($0.lowercased()) }
        guard let outbox else {
            fakeId -= 1
            if let digits { try remember(number: digits, company: fakeId) }
            return nil
        }
        var record = CompanyRecord(
            id: nil, name: name, organisationNumber: number, customerNumber: nil, kinds: kinds.isEmpty ? ["customer"] : kinds,
            statusId: statusId, industryId: industryId, sourceId: sourceId, ownerId: access.ownerOnly ?? access.userId,
            postalAddress: address?.nilIfEmpty, visitingAddress: nil, city: address?.city, website: website, customFields: nil,
            bankDetails: nil, customerSettings: nil, createdAt: now, updatedAt: now, deletedAt: nil)
        try record.insert(db)
        let id = record.id!
        if let digits { try remember(number: digits, company: id) }
        for (position, phone) in numbers.enumerated() {
            try db.cachedStatement(sql: "INSERT INTO company_phone (company_id, position, number, e164, kind) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [id, position, phone.number, phone.e164, phone.kind])
        }
        for (position, email) in emails.enumerated() {
            try db.cachedStatement(sql: "INSERT INTO company_email (company_id, position, address, kind) VALUES (?, ?, ?, 'work')").execute(
                arguments: [id, position, email])
        }
        for category in categories {
            try db.cachedStatement(sql: "INSERT INTO company_category (company_id, category_id) VALUES (?, ?)").execute(arguments: [
                id, category,
            ])
        }
        let company = try loadCompany(db, id: id)!
        if deferSearch {
            createdCompanies = (createdCompanies?.lowerBound ?? id)...id
        } else {
            try SearchIndex.indexCompany(db, company)
        }
        try History.add(
            db, .company(id), kind: "created", actor: headers.actor, summary: "Company \(name) imported", changes: nil, at: stamp)
        try outbox.append(db, type: ContactsContract.Event.companyCreated, payload: CompanyChanged(company: company))
        if !skipDuplicates { try note(values, on: .company(id), outbox: outbox) }
        return id
    }

    /// Notes the records created without search rows in the backlog (same transaction) and
    /// answers how many there are.
    func finish() throws -> Int {
        var pending = 0
        if let ids = createdContacts {
            try SearchBacklog.add(db, .contact, first: ids.lowerBound, last: ids.upperBound)
            pending += ids.count
        }
        if let ids = createdCompanies {
            try SearchBacklog.add(db, .company, first: ids.lowerBound, last: ids.upperBound)
            pending += ids.count
        }
        return pending
    }

    // MARK: - Helpers

    /// One `@` with something before it, a dot after it, and no space (checked on the bytes:
    /// this runs for every row of an import).
    static func looksLikeEmail(_ address: String) -> Bool {
        let bytes = address.utf8
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at != bytes.startIndex, bytes.lastIndex(of: UInt8(ascii: "@")) == at
        else { return false }
        return bytes[at...].contains(UInt8(ascii: ".")) && !bytes.contains(UInt8(ascii: " "))
    }

    /// An address as GRDB stores a record's `Codable` column (JSONEncoder's default keys),
    /// written by hand: a JSONEncoder per imported row was 4% of an import's time.
    static func storedJSON(_ address: Address) -> String {
        var json = JSONWriter()
        json.string("city", address.city)
        json.string("country", address.country)
        json.string("postalCode", address.postalCode)
        json.string("street", address.street)
        return String(decoding: json.finish(), as: UTF8.self)
    }

    /// `companiesByNumber`, read from the database the first time it is needed.
    private mutating func companyNumbers() throws -> [String: Int64] {
        if let loaded = companiesByNumber { return loaded }
        var loaded: [String: Int64] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT id, organisation_number FROM company WHERE organisation_number IS NOT NULL AND deleted_at IS NULL")
        {
            loaded[SearchIndex.digits(row["organisation_number"])] = row["id"]
        }
        companiesByNumber = loaded
        return loaded
    }

    private mutating func remember(number digits: String, company id: Int64) throws {
        if companiesByNumber == nil { _ = try companyNumbers() }
        companiesByNumber?[digits] = id
    }

    /// Several values in one cell: separated by commas, semicolons, line breaks, or ` ::: ` (how
    /// Google Contacts writes a field's several values).
    static func list(_ text: String?) -> [String] {
        guard var text, !text.isEmpty else { return [] }
        if text.contains(":::") { text = text.replacingOccurrences(of: ":::", with: "\n") }
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "\n") }) {
            let value = text.trimmed
            return value.isEmpty ? [] : [value]  // one value, the usual case
        }
        let separators: Set<Character> = [",", ";", "\n"]
        let parts = text.split(whereSeparator: { separators.contains($0) })
        return parts.map { String($0).trimmed }.filter { !$0.isEmpty }
    }

    private func reference(_ kind: ReferenceKind, _ name: String?) throws -> Int64? {
        guard let name = name?.nilIfEmpty else { return nil }
        guard let id = references["\(kind.rawValue)|\(name.lowercased())"] else {
            throw BusError.invalid("\(kind.itemName) '\(name)' is not one of the settings' \(kind.rawValue)")
        }
        return id
    }

    private func categoryIds(_ text: String?, for target: String) throws -> [Int64] {
        var ids: [Int64] = []
        for name in Self.list(text) {
            guard let id = try reference(.categories, name) else { continue }
            guard categoryTargets[id] == target || categoryTargets[id] == "both" else {
                throw BusError.invalid("category '\(name)' does not apply to \(target)s")
            }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }
}
