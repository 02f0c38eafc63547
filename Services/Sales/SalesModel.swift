import Bus
import Contracts
import Foundation
import GRDB
import Storage

/// A status of a process as sales keeps it.
struct ProcessStatusRow: Sendable {
    let id: Int64
    let name: String
    let probability: Int
    /// nil, `won` or `lost`.
    let final: String?
}

/// A CRM process as sales keeps it (settings' events), with the rules a deal in it follows.
struct ProcessRow: Sendable {
    let id: Int64
    let name: String
    let statuses: [ProcessStatusRow]
    let subjectLabels: [String]?
    let weightLabels: [String]?

    var firstOpen: ProcessStatusRow { statuses.first { $0.final == nil } ?? statuses[0] }
    var openStatuses: [ProcessStatusRow] { statuses.filter { $0.final == nil } }

    func status(_ id: Int64) throws -> ProcessStatusRow {
        guard let status = statuses.first(where: { $0.id == id }) else {
            throw BusError.conflict("status \(id) is not a status of the process '\(name)'")
        }
        return status
    }

    /// With fixed subject labels the subject is one of them.
    func checkSubject(_ subject: String) throws {
        guard let labels = subjectLabels, !labels.isEmpty else { return }
        guard labels.contains(subject) else {
            throw BusError.conflict("the process '\(name)' takes one of its subjects: \(labels.joined(separator: ", "))")
        }
    }

    /// Sets a deal's probability: won 100, lost 0; a hand value (`manual`, -1 gives it back to
    /// the status) or a weight label when the process has them; else it keeps a hand value it
    /// had (`keep`) and otherwise follows its status.
    func setProbability(_ deal: inout Deal, manual: Int?, label: String?, keep: Bool = false) throws {
        let status = try self.status(deal.statusId)
        if let manual, manual != -1, !(0...100).contains(manual) {
            throw BusError.invalid("a probability is 0 to 100 (or -1 to follow the status again)")
        }
        if manual == -1 {
            deal.probabilitySource = "status"
            deal.weightLabel = nil
        } else if manual != nil || label != nil {
            if let labels = weightLabels, !labels.isEmpty {
                guard let label, let chosen = labels.first(where: { $0.lowercased() == label.lowercased() }) else {
                    throw BusError.conflict("the process '\(name)' weighs deals by its labels: \(labels.joined(separator: ", "))")
                }
                deal.weightLabel = chosen
                deal.probability = Self.percent(in: chosen) ?? manual ?? deal.probability
            } else {
                guard label == nil else { throw BusError.conflict("the process '\(name)' has no weight labels") }
                deal.weightLabel = nil
                deal.probability = manual!
            }
            deal.probabilitySource = "manual"
        } else if !keep || deal.probabilitySource != "manual" {
            deal.probabilitySource = "status"
        }
        switch deal.outcome {
        case "won":
            deal.probability = 100
            deal.probabilitySource = "won"
        case "lost":
            deal.probability = 0
            deal.probabilitySource = "lost"
        default:
            if deal.probabilitySource != "manual" {
                deal.probabilitySource = "status"
                deal.probability = status.probability
            }
        }
        deal.weightedValue = Money.weighted(deal.value, deal.probability)
    }

    /// The first whole number 0...100 in a label ("High (75%)" is 75).
    static func percent(in label: String) -> Int? {
        var digits = ""
        for character in label {
            if character.isASCII && character.isNumber {
                digits.append(character)
            } else if !digits.isEmpty {
                break
            }
        }
        guard digits.count <= 3, let value = Int(digits), (0...100).contains(value) else { return nil }
        return value
    }
}

enum Processes {
    static func load(_ db: Database, id: Int64) throws -> ProcessRow {
        guard
            let row = try Row.fetchOne(db, sql: "SELECT id, name, subject_labels, weight_labels FROM process WHERE id = ?", arguments: [id])
        else { throw BusError.conflict("process \(id) does not exist (or sales has not heard of it from settings yet)") }
        let statuses = try Row.fetchAll(
            db, sql: "SELECT id, name, probability, final FROM process_status WHERE process_id = ? ORDER BY position", arguments: [id]
        ).map { ProcessStatusRow(id: $0["id"], name: $0["name"], probability: $0["probability"], final: $0["final"]) }
        guard !statuses.isEmpty else { throw BusError.conflict("process \(id) has no statuses") }
        func labels(_ text: String?) -> [String]? { text.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } }
        return ProcessRow(
            id: id, name: row["name"], statuses: statuses, subjectLabels: labels(row["subject_labels"]),
            weightLabels: labels(row["weight_labels"]))
    }

    static func defaultId(_ db: Database) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM process WHERE is_default = 1 ORDER BY id LIMIT 1") else {
            throw BusError.conflict("sales has not heard of a CRM process from settings yet")
        }
        return id
    }
}

/// Settings' reference items sales uses.
enum Reference {
    /// The id when it is an item of `kind` (nil stays nil).
    static func check(_ db: Database, _ kind: ReferenceKind, _ id: Int64?) throws -> Int64? {
        guard let id else { return nil }
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM reference WHERE kind = ? AND id = ?", arguments: [kind.rawValue, id]) != nil else {
            throw BusError.conflict("\(id) is not a \(kind.itemName)")
        }
        return id
    }

    /// The deal column that holds an item of `kind`.
    static func column(_ kind: ReferenceKind) -> String? {
        switch kind {
        case .salesCategories: "category_id"
        case .salesStages: "stage_id"
        case .sources: "source_id"
        case .winReasons, .lossReasons: "reason_id"
        default: nil
        }
    }

    /// Reasons are shared by one column: won deals hold win reasons, lost deals loss reasons.
    static func scope(_ kind: ReferenceKind) -> String {
        switch kind {
        case .winReasons: " AND outcome = 'won'"
        case .lossReasons: " AND outcome = 'lost'"
        default: ""
        }
    }
}

/// What a caller may see: as the customer cards in contacts, a user who is not a boss sees only
/// deals of customers they own while settings' `visibility.shared_customer_cards` is off.
struct SalesAccess: Sendable {
    let restrictedTo: Int64?

    static func of(_ headers: BusHeaders, _ db: Database) throws -> SalesAccess {
        guard let userId = headers.userId, !headers.isBoss else { return SalesAccess(restrictedTo: nil) }
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE section = 'visibility'"),
            let value = try? Wire.decode(VisibilityConfiguration.self, from: Data(text.utf8)), !value.sharedCustomerCards
        else { return SalesAccess(restrictedTo: nil) }
        return SalesAccess(restrictedTo: userId)
    }

    func allows(ownerId: Int64?) -> Bool { restrictedTo == nil || ownerId == restrictedTo }
    func allows(_ deal: Deal) -> Bool { allows(ownerId: deal.customerOwnerId) }

    func require(_ deal: Deal) throws {
        guard allows(deal) else { throw BusError.notFound("deal \(deal.id) does not exist") }
    }
}

/// Sales projects.
enum Projects {
    static func load(_ db: Database, id: Int64?) throws -> SalesProject {
        let row =
            if let id {
                try Row.fetchOne(db, sql: "SELECT * FROM project WHERE id = ?", arguments: [id])
            } else {
                try Row.fetchOne(db, sql: "SELECT * FROM project WHERE is_default = 1 ORDER BY id LIMIT 1")
            }
        guard let row else { throw BusError.notFound("project \(id ?? 0) does not exist") }
        return project(row)
    }

    static func project(_ row: Row) -> SalesProject {
        let members = (try? JSONDecoder().decode([Int64].self, from: Data((row["members"] as String).utf8))) ?? []
        return SalesProject(
            id: row["id"], name: row["name"], processId: row["process_id"], active: row["active"], smsEnabled: row["sms_enabled"],
            members: members, isDefault: row["is_default"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    static func processId(_ db: Database, _ project: SalesProject) throws -> Int64 {
        try project.processId ?? Processes.defaultId(db)
    }

    static func list(_ db: Database) throws -> [SalesProject] {
        try Row.fetchAll(db, sql: "SELECT * FROM project ORDER BY name COLLATE NOCASE").map(project)
    }

    static func save(_ db: Database, _ request: SaveProjectRequest, headers: BusHeaders) throws -> SalesProject {
        guard headers.userId == nil || headers.isBoss else { throw BusError.forbidden("only a boss changes sales projects") }
        let now = Date()
        var project =
            try request.id.map { try load(db, id: $0) }
            ?? SalesProject(
                id: 0, name: "", processId: nil, active: true, smsEnabled: false, members: [], isDefault: false, createdAt: now,
                updatedAt: now)
        if let name = request.name?.trimmingCharacters(in: .whitespaces) {
            guard !name.isEmpty, name.count <= 100 else { throw BusError.invalid("a project needs a name of up to 100 characters") }
            if let clash = try Int64.fetchOne(
                db, sql: "SELECT id FROM project WHERE name = ? COLLATE NOCASE AND id != ?", arguments: [name, project.id])
            {
                throw BusError.conflict("there is already a project named '\(name)' (\(clash))")
            }
            project.name = name
        }
        guard !project.name.isEmpty else { throw BusError.invalid("a project needs a name") }
        if let process = request.processId {
            if process != 0 { _ = try Processes.load(db, id: process) }
            project.processId = process == 0 ? nil : process
        }
        if let active = request.active { project.active = active }
        if let sms = request.smsEnabled { project.smsEnabled = sms }
        if let members = request.members {
            guard members.count <= 1000 else { throw BusError.invalid("a project has at most 1,000 members") }
            project.members = Array(Set(members)).sorted()
        }
        if request.isDefault == false && project.isDefault {
            throw BusError.conflict("one project is always the default; make another the default instead")
        }
        if request.isDefault == true {
            try db.execute(sql: "UPDATE project SET is_default = 0")
            project.isDefault = true
        }
        project.updatedAt = now
        let members = String(decoding: try JSONEncoder().encode(project.members), as: UTF8.self)
        if project.id == 0 {
            try db.execute(
                sql: """
                    INSERT INTO project (name, process_id, active, sms_enabled, members, is_default, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    project.name, project.processId, project.active, project.smsEnabled, members, project.isDefault,
                    DatabaseDate.string(now),
                    DatabaseDate.string(now),
                ])
            project.id = db.lastInsertedRowID
        } else {
            try db.execute(
                sql: """
                    UPDATE project SET name = ?, process_id = ?, active = ?, sms_enabled = ?, members = ?, is_default = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    project.name, project.processId, project.active, project.smsEnabled, members, project.isDefault,
                    DatabaseDate.string(now),
                    project.id,
                ])
        }
        return project
    }
}

/// The board's column totals (`deal_total`), moved in the transaction of every change to a deal.
enum Totals {
    static func add(_ db: Database, _ deal: Deal) throws { try apply(db, deal, sign: 1) }
    static func remove(_ db: Database, _ deal: Deal) throws { try apply(db, deal, sign: -1) }

    private static func apply(_ db: Database, _ deal: Deal, sign: Int64) throws {
        try applyForecast(db, deal, sign: sign)
        try db.execute(
            sql: """
                INSERT INTO deal_total (project_id, outcome, status_id, owner_key, currency, count, projected, weighted, actual)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (project_id, outcome, status_id, owner_key, currency) DO UPDATE SET
                    count = count + excluded.count, projected = projected + excluded.projected,
                    weighted = weighted + excluded.weighted, actual = actual + excluded.actual
                """,
            arguments: [
                deal.projectId, deal.outcome, deal.statusId, deal.customerOwnerId ?? 0, deal.currency, sign, sign * deal.value,
                sign * deal.weightedValue, sign * (deal.actualValue ?? 0),
            ])
    }

    /// An open deal with an expected close counts in its month's projection; a won deal with a
    /// close day in its month's won values.
    private static func applyForecast(_ db: Database, _ deal: Deal, sign: Int64) throws {
        let open = deal.outcome == "open"
        guard let day = open ? deal.expectedClose : deal.outcome == "won" ? deal.closedOn : nil else { return }
        try db.execute(
            sql: """
                INSERT INTO forecast_total (project_id, month, owner_key, currency, open_count, projected, weighted, won_count, won)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (project_id, month, owner_key, currency) DO UPDATE SET
                    open_count = open_count + excluded.open_count, projected = projected + excluded.projected,
                    weighted = weighted + excluded.weighted, won_count = won_count + excluded.won_count, won = won + excluded.won
                """,
            arguments: [
                deal.projectId, String(day.prefix(7)), deal.ownerId ?? 0, deal.currency, open ? sign : 0, open ? sign * deal.value : 0,
                open ? sign * deal.weightedValue : 0, open ? 0 : sign, open ? 0 : sign * (deal.actualValue ?? deal.value),
            ])
    }
}
