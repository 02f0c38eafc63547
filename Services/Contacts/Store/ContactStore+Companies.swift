import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Companies: the company level of the customer database.
extension ContactStore {
    func createCompany(_ input: CompanyInput, headers: BusHeaders, requestId: String) async throws -> Data {
        guard let name = input.name?.trimmed.nilIfEmpty, name.count <= 200 else {
            throw BusError.invalid("a company needs a name of up to 200 characters")
        }
        let checked = try checkCompanyFields(input)
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.createCompany) { db, outbox in
            let access = try Access.of(headers, db)
            try ReferenceRules.checkCompany(
                db, statusId: input.statusId, industryId: input.industryId, sourceId: input.sourceId, categoryIds: input.categoryIds)
            let custom = try FieldRules.customFields(db, appliesTo: "company", current: [:], changes: input.customFields, requireAll: true)
            let now = Date()
            var record = CompanyRecord(
                id: nil, name: name, organisationNumber: checked.organisationNumber, customerNumber: nil,
                kinds: input.kinds ?? ["customer"], statusId: input.statusId, industryId: input.industryId, sourceId: input.sourceId,
                ownerId: access.ownerOnly ?? (input.ownerId == 0 ? nil : input.ownerId) ?? access.userId,
                postalAddress: checked.postal?.nilIfEmpty, visitingAddress: checked.visiting?.nilIfEmpty, city: nil,
                website: checked.website, customFields: custom.isEmpty ? nil : custom, bankDetails: checked.bank?.nilIfEmpty,
                customerSettings: checked.settings?.isEmpty == true ? nil : checked.settings, createdAt: now, updatedAt: now,
                deletedAt: nil)
            record.city = record.visitingAddress?.city ?? record.postalAddress?.city
            if input.assignCustomerNumber == true { record.customerNumber = try CustomerNumbers.next(db) }
            try record.insert(db)
            let id = record.id!
            try replaceCompanyChildren(db, id: id, phones: checked.phones, emails: checked.emails, categoryIds: input.categoryIds)
            let company = try loadCompany(db, id: id)!
            try SearchIndex.indexCompany(db, company)
            try History.add(db, .company(id), kind: "created", actor: headers.actor, summary: "Company \(name) created", changes: nil)
            try outbox.append(db, type: ContactsContract.Event.companyCreated, payload: CompanyChanged(company: company))
            return company
        }
    }

    func updateCompany(_ input: CompanyInput, headers: BusHeaders, requestId: String) async throws -> Data {
        guard let id = input.id else { throw BusError.badRequest("name the company to change by id") }
        if let name = input.name, name.trimmed.isEmpty || name.count > 200 {
            throw BusError.invalid("a company needs a name of up to 200 characters")
        }
        let checked = try checkCompanyFields(input)
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.updateCompany) { db, outbox in
            let access = try Access.of(headers, db)
            guard var record = try CompanyRecord.fetchOne(db, key: id), record.deletedAt == nil, access.sees(owner: record.ownerId),
                let before = try loadCompany(db, id: id)
            else { throw BusError.notFound("company \(id) does not exist") }
            func cleared(_ value: Int64?) -> Int64?? { value.map { $0 == 0 ? nil : $0 } }
            try ReferenceRules.checkCompany(
                db, statusId: cleared(input.statusId) ?? nil, industryId: cleared(input.industryId) ?? nil,
                sourceId: cleared(input.sourceId) ?? nil, categoryIds: input.categoryIds)
            if let name = input.name { record.name = name.trimmed }
            if input.organisationNumber != nil { record.organisationNumber = checked.organisationNumber }
            if let kinds = input.kinds { record.kinds = kinds }
            if let value = cleared(input.statusId) { record.statusId = value }
            if let value = cleared(input.industryId) { record.industryId = value }
            if let value = cleared(input.sourceId) { record.sourceId = value }
            if let owner = cleared(input.ownerId) {
                guard access.ownerOnly == nil else { throw BusError.forbidden("only a boss hands customers to another owner") }
                record.ownerId = owner
            }
            if let postal = checked.postal { record.postalAddress = postal.nilIfEmpty }
            if let visiting = checked.visiting { record.visitingAddress = visiting.nilIfEmpty }
            record.city = record.visitingAddress?.city ?? record.postalAddress?.city
            if input.website != nil { record.website = checked.website }
            if input.customFields != nil {
                let merged = try FieldRules.customFields(
                    db, appliesTo: "company", current: record.customFields ?? [:], changes: input.customFields, requireAll: false)
                record.customFields = merged.isEmpty ? nil : merged
            }
            if let bank = checked.bank { record.bankDetails = bank.nilIfEmpty }
            if let settings = checked.settings { record.customerSettings = settings.isEmpty ? nil : settings }
            if input.assignCustomerNumber == true && record.customerNumber == nil { record.customerNumber = try CustomerNumbers.next(db) }
            record.updatedAt = Date()
            try record.update(db)
            try replaceCompanyChildren(db, id: id, phones: checked.phones, emails: checked.emails, categoryIds: input.categoryIds)
            let after = try loadCompany(db, id: id)!
            let changes = Self.diff(before, after, names: try ReferenceRules.names(db))
            if !changes.isEmpty {
                try SearchIndex.indexCompany(db, after)
                try History.add(
                    db, .company(id), kind: "updated", actor: headers.actor,
                    summary: "Changed " + changes.map(\.field).joined(separator: ", "), changes: changes)
                try outbox.append(
                    db, type: ContactsContract.Event.companyUpdated, payload: CompanyChanged(company: after, changes: changes))
            }
            return after
        }
    }

    /// Soft delete or restore.
    func setCompanyDeleted(id: Int64, deleted: Bool, headers: BusHeaders, requestId: String) async throws -> Data {
        let method = deleted ? ContactsContract.Method.deleteCompany : ContactsContract.Method.restoreCompany
        return try await database.idempotentWrite(requestId: requestId, method: method) { db, outbox in
            guard var record = try CompanyRecord.fetchOne(db, key: id), try Access.of(headers, db).sees(owner: record.ownerId) else {
                throw BusError.notFound("company \(id) does not exist")
            }
            if (record.deletedAt != nil) != deleted {
                record.deletedAt = deleted ? Date() : nil
                record.updatedAt = Date()
                try record.update(db)
                let company = try loadCompany(db, id: id)!
                try History.add(
                    db, .company(id), kind: deleted ? "deleted" : "restored", actor: headers.actor,
                    summary: deleted ? "Company deleted" : "Company restored", changes: nil)
                try outbox.append(
                    db, type: deleted ? ContactsContract.Event.companyDeleted : ContactsContract.Event.companyRestored,
                    payload: CompanyChanged(company: company))
            }
            return try loadCompany(db, id: id)!
        }
    }

    func company(id: Int64, headers: BusHeaders) async throws -> Company {
        try await database.read { db in
            guard let company = try loadCompany(db, id: id), try Access.of(headers, db).sees(owner: company.ownerId) else {
                throw BusError.notFound("company \(id) does not exist")
            }
            return company
        }
    }

    func setCompanyCategories(_ request: SetCategoriesRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        var input = CompanyInput()
        input.id = request.id
        input.categoryIds = request.categoryIds
        return try await updateCompany(input, headers: headers, requestId: requestId)
    }

    // MARK: - Helpers

    struct CompanyFields {
        var organisationNumber: String?
        var postal: Address?
        var visiting: Address?
        var phones: [ContactPhone]?
        var emails: [ContactEmail]?
        var website: String?
        var bank: BankDetails?
        var settings: CustomerSettings?
    }

    private func checkCompanyFields(_ input: CompanyInput) throws -> CompanyFields {
        var fields = CompanyFields()
        if let number = input.organisationNumber?.trimmed.nilIfEmpty {
            guard number.count <= 32, number.allSatisfy({ $0.isLetter || $0.isNumber || " -.".contains($0) }) else {
                throw BusError.invalid("organisation_number '\(number)' is not an organisation number")
            }
            fields.organisationNumber = number
        }
        if let kinds = input.kinds {
            if let wrong = kinds.first(where: { !Company.kindValues.contains($0) }) {
                throw BusError.invalid("kinds are \(Company.kindValues.joined(separator: ", ")), not '\(wrong)'")
            }
        }
        fields.postal = try FieldRules.address(input.postalAddress, field: "postal_address")
        fields.visiting = try FieldRules.address(input.visitingAddress, field: "visiting_address")
        fields.phones = try input.phones.map(normalisePhones)
        fields.emails = try input.emails.map(normaliseEmails)
        fields.website = try FieldRules.website(input.website)
        fields.bank = try FieldRules.bankDetails(input.bankDetails)
        if let settings = input.customerSettings {
            let currency = settings.currency?.trimmed.uppercased().nilIfEmpty
            if let currency, !(currency.count == 3 && currency.allSatisfy(\.isLetter)) {
                throw BusError.invalid("customer_settings.currency must be an ISO 4217 code (NOK), not '\(currency)'")
            }
            if let days = settings.paymentTermsDays, !(0...365).contains(days) {
                throw BusError.invalid("customer_settings.payment_terms_days must be 0 to 365")
            }
            let language = settings.language?.trimmed.lowercased().nilIfEmpty
            if let language, !(language.count == 2 && language.allSatisfy(\.isLetter)) {
                throw BusError.invalid("customer_settings.language must be an ISO 639-1 code (nb, en), not '\(language)'")
            }
            fields.settings = CustomerSettings(currency: currency, paymentTermsDays: settings.paymentTermsDays, language: language)
        }
        return fields
    }

    private func replaceCompanyChildren(
        _ db: Database, id: Int64, phones: [ContactPhone]?, emails: [ContactEmail]?, categoryIds: [Int64]?
    )
        throws
    {
        if let phones {
            try db.execute(sql: "DELETE FROM company_phone WHERE company_id = ?", arguments: [id])
            for (position, phone) in phones.enumerated() {
                try db.execute(
                    sql: "INSERT INTO company_phone (company_id, position, number, e164, kind) VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, position, phone.number, phone.e164, phone.kind])
            }
        }
        if let emails {
            try db.execute(sql: "DELETE FROM company_email WHERE company_id = ?", arguments: [id])
            for (position, email) in emails.enumerated() {
                try db.execute(
                    sql: "INSERT INTO company_email (company_id, position, address, kind) VALUES (?, ?, ?, ?)",
                    arguments: [id, position, email.address, email.kind])
            }
        }
        if let categoryIds {
            try db.execute(sql: "DELETE FROM company_category WHERE company_id = ?", arguments: [id])
            for category in categoryIds {
                try db.execute(sql: "INSERT INTO company_category (company_id, category_id) VALUES (?, ?)", arguments: [id, category])
            }
        }
    }

    static func diff(_ before: Company, _ after: Company, names: [Int64: String]) -> [FieldChange] {
        var changes = FieldChanges(names: names)
        changes.compare("name", before.name, after.name)
        changes.compare("organisation_number", before.organisationNumber, after.organisationNumber)
        changes.compare("customer_number", before.customerNumber.map { String($0) }, after.customerNumber.map { String($0) })
        changes.compare("kinds", before.kinds.joined(separator: ", "), after.kinds.joined(separator: ", "))
        changes.reference("status", before.statusId, after.statusId)
        changes.reference("industry", before.industryId, after.industryId)
        changes.reference("source", before.sourceId, after.sourceId)
        changes.references("categories", before.categoryIds, after.categoryIds)
        changes.compare("owner_id", before.ownerId.map { String($0) }, after.ownerId.map { String($0) })
        changes.json("postal_address", before.postalAddress, after.postalAddress)
        changes.json("visiting_address", before.visitingAddress, after.visitingAddress)
        changes.compare("phones", before.phones.map(\.number).joined(separator: ", "), after.phones.map(\.number).joined(separator: ", "))
        changes.compare("emails", before.emails.map(\.address).joined(separator: ", "), after.emails.map(\.address).joined(separator: ", "))
        changes.compare("website", before.website, after.website)
        changes.json("custom_fields", before.customFields, after.customFields)
        changes.json("bank_details", before.bankDetails, after.bankDetails)
        changes.json("customer_settings", before.customerSettings, after.customerSettings)
        return changes.list
    }
}

extension Address {
    /// nil for an empty address (`{}` clears).
    var nilIfEmpty: Address? { isEmpty ? nil : self }
}

extension BankDetails {
    var nilIfEmpty: BankDetails? { isEmpty ? nil : self }
}
