import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// The contacts service's data: contacts and companies with their phones, e-mails, categories,
/// links and history. Every change writes its history entry, its search index row and its event
/// in the same transaction. Contacts live here; companies, links, lists and history in the
/// `ContactStore+*.swift` files.
struct ContactStore: Sendable {
    let database: ServiceDatabase
    let phones: PhoneNormalizer
    /// Builds the search rows big imports leave behind; the contacts service runs it as one of
    /// its services, so it stops with them.
    let backlog: SearchBacklogDrainer
    /// Telephony's log, for a person's export.
    let calls: any PersonCalls
    /// The file areas' folder (`FileStore`), where an imported card's picture is put; without
    /// one, pictures are not imported.
    let filesDirectory: String?

    init(database: ServiceDatabase, phones: PhoneNormalizer, calls: any PersonCalls = NoTelephony(), filesDirectory: String? = nil) {
        self.database = database
        self.phones = phones
        self.calls = calls
        self.filesDirectory = filesDirectory
        backlog = SearchBacklogDrainer(database: database)
    }

    // MARK: - Contacts

    func create(_ request: CreateContactRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let input = try validate(
            firstName: request.firstName ?? "", lastName: request.lastName ?? "",
            phones: request.phones ?? [], emails: request.emails ?? [])
        let title = request.title?.trimmed.nilIfEmpty
        let address = try FieldRules.address(request.address, field: "address")
        let birthday = try FieldRules.date(request.birthday, field: "birthday")
        let bank = try FieldRules.bankDetails(request.bankDetails)
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.create) { db, outbox in
            let access = try Access.of(headers, db)
            try ReferenceRules.check(db, sourceId: request.sourceId, roleId: request.roleId, categoryIds: request.categoryIds)
            let custom = try FieldRules.customFields(
                db, appliesTo: "contact", current: [:], changes: request.customFields, requireAll: true)
            let now = Date()
            var record = ContactRecord(
                id: nil, firstName: input.firstName, lastName: input.lastName, title: title,
                sourceId: request.sourceId, roleId: request.roleId, createdAt: now, updatedAt: now, deletedAt: nil)
            record.address = address?.isEmpty == true ? nil : address
            record.city = record.address?.city
            record.birthday = birthday
            // A user who cannot see others' cards owns what they create (else it would vanish for them).
            record.ownerId = access.ownerOnly ?? (request.ownerId == 0 ? nil : request.ownerId) ?? access.userId
            record.customFields = custom.isEmpty ? nil : custom
            record.bankDetails = bank?.isEmpty == true ? nil : bank
            if request.consumer == true {
                record.consumer = true
                record.customerNumber = try CustomerNumbers.next(db)
            }
            try record.insert(db)
            let id = record.id!
            try replaceChildren(db, contactId: id, phones: input.phones, emails: input.emails)
            try ReferenceRules.replaceCategories(db, contactId: id, request.categoryIds)
            let contact = try loadContact(db, id: id)!
            try SearchIndex.indexContact(db, contact)
            try History.add(
                db, .contact(id), kind: "created", actor: headers.actor, summary: "Contact \(contact.displayName) created",
                changes: nil)
            try outbox.append(db, type: ContactsContract.Event.created, payload: ContactChanged(contact: contact))
            return contact
        }
    }

    func update(_ request: UpdateContactRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let phoneInput = try request.phones.map { try normalisePhones($0) }
        let emailInput = try request.emails.map { try normaliseEmails($0) }
        let address = try FieldRules.address(request.address, field: "address")
        let birthday = try request.birthday.map { try FieldRules.date($0, field: "birthday") }
        let bank = try FieldRules.bankDetails(request.bankDetails)
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.update) { db, outbox in
            try applyUpdate(
                db, outbox, request, headers: headers, phones: phoneInput, emails: emailInput, address: address, birthday: birthday,
                bank: bank)
        }
    }

    /// "Link to a contact" from the call log: the number joins the contact's phones in the same
    /// transaction that reads them, so no concurrent change is lost; `if_updated_at` refuses
    /// (409) when the contact changed since the caller looked. A number it already has changes
    /// nothing. Telephony links the number's calls when the `contact.updated` event arrives.
    func addPhone(_ request: AddPhoneRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let added = try normalisePhones([PhoneInput(number: request.number, kind: request.kind ?? "work")])
        return try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.addPhone) { db, outbox in
            // The contact is named in the body, not the path: one that does not exist is a conflict (ADR 008).
            guard let current = try loadContact(db, id: request.contactId), current.deletedAt == nil,
                try Access.of(headers, db).sees(owner: current.ownerId)
            else {
                throw BusError.conflict("contact \(request.contactId) does not exist")
            }
            if let seen = request.ifUpdatedAt, Timestamp.string(from: seen) != Timestamp.string(from: current.updatedAt) {
                throw BusError.conflict(
                    "contact \(request.contactId) changed at \(Timestamp.string(from: current.updatedAt)), after the version given "
                        + "(\(Timestamp.string(from: seen))); read it again and retry")
            }
            let known = Set(current.phones.map { $0.e164 ?? $0.number })
            guard let phone = added.first, !known.contains(phone.e164 ?? phone.number) else { return current }
            let phones = current.phones + [phone]
            return try applyUpdate(
                db, outbox, UpdateContactRequest(id: request.contactId), headers: headers, phones: phones, emails: nil, address: nil,
                birthday: nil, bank: nil)
        }
    }

    /// A contact's change inside a write transaction, the inputs already checked: the record,
    /// its children, search row, history entry and `contact.updated` event together.
    private func applyUpdate(
        _ db: Database, _ outbox: Outbox, _ request: UpdateContactRequest, headers: BusHeaders, phones phoneInput: [ContactPhone]?,
        emails emailInput: [ContactEmail]?, address: Address?, birthday: String??, bank: BankDetails?
    ) throws -> Contact {
        let access = try Access.of(headers, db)
        guard var record = try ContactRecord.fetchOne(db, key: request.id), record.deletedAt == nil,
            access.sees(owner: record.ownerId), let before = try loadContact(db, id: request.id)
        else {
            throw BusError.notFound("contact \(request.id) does not exist")
        }
        if record.anonymizedAt != nil { throw BusError.conflict("contact \(request.id) was anonymised and cannot be changed") }
        if let value = request.firstName { record.firstName = value.trimmed }
        if let value = request.lastName { record.lastName = value.trimmed }
        if let value = request.title { record.title = value.trimmed.nilIfEmpty }
        if record.firstName.isEmpty && record.lastName.isEmpty {
            // The change and the stored names together leave none: 409, as the document cannot say it.
            throw BusError.conflict("a contact needs a first or a last name")
        }
        let sourceId = request.sourceId.map { $0 == 0 ? nil : $0 }, roleId = request.roleId.map { $0 == 0 ? nil : $0 }
        try ReferenceRules.check(db, sourceId: sourceId ?? nil, roleId: roleId ?? nil, categoryIds: request.categoryIds)
        if let sourceId { record.sourceId = sourceId }
        if let roleId { record.roleId = roleId }
        if let address {
            record.address = address.isEmpty ? nil : address
            record.city = record.address?.city
        }
        if let birthday { record.birthday = birthday }
        if let bank { record.bankDetails = bank.isEmpty ? nil : bank }
        if let owner = request.ownerId {
            guard access.ownerOnly == nil else { throw BusError.forbidden("only a boss hands customers to another owner") }
            record.ownerId = owner == 0 ? nil : owner
        }
        if request.customFields != nil {
            let merged = try FieldRules.customFields(
                db, appliesTo: "contact", current: record.customFields ?? [:], changes: request.customFields, requireAll: false)
            record.customFields = merged.isEmpty ? nil : merged
        }
        if request.consumer == true && record.customerNumber == nil { record.customerNumber = try CustomerNumbers.next(db) }
        if let consumer = request.consumer { record.consumer = consumer }
        if let picture = request.pictureFileId {
            if picture != 0 {
                // The picture comes from the contact's own file area, and is an image.
                let type = try String.fetchOne(
                    db, sql: "SELECT content_type FROM stored_file WHERE id = ? AND contact_id = ?", arguments: [picture, request.id])
                guard let type, type.hasPrefix("image/") else {
                    throw BusError.conflict("picture_file_id must be an image in the contact's file area")
                }
            }
            record.pictureFileId = picture == 0 ? nil : picture
        }
        record.updatedAt = Date()
        try record.update(db)
        try replaceChildren(db, contactId: request.id, phones: phoneInput, emails: emailInput)
        try ReferenceRules.replaceCategories(db, contactId: request.id, request.categoryIds)
        let after = try loadContact(db, id: request.id)!
        let changes = try Self.diff(before, after, names: ReferenceRules.names(db))
        if !changes.isEmpty {
            try SearchIndex.indexContact(db, after)
            try History.add(
                db, .contact(request.id), kind: "updated", actor: headers.actor,
                summary: "Changed " + changes.map(\.field).joined(separator: ", "), changes: changes)
            try outbox.append(db, type: ContactsContract.Event.updated, payload: ContactChanged(contact: after, changes: changes))
        }
        return after
    }

    /// Soft delete: the contact is kept (with its links, notes and files) until restored or purged.
    func delete(id: Int64, headers: BusHeaders, requestId: String) async throws -> Data {
        try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.delete) { db, outbox in
            let access = try Access.of(headers, db)
            guard var record = try ContactRecord.fetchOne(db, key: id), access.sees(owner: record.ownerId) else {
                throw BusError.notFound("contact \(id) does not exist")
            }
            if record.deletedAt == nil {
                record.deletedAt = Date()
                record.updatedAt = record.deletedAt!
                try record.update(db)
                try History.add(db, .contact(id), kind: "deleted", actor: headers.actor, summary: "Contact deleted", changes: nil)
                try outbox.append(db, type: ContactsContract.Event.deleted, payload: ContactDeleted(contactId: id))
            }
            return try loadContact(db, id: id)!
        }
    }

    /// Brings a deleted contact back, with everything it had.
    func restore(id: Int64, headers: BusHeaders, requestId: String) async throws -> Data {
        try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.restore) { db, outbox in
            let access = try Access.of(headers, db)
            guard var record = try ContactRecord.fetchOne(db, key: id), access.sees(owner: record.ownerId) else {
                throw BusError.notFound("contact \(id) does not exist")
            }
            if record.deletedAt != nil {
                record.deletedAt = nil
                record.updatedAt = Date()
                try record.update(db)
                let contact = try loadContact(db, id: id)!
                try History.add(db, .contact(id), kind: "restored", actor: headers.actor, summary: "Contact restored", changes: nil)
                try outbox.append(db, type: ContactsContract.Event.restored, payload: ContactChanged(contact: contact))
            }
            return try loadContact(db, id: id)!
        }
    }

    /// "Choose categories": the contact's categories become exactly these.
    func setCategories(_ request: SetCategoriesRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        var update = UpdateContactRequest(id: request.id)
        update.categoryIds = request.categoryIds
        return try await self.update(update, headers: headers, requestId: requestId)
    }

    func get(id: Int64, headers: BusHeaders) async throws -> Contact {
        try await database.read { db in
            guard let contact = try loadContact(db, id: id), try Access.of(headers, db).sees(owner: contact.ownerId) else {
                throw BusError.notFound("contact \(id) does not exist")
            }
            return contact
        }
    }

    /// Moves or clears every use of a reference item, in one transaction (settings asks, when
    /// an item is deleted with a replacement, or for "move customers").
    func moveReference(_ request: ReferenceMoveRequest, actor: String?, requestId: String) async throws -> Data {
        try await database.idempotentWrite(requestId: requestId, method: ContactsContract.Method.referenceMove) { db, outbox in
            if let to = request.to {
                guard
                    try Row.fetchOne(
                        db, sql: "SELECT 1 FROM reference_item WHERE id = ? AND kind = ?", arguments: [to, request.kind.rawValue]) != nil
                else { throw BusError.invalid("\(request.kind.itemName) \(to) is not known to the contacts service (yet)") }
            }
            let count = try ReferenceRules.move(db, outbox, kind: request.kind, from: request.from, to: request.to, actor: actor)
            return ReferenceCount(count: count)
        }
    }

    func referenceUsage(kind: ReferenceKind, id: Int64) async throws -> ReferenceCount {
        ReferenceCount(count: try await database.read { db in try ReferenceRules.count(db, kind: kind, id: id) })
    }

    // MARK: - Helpers

    struct ValidInput: Sendable {
        var firstName: String
        var lastName: String
        var phones: [ContactPhone]
        var emails: [ContactEmail]
    }

    func validate(firstName: String, lastName: String, phones: [PhoneInput], emails: [EmailInput]) throws -> ValidInput {
        let first = firstName.trimmed, last = lastName.trimmed
        guard !(first.isEmpty && last.isEmpty) else { throw BusError.invalid("a contact needs a first or a last name") }
        guard first.count <= 200, last.count <= 200 else { throw BusError.invalid("names are limited to 200 characters") }
        return ValidInput(firstName: first, lastName: last, phones: try normalisePhones(phones), emails: try normaliseEmails(emails))
    }

    func normalisePhones(_ input: [PhoneInput]) throws -> [ContactPhone] {
        guard input.count <= 20 else { throw BusError.invalid("at most 20 phone numbers") }
        return try input.enumerated().map { index, phone in
            let number = phone.number.trimmed
            guard !number.isEmpty, number.count <= 64 else {
                throw BusError.invalid("phones[\(index)]: the number is empty or longer than 64 characters")
            }
            let kind = (phone.kind ?? "mobile").lowercased()
            guard ["mobile", "work", "home", "fax", "other"].contains(kind) else {
                throw BusError.invalid("phones[\(index)]: kind '\(kind)' is not mobile, work, home, fax or other")
            }
            return ContactPhone(number: number, e164: phones.e164(number), kind: kind)
        }
    }

    func normaliseEmails(_ input: [EmailInput]) throws -> [ContactEmail] {
        guard input.count <= 20 else { throw BusError.invalid("at most 20 e-mail addresses") }
        return try input.enumerated().map { index, email in
            let address = email.address.trimmed
            // By bytes, as imports judge them: an "@" that a combining mark follows is one Swift
            // Character with it, and a split by Characters did not see it (found by schemathesis).
            guard Importer.looksLikeEmail(address), address.unicodeScalars.count <= 254 else {
                throw BusError.invalid("emails[\(index)]: '\(address)' is not an e-mail address")
            }
            let kind = (email.kind ?? "work").lowercased()
            guard ["work", "home", "other"].contains(kind) else {
                throw BusError.invalid("emails[\(index)]: kind '\(kind)' is not work, home or other")
            }
            return ContactEmail(address: address, kind: kind)
        }
    }

    private func replaceChildren(_ db: Database, contactId: Int64, phones: [ContactPhone]?, emails: [ContactEmail]?) throws {
        if let phones {
            try PhoneRecord.filter(PhoneRecord.Columns.contactId == contactId).deleteAll(db)
            for (position, phone) in phones.enumerated() {
                try PhoneRecord(
                    contactId: contactId, position: position, number: phone.number, e164: phone.e164,
                    kind: phone.kind
                ).insert(db)
            }
        }
        if let emails {
            try EmailRecord.filter(EmailRecord.Columns.contactId == contactId).deleteAll(db)
            for (position, email) in emails.enumerated() {
                try EmailRecord(contactId: contactId, position: position, address: email.address, kind: email.kind).insert(db)
            }
        }
    }

    static func diff(_ before: Contact, _ after: Contact, names: [Int64: String] = [:]) -> [FieldChange] {
        var changes = FieldChanges(names: names)
        changes.compare("first_name", before.firstName, after.firstName)
        changes.compare("last_name", before.lastName, after.lastName)
        changes.compare("title", before.title, after.title)
        changes.compare("phones", before.phones.map(\.number).joined(separator: ", "), after.phones.map(\.number).joined(separator: ", "))
        changes.compare("emails", before.emails.map(\.address).joined(separator: ", "), after.emails.map(\.address).joined(separator: ", "))
        changes.reference("source", before.sourceId, after.sourceId)
        changes.reference("role", before.roleId, after.roleId)
        changes.references("categories", before.categoryIds, after.categoryIds)
        changes.json("address", before.address, after.address)
        changes.compare("birthday", before.birthday, after.birthday)
        changes.compare("owner_id", before.ownerId.map { String($0) }, after.ownerId.map { String($0) })
        changes.json("custom_fields", before.customFields, after.customFields)
        changes.json("bank_details", before.bankDetails, after.bankDetails)
        changes.compare("consumer", String(before.consumer), String(after.consumer))
        changes.compare("customer_number", before.customerNumber.map { String($0) }, after.customerNumber.map { String($0) })
        changes.compare("picture_file_id", before.pictureFileId.map { String($0) }, after.pictureFileId.map { String($0) })
        return changes.list
    }
}

/// Reads one contact with its phones, e-mails and categories.
func loadContact(_ db: Database, id: Int64) throws -> Contact? {
    try BatchLoad.contacts(db, ids: [id]).first
}

/// The one sequence customer numbers come from, shared by companies and consumers.
enum CustomerNumbers {
    /// The next number (10001, 10002, ...): a row in an AUTOINCREMENT table, so a number is never
    /// given twice, even after the record holding it is deleted.
    static func next(_ db: Database) throws -> Int64 {
        try db.execute(sql: "INSERT INTO customer_number_sequence (assigned_at) VALUES (?)", arguments: [DatabaseDate.string(Date())])
        return 10_000 + db.lastInsertedRowID
    }
}

/// Collects the fields that differ between two versions, for history entries and events.
struct FieldChanges {
    let names: [Int64: String]
    private(set) var list: [FieldChange] = []

    init(names: [Int64: String]) { self.names = names }

    mutating func compare(_ field: String, _ old: String?, _ new: String?) {
        if old != new { list.append(FieldChange(field: field, before: old, after: new)) }
    }

    mutating func reference(_ field: String, _ old: Int64?, _ new: Int64?) {
        compare(field, old.map(name), new.map(name))
    }

    mutating func references(_ field: String, _ old: [Int64], _ new: [Int64]) {
        compare(field, old.map(name).joined(separator: ", ").nilIfEmpty, new.map(name).joined(separator: ", ").nilIfEmpty)
    }

    mutating func json<T: Encodable & Equatable>(_ field: String, _ old: T?, _ new: T?) {
        guard old != new else { return }
        func text(_ value: T?) -> String? { value.flatMap { try? Wire.encode($0) }.map { String(decoding: $0, as: UTF8.self) } }
        list.append(FieldChange(field: field, before: text(old), after: text(new)))
    }

    private func name(_ id: Int64) -> String { names[id] ?? "#\(id)" }
}
