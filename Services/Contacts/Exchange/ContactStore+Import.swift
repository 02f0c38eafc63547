import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Import of contacts and companies from CSV and vCard: one transaction for the whole file,
// duplicates skipped (so running it twice is safe), rejected rows reported by line and reason.
extension ContactStore {
    static let contactFields = Set(ImportFields.contacts)
    static let companyFields = Set(ImportFields.companies)
    static let reportCap = 1000

    func importCSV(_ request: ImportRequest, headers: BusHeaders) async throws -> ImportReport {
        guard let text = request.csv, !text.isEmpty else { throw BusError.invalid("give the file's text as csv") }
        let kind = request.kind ?? "contacts"
        guard kind == "contacts" || kind == "companies" else { throw BusError.invalid("kind is contacts or companies, not '\(kind)'") }
        let records: [(line: Int, fields: [String])]
        do {
            records = try CSVReader(delimiter: CSVReader.detect(text)).records(text)
        } catch let error as CSVError {
            // What a file holds is for the file to say (ADR 008): 409, as for a header naming no field.
            throw BusError.conflict("line \(error.line): \(error.reason)")
        }
        guard let header = records.first else { throw BusError.conflict("the file is empty") }
        let known = kind == "contacts" ? Self.contactFields : Self.companyFields
        var columns: [Int: String] = [:]
        var ignored: [String] = []
        for (index, name) in header.fields.enumerated() {
            let trimmed = name.trimmed
            if let target = request.mapping?[trimmed] {
                guard known.contains(target) else { throw BusError.invalid("mapping: '\(target)' is not a field of \(kind)") }
                columns[index] = target
            } else if request.mapping == nil, let field = Self.fieldName(trimmed, known: known) {
                columns[index] = field
            } else if !trimmed.isEmpty {
                ignored.append(trimmed)
            }
        }
        if request.mapping == nil, kind == "contacts" {
            ImportHeaders.dropSalutation(header.fields, &columns)
            for (index, name) in header.fields.enumerated() where columns[index] == nil && !name.trimmed.isEmpty {
                if !ignored.contains(name.trimmed) { ignored.append(name.trimmed) }
            }
        }
        if let mapping = request.mapping, let missing = mapping.keys.first(where: { key in !header.fields.contains { $0.trimmed == key } })
        {
            throw BusError.conflict("mapping: the file has no column '\(missing)'")
        }
        // The file's header against the fields there are (custom fields included): 409, ADR 008.
        guard !columns.isEmpty else { throw BusError.conflict("no column maps to a field; give a mapping") }
        // Two columns for one field (a mapping may say so, exports do: `E-mail 1`, `E-mail 2`): every
        // value of a field that takes several, else the first that is not blank, left to right.
        let ordered = columns.sorted { $0.key < $1.key }
        // Google writes an address's or number's kind in a column of its own (`Phone 1 - Type`
        // beside `Phone 1 - Value`): a value goes to the field of its kind.
        let kindColumns = kind == "contacts" && request.mapping == nil ? ImportHeaders.kindColumns(header.fields, columns) : [:]
        let kindHeaders = Set(kindColumns.values.map { header.fields[$0].trimmed })
        ignored.removeAll { kindHeaders.contains($0) }
        let rows = records.dropFirst().map { record in
            var values = [String: String](minimumCapacity: ordered.count)
            func add(_ field: String, _ value: String) {
                if let earlier = values[field], !earlier.isEmpty {
                    if ImportHeaders.multiValued.contains(field), !value.isEmpty { values[field] = earlier + "\n" + value }
                    return
                }
                values[field] = value
            }
            for (index, field) in ordered where index < record.fields.count {
                let value = record.fields[index].trimmed
                if let kindIndex = kindColumns[index], kindIndex < record.fields.count, !value.isEmpty {
                    for (item, kind) in ImportHeaders.kinds(of: value, types: record.fields[kindIndex]) {
                        add(ImportHeaders.field(field, ofKind: kind), item)
                    }
                } else {
                    add(field, value)
                }
            }
            return (line: record.line, values: values)
        }
        // Dates in the form the column (or the request) writes them; values that cannot be read
        // are warnings, and the row is imported without them.
        var dateForm: String?
        if let given = request.dateFormat {
            guard ImportDates.forms.contains(given) else {
                throw BusError.invalid("date_format is one of \(ImportDates.forms.joined(separator: ", "))")
            }
            dateForm = given
        } else if columns.values.contains("birthday") {
            dateForm = ImportDates.detect(rows.compactMap { $0.values["birthday"] })
        }
        var warnings = Warnings()
        let cleaned = rows.map { row in (line: row.line, values: Self.clean(row.values, line: row.line, dateForm: dateForm, &warnings)) }
        let mapped = header.fields.enumerated().map { index, name in
            var column = ImportColumn(header: name.trimmed, field: columns[index])
            if columns[index] == "birthday" { column.dateFormat = dateForm ?? ImportDates.forms[0] }
            return column
        }
        return try await run(
            kind: kind, rows: cleaned, dryRun: request.dryRun == true, ignored: ignored, columns: mapped, warnings: warnings,
            headers: headers)
    }

    /// Warnings of an import: the first 1,000 and how many.
    struct Warnings: Sendable {
        var list: [ImportReport.RowProblem] = []
        var count = 0
        mutating func add(_ line: Int, _ reason: String) {
            count += 1
            if list.count < ContactStore.reportCap { list.append(.init(line: line, reason: reason)) }
        }
    }

    /// A row's optional values that cannot be read leave it, each with a warning: a birthday
    /// not in the column's date form (Outlook's `0/0/00` is no date), an address that is not one.
    static func clean(_ row: [String: String], line: Int, dateForm: String?, _ warnings: inout Warnings) -> [String: String] {
        var values = row
        if let text = values["birthday"] {
            if ImportDates.isEmpty(text) {
                values["birthday"] = nil
            } else if let day = ImportDates.read(text, form: dateForm ?? ImportDates.forms[0]) {
                values["birthday"] = day
            } else {
                warnings.add(
                    line, "birthday '\(text.prefix(40))' is not a date written \(dateForm ?? ImportDates.forms[0]); imported without it")
                values["birthday"] = nil
            }
        }
        if let text = values["country"], !text.isEmpty {
            if let code = ImportCountries.code(text) {
                values["country"] = code
            } else {
                warnings.add(line, "country '\(text.prefix(60))' is not one we know; imported without it")
                values["country"] = nil
            }
        }
        for (field, _) in Importer.emailFields {
            guard let text = values[field] else { continue }
            let all = Importer.list(text)
            for bad in all where !Importer.looksLikeEmail(bad) {
                warnings.add(line, "'\(bad.prefix(80))' is not an e-mail address; imported without it")
            }
            values[field] = all.filter(Importer.looksLikeEmail).joined(separator: "\n")
        }
        if let text = values["notes"], text.count > noteLimit {
            warnings.add(line, "the notes are longer than \(noteLimit) characters; imported up to there")
            values["notes"] = String(text.prefix(noteLimit))
        }
        return values
    }

    func importVCard(_ request: ImportRequest, headers: BusHeaders) async throws -> ImportReport {
        guard let text = request.vcf, !text.isEmpty else { throw BusError.invalid("give the cards' text as vcf") }
        let cards: [(line: Int, card: VCard.Card)]
        do {
            cards = try VCard.read(text)
        } catch let error as CSVError {
            throw BusError.conflict("line \(error.line): \(error.reason)")
        }
        let dryRun = request.dryRun == true
        let rows = try cards.map { line, card -> (line: Int, values: [String: String]) in
            var values: [String: String] = [:]
            values["first_name"] = card.request.firstName
            values["last_name"] = card.request.lastName
            values["title"] = card.request.title
            values["company"] = card.organisation
            values["birthday"] = card.request.birthday
            values["street"] = card.request.address?.street
            values["postal_code"] = card.request.address?.postalCode
            values["city"] = card.request.address?.city
            values["country"] = card.request.address?.country
            for (field, kind) in Importer.emailFields {
                values[field] = card.request.emails?.filter { $0.kind == kind }.map(\.address).joined(separator: "\n")
            }
            for (field, kind) in Importer.phoneFields {
                values[field] = card.request.phones?.filter { $0.kind == kind }.map(\.number).joined(separator: "\n")
            }
            values["notes"] = card.note.map { String($0.prefix(Self.noteLimit)) }
            values["website"] = card.url
            // The picture's bytes are put in the file area before the import's transaction; its
            // row and the contact's picture are written in it.
            if let photo = card.photo, !dryRun, let filesDirectory {
                let (hash, size) = try FileStore.storeBlob(photo.data, directory: filesDirectory)
                values[Importer.photoHash] = hash
                values[Importer.photoType] = photo.contentType
                values[Importer.photoSize] = String(size)
            }
            return (line, values.compactMapValues { $0.nilIfEmpty })
        }
        return try await run(kind: "contacts", rows: rows, dryRun: dryRun, ignored: [], headers: headers)
    }

    /// `First name`, `E-mail`, `Postal code`, `Fornavn`, `Given Name` -> the field they name.
    static func fieldName(_ header: String, known: Set<String>) -> String? {
        ImportHeaders.field(header, known: known)
    }

    private func run(
        kind: String, rows: [(line: Int, values: [String: String])], dryRun: Bool, ignored: [String], columns: [ImportColumn]? = nil,
        warnings: Warnings? = nil, headers: BusHeaders
    ) async throws -> ImportReport {
        let phones = phones
        let work: @Sendable (Database, Outbox?) throws -> ImportReport = { db, outbox in
            var importer = try Importer(
                db: db, outbox: dryRun ? nil : outbox, phones: phones, headers: headers,
                deferSearch: !dryRun && rows.count >= SearchBacklog.threshold)
            var report = ImportReport(dryRun: dryRun)
            report.ignoredHeaders = ignored
            report.columns = columns
            report.warnings = warnings?.list
            report.warningCount = warnings?.count
            for row in rows {
                report.rows += 1
                do {
                    let id = try kind == "contacts" ? importer.contact(row.values) : importer.company(row.values)
                    report.created += 1
                    if report.createdIds.count < Self.reportCap, let id { report.createdIds.append(id) }
                } catch let duplicate as Importer.Duplicate {
                    report.duplicateCount += 1
                    if report.duplicates.count < Self.reportCap {
                        report.duplicates.append(.init(line: row.line, reason: duplicate.reason, existingId: duplicate.existingId))
                    }
                } catch let error as BusError {
                    report.rejectedCount += 1
                    if report.rejected.count < Self.reportCap { report.rejected.append(.init(line: row.line, reason: error.message)) }
                }
            }
            report.searchPending = try importer.finish()
            return report
        }
        if dryRun { return try await database.read { db in try work(db, nil) } }
        let report = try await database.write { db, outbox in try work(db, outbox) }
        // Behind the reply: the search rows of a big import (and what follows them).
        if report.searchPending > 0 || report.created >= SearchBacklog.threshold { backlog.nudge() }
        return report
    }
}
