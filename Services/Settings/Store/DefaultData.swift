import Contracts
import Foundation
import GRDB
import Logging
import Storage

/// What a new installation starts with: the administrator and the default reference data. The
/// defaults are ordinary data (editable, deletable), except the four locked sales statuses.
enum DefaultData {
    static let reference: [(ReferenceKind, [String])] = [
        (.sources, ["Web site", "Referral", "Trade fair", "Cold call", "Advertisement", "Social media"]),
        (
            .industries,
            ["Consulting", "Finance", "Healthcare", "Manufacturing", "Public sector", "Retail", "Technology", "Telecommunications"]
        ),
        (.roles, ["General Manager", "Finance Manager", "Sales Manager", "Purchasing Manager", "IT Manager", "Consultant", "Assistant"]),
        (.companyStatuses, ["Active", "Inactive", "Bankrupt", "Merged", "Dissolved"]),
        (.taskCategories, ["Call", "Meeting", "E-mail", "Follow-up", "To-do"]),
        (.salesCategories, ["New business", "Upsell", "Renewal"]),
        (.salesStages, ["Lead", "Qualified", "Proposal", "Negotiation", "Closing"]),
        (.winReasons, ["Price", "Product fit", "Relationship", "Delivery time"]),
        (.lossReasons, ["Price", "Competitor", "No decision", "Product fit", "Timing"]),
    ]
    /// Categories with what they apply to (ImCRM's contact groups are contact categories).
    static let categories: [(String, String, String)] = [
        ("Gold client", "contact", "#D4AF37"), ("VIP", "contact", "#8E44AD"), ("Key account", "company", "#1E90FF"),
        ("Newsletter", "both", "#27AE60"),
    ]
    /// The fixed sales statuses: locked, so they cannot be deleted.
    static let salesStatuses = ["In progress", "Won", "Postponed", "Lost"]

    /// Seeds an empty database; does nothing once any user exists. Answers the generated admin
    /// password, if one was generated.
    static func seedIfEmpty(
        _ database: ServiceDatabase, adminPasswordHash: @Sendable () async -> (hash: String, generated: String?)
    ) async throws -> (seeded: Bool, generated: String?) {
        let empty = try await database.read { db in try User.fetchCount(db) == 0 }
        guard empty else { return (false, nil) }
        let admin = await adminPasswordHash()
        let seeded = try await database.write { db, outbox -> Bool in
            guard try User.fetchCount(db) == 0 else { return false }
            try seed(db, outbox, adminHash: admin.hash)
            return true
        }
        return (seeded, seeded ? admin.generated : nil)
    }

    static func seed(_ db: Database, _ outbox: Outbox, adminHash: String) throws {
        let now = Date()
        let admin = User(
            id: try db.nextId("user"), username: "admin", name: "Administrator", email: nil, phone: nil, extensionNumber: nil,
            rank: .boss, active: true, createdAt: now, updatedAt: now, passwordChangedAt: nil)
        try admin.insert(db)
        try db.execute(sql: "UPDATE user SET password_hash = ? WHERE id = ?", arguments: [adminHash, admin.id])
        try SettingsStore.recordChange(
            db, outbox, event: SettingsContract.Event.userCreated, entity: "user", id: admin.id, actor: "system", before: nil,
            after: snapshot(admin))

        func add(
            _ kind: ReferenceKind, _ name: String, position: Int, appliesTo: String? = nil, colour: String? = nil, locked: Bool = false
        )
            throws
        {
            let item = ReferenceItem(
                id: try db.nextId("reference_item"), kind: kind, name: name, colour: colour, sortOrder: (position + 1) * 10,
                active: true, locked: locked, appliesTo: appliesTo, createdAt: now, updatedAt: now)
            try item.insert(db)
            try SettingsStore.recordChange(
                db, outbox, event: SettingsContract.Event.referenceCreated, entity: "reference", kind: kind.rawValue, id: item.id,
                actor: "system", before: nil, after: snapshot(item))
        }
        for (position, category) in categories.enumerated() {
            try add(.categories, category.0, position: position, appliesTo: category.1, colour: category.2)
        }
        for (kind, names) in reference {
            for (position, name) in names.enumerated() { try add(kind, name, position: position) }
        }
        for (position, name) in salesStatuses.enumerated() { try add(.salesStatuses, name, position: position, locked: true) }

        let process = ProcessRecord(
            id: try db.nextId("crm_process"), name: "Sales", isDefault: true, subjectLabels: nil, weightLabels: nil,
            createdAt: now, updatedAt: now)
        try process.insert(db)
        try SettingsStore.storeStatuses(
            db, processId: process.id,
            [
                ProcessStatus(id: nil, name: "Prospect", probability: 10, final: nil),
                ProcessStatus(id: nil, name: "Offer", probability: 50, final: nil),
                ProcessStatus(id: nil, name: "Order", probability: 100, final: "won"),
                ProcessStatus(id: nil, name: "Lost", probability: 0, final: "lost"),
            ])
        try SettingsStore.recordChange(
            db, outbox, event: SettingsContract.Event.processCreated, entity: "process", id: process.id, actor: "system",
            before: nil, after: snapshot(try SettingsStore.loadProcess(db, id: process.id)))

        let fields: [(String, String, String, [String])] = [
            ("origin_of_contact", "Origin of contact", "choice", ["Web site", "Phone", "E-mail", "Referral", "Trade fair"]),
            ("products_of_interest", "Products of interest", "multiple_choice", ["Products", "Services", "Support", "Training"]),
            ("source", "Source", "text", []),
        ]
        for (position, field) in fields.enumerated() {
            let record = CustomField(
                id: try db.nextId("custom_field"), appliesTo: "contact", key: field.0, label: field.1, type: field.2,
                options: field.3, required: false, ownTab: false, sortOrder: (position + 1) * 10, active: true, createdAt: now,
                updatedAt: now)
            try record.insert(db)
            try SettingsStore.recordChange(
                db, outbox, event: SettingsContract.Event.fieldCreated, entity: "custom_field", id: record.id, actor: "system",
                before: nil, after: snapshot(record))
        }

        let sections: [(ConfigurationSection, JSONValue)] = [
            (
                .search,
                try JSONValue.of(
                    SearchConfiguration(fields: [
                        .init(field: "name", mode: "text"), .init(field: "email", mode: "text"), .init(field: "phone", mode: "text"),
                        .init(field: "city", mode: "dropdown"), .init(field: "category", mode: "dropdown"),
                        .init(field: "industry", mode: "dropdown"), .init(field: "status", mode: "dropdown"),
                        .init(field: "owner", mode: "dropdown"),
                    ]))
            ),
            (
                .gdpr,
                try JSONValue.of(
                    GDPRConfiguration(
                        anonymizeFields: ["address", "bank_details", "birthday", "emails", "phones", "picture", "title"],
                        reviewAfterDays: 730))
            ),
            (.visibility, try JSONValue.of(VisibilityConfiguration(sharedCustomerCards: true))),
        ]
        for (section, value) in sections {
            try SettingsStore.storeSection(db, section, value)
            try SettingsStore.recordChange(
                db, outbox, event: SettingsContract.Event.configurationUpdated, entity: "configuration", kind: section.rawValue,
                id: nil, actor: "system", before: nil, after: value)
        }
    }
}
