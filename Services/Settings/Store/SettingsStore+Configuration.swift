import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Configuration: search fields, GDPR, visibility. Each section is read and replaced whole.
extension SettingsStore {
    /// The fields search can offer (custom fields' keys are accepted too).
    static let searchableFields = Set(SettingsContract.searchableFields)
    /// Contact fields GDPR anonymisation may scrub besides the name.
    static let personalFields = Set(SettingsContract.personalFields)

    func configuration() async throws -> [String: JSONValue] {
        try await database.read { db in
            var sections: [String: JSONValue] = [:]
            for section in ConfigurationSection.allCases { sections[section.rawValue] = try Self.section(db, section) }
            return sections
        }
    }

    func configuration(_ section: ConfigurationSection) async throws -> JSONValue {
        try await database.read { db in try Self.section(db, section) }
    }

    static func section(_ db: Database, _ section: ConfigurationSection) throws -> JSONValue {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM configuration WHERE section = ?", arguments: [section.rawValue])
        else { throw BusError.notFound("the \(section.rawValue) configuration is missing") }
        return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    func setConfiguration(_ request: ConfigurationRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        guard let section = request.section else { throw BusError.invalid("name the section: search, gdpr or visibility") }
        guard let value = request.value else { throw BusError.invalid("give the section's new value") }
        let checked = try await check(section, value)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.setConfiguration) { db, outbox in
            let before = try? Self.section(db, section)
            try Self.storeSection(db, section, checked)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.configurationUpdated, entity: "configuration", kind: section.rawValue,
                id: nil, actor: headers.actor, before: before, after: checked)
            return checked
        }
    }

    static func storeSection(_ db: Database, _ section: ConfigurationSection, _ value: JSONValue) throws {
        try db.execute(
            sql: """
                INSERT INTO configuration (section, value, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(section) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """,
            arguments: [section.rawValue, String(decoding: try Wire.encode(value), as: UTF8.self), DatabaseDate.string(Date())])
    }

    /// Reads the value as the section's type, refusing what it cannot be, and answers it in its
    /// stored form.
    private func check(_ section: ConfigurationSection, _ value: JSONValue) async throws -> JSONValue {
        do {
            switch section {
            case .search:
                let search = try value.decode(SearchConfiguration.self)
                let customKeys = Set(try await listFields(ListFieldsRequest()).map(\.key))
                var seen = Set<String>()
                for field in search.fields {
                    guard Self.searchableFields.contains(field.field) || customKeys.contains(field.field) else {
                        // Custom fields' keys count, so this depends on what is stored: 409.
                        throw BusError.conflict("'\(field.field)' is not a field search can use")
                    }
                    guard ["dropdown", "text"].contains(field.mode) else {
                        throw BusError.invalid("a search field is offered as dropdown or text, not '\(field.mode)'")
                    }
                    guard seen.insert(field.field).inserted else { throw BusError.conflict("'\(field.field)' is listed twice") }
                }
                return try JSONValue.of(search)
            case .gdpr:
                let gdpr = try value.decode(GDPRConfiguration.self)
                if let unknown = gdpr.anonymizeFields.first(where: { !Self.personalFields.contains($0) }) {
                    throw BusError.invalid(
                        "'\(unknown)' is not a contact field anonymisation knows; use \(Self.personalFields.sorted().joined(separator: ", "))"
                    )
                }
                guard (1...36500).contains(gdpr.reviewAfterDays) else {
                    throw BusError.invalid("review_after_days must be between 1 and 36500")
                }
                return try JSONValue.of(
                    GDPRConfiguration(anonymizeFields: Array(Set(gdpr.anonymizeFields)).sorted(), reviewAfterDays: gdpr.reviewAfterDays))
            case .visibility:
                return try JSONValue.of(try value.decode(VisibilityConfiguration.self))
            }
        } catch let error as DecodingError {
            throw BusError.invalid("the \(section.rawValue) configuration is not right: \(BusWorker.describe(error))")
        }
    }
}
