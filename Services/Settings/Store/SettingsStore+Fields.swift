import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Additional-information fields (custom fields) of companies and contacts.
extension SettingsStore {
    func listFields(_ request: ListFieldsRequest) async throws -> [CustomField] {
        if let appliesTo = request.appliesTo { try Self.checkFieldTarget(appliesTo) }
        return try await database.read { db in
            var query = CustomField.order(Column("applies_to"), Column("sort_order"), Column("label"))
            if let appliesTo = request.appliesTo { query = query.filter(Column("applies_to") == appliesTo) }
            if let active = request.active { query = query.filter(Column("active") == active) }
            return try query.fetchAll(db)
        }
    }

    func field(id: Int64) async throws -> CustomField {
        try await database.read { db in try Self.field(db, id: id) }
    }

    static func field(_ db: Database, id: Int64) throws -> CustomField {
        guard let field = try CustomField.fetchOne(db, key: id) else { throw BusError.notFound("field \(id) does not exist") }
        return field
    }

    func createField(_ request: CreateFieldRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        try Self.checkFieldTarget(request.appliesTo)
        let label = try Self.checkFieldLabel(request.label)
        guard CustomField.types.contains(request.type) else {
            throw BusError.invalid("a field's type is one of \(CustomField.types.joined(separator: ", ")), not '\(request.type)'")
        }
        let key = try request.key.map(Self.checkFieldKey) ?? Self.fieldKey(fromLabel: label)
        let options = try Self.checkOptions(request.options ?? [], type: request.type)
        try Self.checkSortOrder(request.sortOrder)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.createField) { db, outbox in
            if try CustomField.filter(Column("applies_to") == request.appliesTo && Column("key") == key).fetchCount(db) > 0 {
                throw BusError.conflict("\(request.appliesTo) fields already have one with the key '\(key)'")
            }
            let now = Date()
            let sortOrder =
                try request.sortOrder
                ?? Self.sortOrder(
                    after: Int.fetchOne(
                        db, sql: "SELECT MAX(sort_order) FROM custom_field WHERE applies_to = ?", arguments: [request.appliesTo]))
            let field = CustomField(
                id: try db.nextId("custom_field"), appliesTo: request.appliesTo, key: key, label: label, type: request.type,
                options: options, required: request.required ?? false, ownTab: request.ownTab ?? false, sortOrder: sortOrder,
                active: request.active ?? true, createdAt: now, updatedAt: now)
            try field.insert(db)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.fieldCreated, entity: "custom_field", id: field.id, actor: headers.actor,
                before: nil, after: snapshot(field))
            return field
        }
    }

    func updateField(_ request: UpdateFieldRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        let label = try request.label.map(Self.checkFieldLabel)
        try Self.checkSortOrder(request.sortOrder)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.updateField) { db, outbox in
            let before = try Self.field(db, id: request.id)
            var field = before
            if let label { field.label = label }
            if let options = request.options {
                // Options against the stored type: the change alone cannot say (409, ADR 008).
                field.options = try BusError.recoding(.invalid, as: .conflict) { try Self.checkOptions(options, type: field.type) }
            }
            if let required = request.required { field.required = required }
            if let ownTab = request.ownTab { field.ownTab = ownTab }
            if let sortOrder = request.sortOrder { field.sortOrder = sortOrder }
            if let active = request.active { field.active = active }
            guard field != before else { return field }
            field.updatedAt = Date()
            try field.update(db)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.fieldUpdated, entity: "custom_field", id: field.id, actor: headers.actor,
                before: snapshot(before), after: snapshot(field))
            return field
        }
    }

    func deleteField(id: Int64, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.deleteField) { db, outbox in
            let field = try Self.field(db, id: id)
            try field.delete(db)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.fieldDeleted, entity: "custom_field", id: id, actor: headers.actor,
                before: snapshot(field), after: nil)
            return Done()
        }
    }

    // MARK: - Validation

    static func checkFieldTarget(_ appliesTo: String) throws {
        guard ["company", "contact"].contains(appliesTo) else {
            throw BusError.invalid("a field applies to company or contact, not '\(appliesTo)'")
        }
    }

    static func checkFieldLabel(_ raw: String) throws -> String {
        guard let label = raw.trimmed.nilIfEmpty, label.count <= 100 else {
            throw BusError.invalid("a field needs a label of up to 100 characters")
        }
        return label
    }

    /// The key of a field created without one: from its label where the label gives one,
    /// `field_...` otherwise (a label of digits or of other scripts than Latin).
    static func fieldKey(fromLabel label: String) -> String {
        if let key = try? checkFieldKey(label) { return key }
        let digits = label.unicodeScalars.filter { $0.isASCII && CharacterSet.alphanumerics.contains($0) }.prefix(58)
        return digits.isEmpty ? "field" : "field_" + String(String.UnicodeScalarView(digits)).lowercased()
    }

    /// A key as given: `Origin of contact` -> `origin_of_contact`.
    static func checkFieldKey(_ raw: String) throws -> String {
        var key = ""
        for character in raw.trimmed.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                key.append(character)
            } else if !key.isEmpty && key.last != "_" {
                key.append("_")
            }
        }
        while key.hasSuffix("_") { key.removeLast() }
        guard !key.isEmpty, key.count <= 64, key.first!.isLetter else {
            throw BusError.invalid("a field key is letters, digits and '_', starting with a letter ('\(raw)' gives none)")
        }
        return key
    }

    static func checkOptions(_ options: [String], type: String) throws -> [String] {
        let cleaned = options.map(\.trimmed).filter { !$0.isEmpty }
        let isChoice = type == "choice" || type == "multiple_choice"
        if isChoice && cleaned.isEmpty { throw BusError.invalid("a \(type) field needs its options") }
        if !isChoice && !cleaned.isEmpty { throw BusError.invalid("only choice fields have options") }
        guard Set(cleaned.map { $0.lowercased() }).count == cleaned.count else { throw BusError.conflict("an option is listed twice") }
        return cleaned
    }
}
