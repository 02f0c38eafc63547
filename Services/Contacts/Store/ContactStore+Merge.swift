import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Duplicates: finding likely pairs, merging two records into one, and purging what was deleted
// before the retention period.
extension ContactStore {
    func duplicates(limit: Int?, headers: BusHeaders) async throws -> [DuplicateGroup] {
        let limit = min(max(limit ?? 100, 1), 1000)
        return try await database.read { db in
            let owner = try Access.of(headers, db).ownerOnly
            let visible = owner.map { "AND c.owner_id = \($0)" } ?? ""
            var groups: [DuplicateGroup] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT lower(e.address) AS value, group_concat(DISTINCT e.contact_id) AS ids FROM contact_email e
                    JOIN contact c ON c.id = e.contact_id WHERE c.deleted_at IS NULL \(visible)
                    GROUP BY lower(e.address) HAVING COUNT(DISTINCT e.contact_id) > 1 LIMIT \(limit)
                    """)
            { groups.append(DuplicateGroup(reason: "email", value: row["value"], ids: Self.ids(row["ids"]))) }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT p.e164 AS value, group_concat(DISTINCT p.contact_id) AS ids FROM contact_phone p
                    JOIN contact c ON c.id = p.contact_id WHERE c.deleted_at IS NULL AND p.e164 IS NOT NULL \(visible)
                    GROUP BY p.e164 HAVING COUNT(DISTINCT p.contact_id) > 1 LIMIT \(limit)
                    """)
            { groups.append(DuplicateGroup(reason: "phone", value: row["value"], ids: Self.ids(row["ids"]))) }
            // Similar names at the same company: the same last name, first names that start alike.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT k.name AS company, c.first_name || ' ' || c.last_name AS name, c.id AS a, d.id AS b
                    FROM contact_company l1 JOIN contact_company l2 ON l1.company_id = l2.company_id AND l1.contact_id < l2.contact_id
                    JOIN contact c ON c.id = l1.contact_id JOIN contact d ON d.id = l2.contact_id JOIN company k ON k.id = l1.company_id
                    WHERE c.deleted_at IS NULL AND d.deleted_at IS NULL AND lower(c.last_name) = lower(d.last_name)
                      AND substr(lower(c.first_name), 1, 3) = substr(lower(d.first_name), 1, 3) \(visible)
                    LIMIT \(limit)
                    """)
            {
                groups.append(
                    DuplicateGroup(
                        reason: "name_at_company", value: "\(row["name"] as String) at \(row["company"] as String)",
                        ids: [row["a"], row["b"]]))
            }
            return Array(groups.prefix(limit))
        }
    }

    func companyDuplicates(limit: Int?, headers: BusHeaders) async throws -> [DuplicateGroup] {
        let limit = min(max(limit ?? 100, 1), 1000)
        return try await database.read { db in
            let owner = try Access.of(headers, db).ownerOnly
            let visible = owner.map { "AND k.owner_id = \($0)" } ?? ""
            var groups: [DuplicateGroup] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT replace(replace(replace(k.organisation_number, ' ', ''), '-', ''), '.', '') AS value, group_concat(k.id) AS ids
                    FROM company k WHERE k.deleted_at IS NULL AND k.organisation_number IS NOT NULL \(visible)
                    GROUP BY value HAVING COUNT(*) > 1 LIMIT \(limit)
                    """)
            { groups.append(DuplicateGroup(reason: "organisation_number", value: row["value"], ids: Self.ids(row["ids"]))) }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT lower(e.address) AS value, group_concat(DISTINCT e.company_id) AS ids FROM company_email e
                    JOIN company k ON k.id = e.company_id WHERE k.deleted_at IS NULL \(visible)
                    GROUP BY lower(e.address) HAVING COUNT(DISTINCT e.company_id) > 1 LIMIT \(limit)
                    """)
            { groups.append(DuplicateGroup(reason: "email", value: row["value"], ids: Self.ids(row["ids"]))) }
            // The same name once legal forms and punctuation are set aside ("Acme AS" and "ACME A/S").
            var byName: [String: [Int64]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT k.id, k.name FROM company k WHERE k.deleted_at IS NULL \(visible)") {
                byName[Self.companyKey(row["name"]), default: []].append(row["id"])
            }
            for (key, ids) in byName where ids.count > 1 && !key.isEmpty {
                groups.append(DuplicateGroup(reason: "name", value: key, ids: ids.sorted()))
            }
            return Array(groups.prefix(limit))
        }
    }

    /// Merges `other` into `survivor` in one transaction.
    func merge(_ request: MergeRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        guard request.survivorId != request.otherId else { throw BusError.conflict("a contact cannot be merged into itself") }
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.merge) { db, outbox in
            let access = try Access.of(headers, db)
            guard let survivor = try ContactRecord.fetchOne(db, key: request.survivorId), survivor.deletedAt == nil,
                access.sees(owner: survivor.ownerId), let before = try loadContact(db, id: survivor.id!)
            else { throw BusError.notFound("contact \(request.survivorId) does not exist") }
            guard var other = try ContactRecord.fetchOne(db, key: request.otherId), other.deletedAt == nil,
                access.sees(owner: other.ownerId),
                let otherContact = try loadContact(db, id: other.id!)
            else { throw BusError.notFound("contact \(request.otherId) does not exist") }
            if survivor.anonymizedAt != nil || other.anonymizedAt != nil { throw BusError.conflict("anonymised contacts are not merged") }
            let (keep, gone) = (survivor.id!, other.id!)
            var merged = survivor
            merged.title = merged.title ?? other.title
            merged.address = merged.address ?? other.address
            merged.city = merged.address?.city
            merged.birthday = merged.birthday ?? other.birthday
            merged.sourceId = merged.sourceId ?? other.sourceId
            merged.roleId = merged.roleId ?? other.roleId
            merged.ownerId = merged.ownerId ?? other.ownerId
            merged.bankDetails = merged.bankDetails ?? other.bankDetails
            merged.pictureFileId = merged.pictureFileId ?? other.pictureFileId
            merged.customFields = (other.customFields ?? [:]).merging(merged.customFields ?? [:]) { $1 }
            if other.consumer && !merged.consumer {
                merged.consumer = true
                merged.customerNumber = merged.customerNumber ?? other.customerNumber
            }
            merged.updatedAt = Date()
            try merged.update(db)
            // Phones and e-mails the survivor lacks, categories, links, notes and history move over.
            let phones =
                before.phones
                + otherContact.phones.filter { phone in
                    !before.phones.contains { $0.e164 != nil && $0.e164 == phone.e164 || $0.number == phone.number }
                }
            let emails =
                before.emails
                + otherContact.emails.filter { email in !before.emails.contains { $0.address.lowercased() == email.address.lowercased() } }
            try db.execute(sql: "DELETE FROM contact_phone WHERE contact_id = ?", arguments: [keep])
            try db.execute(sql: "DELETE FROM contact_email WHERE contact_id = ?", arguments: [keep])
            for (position, phone) in phones.prefix(20).enumerated() {
                try db.execute(
                    sql: "INSERT INTO contact_phone (contact_id, position, number, e164, kind) VALUES (?, ?, ?, ?, ?)",
                    arguments: [keep, position, phone.number, phone.e164, phone.kind])
            }
            for (position, email) in emails.prefix(20).enumerated() {
                try db.execute(
                    sql: "INSERT INTO contact_email (contact_id, position, address, kind) VALUES (?, ?, ?, ?)",
                    arguments: [keep, position, email.address, email.kind])
            }
            try db.execute(
                sql:
                    "INSERT OR IGNORE INTO contact_category (contact_id, category_id) SELECT ?, category_id FROM contact_category WHERE contact_id = ?",
                arguments: [keep, gone])
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO contact_company (contact_id, company_id, title, role_id, start_date, end_date)
                    SELECT ?, company_id, title, role_id, start_date, end_date FROM contact_company WHERE contact_id = ?
                    """, arguments: [keep, gone])
            try db.execute(sql: "DELETE FROM contact_company WHERE contact_id = ?", arguments: [gone])
            try db.execute(sql: "UPDATE note SET contact_id = ? WHERE contact_id = ?", arguments: [keep, gone])
            try db.execute(sql: "UPDATE contact_history SET contact_id = ? WHERE contact_id = ?", arguments: [keep, gone])
            other.deletedAt = Date()
            other.updatedAt = other.deletedAt!
            other.mergedInto = keep
            try other.update(db)
            let after = try loadContact(db, id: keep)!
            try SearchIndex.indexContact(db, after)
            try History.add(
                db, .contact(keep), kind: "merged", actor: headers.actor,
                summary: "\(otherContact.displayName) (#\(gone)) merged into this contact",
                changes: Self.diff(before, after, names: try ReferenceRules.names(db)))
            try History.add(db, .contact(gone), kind: "merged", actor: headers.actor, summary: "Merged into #\(keep)", changes: nil)
            try outbox.append(db, type: ContactsContract.Event.merged, payload: request)
            try outbox.append(db, type: ContactsContract.Event.updated, payload: ContactChanged(contact: after))
            try outbox.append(db, type: ContactsContract.Event.deleted, payload: ContactDeleted(contactId: gone))
            return after
        }
    }

    func mergeCompanies(_ request: MergeRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        guard request.survivorId != request.otherId else { throw BusError.conflict("a company cannot be merged into itself") }
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.mergeCompanies) { db, outbox in
            let access = try Access.of(headers, db)
            guard var survivor = try CompanyRecord.fetchOne(db, key: request.survivorId), survivor.deletedAt == nil,
                access.sees(owner: survivor.ownerId), let before = try loadCompany(db, id: request.survivorId)
            else { throw BusError.notFound("company \(request.survivorId) does not exist") }
            guard var other = try CompanyRecord.fetchOne(db, key: request.otherId), other.deletedAt == nil,
                access.sees(owner: other.ownerId),
                let otherCompany = try loadCompany(db, id: request.otherId)
            else { throw BusError.notFound("company \(request.otherId) does not exist") }
            let (keep, gone) = (request.survivorId, request.otherId)
            survivor.organisationNumber = survivor.organisationNumber ?? other.organisationNumber
            survivor.customerNumber = survivor.customerNumber ?? other.customerNumber
            survivor.kinds = Array(Set(survivor.kinds + other.kinds)).sorted()
            survivor.statusId = survivor.statusId ?? other.statusId
            survivor.industryId = survivor.industryId ?? other.industryId
            survivor.sourceId = survivor.sourceId ?? other.sourceId
            survivor.ownerId = survivor.ownerId ?? other.ownerId
            survivor.postalAddress = survivor.postalAddress ?? other.postalAddress
            survivor.visitingAddress = survivor.visitingAddress ?? other.visitingAddress
            survivor.city = survivor.visitingAddress?.city ?? survivor.postalAddress?.city
            survivor.website = survivor.website ?? other.website
            survivor.bankDetails = survivor.bankDetails ?? other.bankDetails
            survivor.customerSettings = survivor.customerSettings ?? other.customerSettings
            survivor.customFields = (other.customFields ?? [:]).merging(survivor.customFields ?? [:]) { $1 }
            survivor.updatedAt = Date()
            if other.customerNumber == survivor.customerNumber { other.customerNumber = nil }
            other.deletedAt = Date()
            other.updatedAt = other.deletedAt!
            other.mergedInto = keep
            try other.update(db)
            try survivor.update(db)
            var position = before.phones.count
            for phone in otherCompany.phones where !before.phones.contains(where: { $0.number == phone.number }) {
                try db.execute(
                    sql: "INSERT INTO company_phone (company_id, position, number, e164, kind) VALUES (?, ?, ?, ?, ?)",
                    arguments: [keep, position, phone.number, phone.e164, phone.kind])
                position += 1
            }
            position = before.emails.count
            for email in otherCompany.emails where !before.emails.contains(where: { $0.address.lowercased() == email.address.lowercased() })
            {
                try db.execute(
                    sql: "INSERT INTO company_email (company_id, position, address, kind) VALUES (?, ?, ?, ?)",
                    arguments: [keep, position, email.address, email.kind])
                position += 1
            }
            try db.execute(
                sql:
                    "INSERT OR IGNORE INTO company_category (company_id, category_id) SELECT ?, category_id FROM company_category WHERE company_id = ?",
                arguments: [keep, gone])
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO contact_company (contact_id, company_id, title, role_id, start_date, end_date)
                    SELECT contact_id, ?, title, role_id, start_date, end_date FROM contact_company WHERE company_id = ?
                    """, arguments: [keep, gone])
            try db.execute(sql: "DELETE FROM contact_company WHERE company_id = ?", arguments: [gone])
            try db.execute(sql: "UPDATE note SET company_id = ? WHERE company_id = ?", arguments: [keep, gone])
            try db.execute(sql: "UPDATE company_history SET company_id = ? WHERE company_id = ?", arguments: [keep, gone])
            let after = try loadCompany(db, id: keep)!
            try SearchIndex.indexCompany(db, after)
            try History.add(
                db, .company(keep), kind: "merged", actor: headers.actor,
                summary: "\(otherCompany.name) (#\(gone)) merged into this company",
                changes: Self.diff(before, after, names: try ReferenceRules.names(db)))
            try History.add(db, .company(gone), kind: "merged", actor: headers.actor, summary: "Merged into #\(keep)", changes: nil)
            try outbox.append(db, type: ContactsContract.Event.companiesMerged, payload: request)
            try outbox.append(db, type: ContactsContract.Event.companyUpdated, payload: CompanyChanged(company: after))
            try outbox.append(
                db, type: ContactsContract.Event.companyDeleted, payload: CompanyChanged(company: try loadCompany(db, id: gone)!))
            return after
        }
    }

    /// Removes for good the contacts and companies deleted before the retention period, with
    /// everything that hangs on them. A boss's explicit action, never automatic.
    func purge(_ request: PurgeRequest, headers: BusHeaders) async throws -> PurgeReport {
        guard headers.userId == nil || headers.isBoss else { throw BusError.forbidden("only a boss can purge deleted customers") }
        let days = request.retentionDays ?? 90
        guard days >= 1 else { throw BusError.invalid("retention_days must be at least 1") }
        let before = Date().addingTimeInterval(-Double(days) * 86400)
        let work: @Sendable (Database) throws -> PurgeReport = { db in
            let contacts = try Int64.fetchAll(
                db, sql: "SELECT id FROM contact WHERE deleted_at IS NOT NULL AND deleted_at < ?", arguments: [before])
            let companies = try Int64.fetchAll(
                db, sql: "SELECT id FROM company WHERE deleted_at IS NOT NULL AND deleted_at < ?", arguments: [before])
            return PurgeReport(contacts: contacts.count, companies: companies.count, dryRun: request.dryRun == true)
        }
        if request.dryRun == true { return try await database.read(work) }
        return try await database.write { db, outbox in
            let report = try work(db)
            for table in ["contact", "company"] {
                let ids = try Int64.fetchAll(
                    db, sql: "SELECT id FROM \(table) WHERE deleted_at IS NOT NULL AND deleted_at < ?", arguments: [before])
                for id in ids {
                    try SearchIndex.remove(db, table, id: id)
                    try db.execute(
                        sql: "DELETE FROM note_search WHERE rowid IN (SELECT id FROM note WHERE \(table)_id = ?)", arguments: [id])
                    // Foreign keys cascade: phones, e-mails, categories, links, notes, history.
                    try db.execute(sql: "DELETE FROM \(table) WHERE id = ?", arguments: [id])
                }
            }
            try outbox.append(db, type: ContactsContract.Event.purged, payload: report)
            return report
        }
    }

    private static func ids(_ text: String) -> [Int64] { text.split(separator: ",").compactMap { Int64($0) }.sorted() }

    /// A company's name without legal forms, punctuation and case: "ACME A/S" -> "acme".
    static func companyKey(_ name: String) -> String {
        let forms: Set<String> = ["as", "asa", "a/s", "ab", "ltd", "inc", "gmbh", "sa", "ans", "da", "ks", "llc", "plc", "bv", "oy"]
        return name.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "." })
            .map(String.init).filter { !forms.contains($0) }.joined(separator: " ")
            .filter { $0.isLetter || $0.isNumber || $0 == " " }.trimmingCharacters(in: .whitespaces)
    }
}
