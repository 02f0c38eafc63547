import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// CRM processes: ordered statuses with probabilities and final won/lost flags, and optional
// fixed label lists for a deal's subject and weight. Exactly one process is the default.
extension SettingsStore {
    func listProcesses() async throws -> [CRMProcess] {
        try await database.read { db in
            try ProcessRecord.order(Column("name").collating(.nocase)).fetchAll(db).map { try Self.loadProcess(db, $0) }
        }
    }

    func process(id: Int64) async throws -> CRMProcess {
        try await database.read { db in try Self.loadProcess(db, id: id) }
    }

    func createProcess(_ request: CreateProcessRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        let name = try Self.checkProcessName(request.name)
        let statuses = try Self.checkStatuses(request.statuses)
        let subjects = try Self.checkLabels(request.subjectLabels, what: "subject")
        let weights = try Self.checkLabels(request.weightLabels, what: "weight")
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.createProcess) { db, outbox in
            try Self.checkProcessNameFree(db, name, except: nil)
            let now = Date()
            let isDefault = try request.isDefault == true || ProcessRecord.fetchCount(db) == 0
            if isDefault { try db.execute(sql: "UPDATE crm_process SET is_default = 0") }
            let record = ProcessRecord(
                id: try db.nextId("crm_process"), name: name, isDefault: isDefault, subjectLabels: subjects ?? nil,
                weightLabels: weights ?? nil, createdAt: now, updatedAt: now)
            try record.insert(db)
            try Self.storeStatuses(db, processId: record.id, statuses)
            let process = try Self.loadProcess(db, id: record.id)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.processCreated, entity: "process", id: record.id, actor: headers.actor,
                before: nil, after: snapshot(process))
            return process
        }
    }

    func updateProcess(_ request: UpdateProcessRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        let name = try request.name.map(Self.checkProcessName)
        let statuses = try request.statuses.map(Self.checkStatuses)
        let subjects = try Self.checkLabels(request.subjectLabels, what: "subject")
        let weights = try Self.checkLabels(request.weightLabels, what: "weight")
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.updateProcess) { db, outbox in
            let before = try Self.loadProcess(db, id: request.id)
            var record = try ProcessRecord.fetchOne(db, key: request.id)!
            if let name {
                try Self.checkProcessNameFree(db, name, except: record.id)
                record.name = name
            }
            if let subjects { record.subjectLabels = subjects }
            if let weights { record.weightLabels = weights }
            if request.isDefault == true {
                try db.execute(sql: "UPDATE crm_process SET is_default = 0")
                record.isDefault = true
            } else if request.isDefault == false && record.isDefault {
                throw BusError.conflict("one process is always the default; make another process the default instead")
            }
            record.updatedAt = Date()
            try record.update(db)
            if let statuses { try Self.storeStatuses(db, processId: record.id, statuses) }
            let after = try Self.loadProcess(db, id: record.id)
            var details: [String: JSONValue]?
            if let replacements = request.statusReplacements, !replacements.isEmpty {
                let removed = Set(before.statuses.compactMap(\.id)).subtracting(after.statuses.compactMap(\.id))
                let kept = Set(after.statuses.compactMap(\.id))
                var map: [String: JSONValue] = [:]
                for replacement in replacements {
                    guard removed.contains(replacement.from) else {
                        throw BusError.conflict("status \(replacement.from) is not a status this change removes")
                    }
                    guard kept.contains(replacement.to) else {
                        throw BusError.conflict("status \(replacement.to) is not a status the process keeps")
                    }
                    map[String(replacement.from)] = .int(replacement.to)
                }
                details = ["status_replacements": .object(map)]
            }
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.processUpdated, entity: "process", id: record.id, actor: headers.actor,
                before: snapshot(before), after: snapshot(after), details: details)
            return after
        }
    }

    func deleteProcess(id: Int64, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.deleteProcess) { db, outbox in
            let process = try Self.loadProcess(db, id: id)
            if process.isDefault { throw BusError.conflict("the default process cannot be deleted; make another the default first") }
            try db.execute(sql: "DELETE FROM process_status WHERE process_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM crm_process WHERE id = ?", arguments: [id])
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.processDeleted, entity: "process", id: id, actor: headers.actor,
                before: snapshot(process), after: nil)
            return Done()
        }
    }

    // MARK: - Loading and storing

    static func loadProcess(_ db: Database, id: Int64) throws -> CRMProcess {
        guard let record = try ProcessRecord.fetchOne(db, key: id) else { throw BusError.notFound("process \(id) does not exist") }
        return try loadProcess(db, record)
    }

    static func loadProcess(_ db: Database, _ record: ProcessRecord) throws -> CRMProcess {
        let statuses = try StatusRecord.filter(Column("process_id") == record.id).order(Column("position")).fetchAll(db)
        return CRMProcess(
            id: record.id, name: record.name, isDefault: record.isDefault,
            statuses: statuses.map { ProcessStatus(id: $0.id, name: $0.name, probability: $0.probability, final: $0.final) },
            subjectLabels: record.subjectLabels, weightLabels: record.weightLabels, createdAt: record.createdAt,
            updatedAt: record.updatedAt)
    }

    /// Replaces a process's statuses; a status given with the id of one of this process's
    /// statuses keeps that id (so deals in it stay in it).
    static func storeStatuses(_ db: Database, processId: Int64, _ statuses: [ProcessStatus]) throws {
        let existing = Set(try Int64.fetchAll(db, sql: "SELECT id FROM process_status WHERE process_id = ?", arguments: [processId]))
        for id in statuses.compactMap(\.id) where !existing.contains(id) {
            throw BusError.conflict("status \(id) is not a status of this process; leave the id out for a new status")
        }
        let kept = Set(statuses.compactMap(\.id))
        for id in existing.subtracting(kept) {
            try db.execute(sql: "DELETE FROM process_status WHERE id = ?", arguments: [id])
        }
        for (position, status) in statuses.enumerated() {
            let record = StatusRecord(
                id: try status.id ?? db.nextId("process_status"), processId: processId, position: position, name: status.name,
                probability: status.probability, final: status.final)
            try record.save(db)
        }
    }

    // MARK: - Validation

    static func checkProcessName(_ raw: String) throws -> String {
        guard let name = raw.trimmed.nilIfEmpty, name.count <= 100 else {
            throw BusError.invalid("a process needs a name of up to 100 characters")
        }
        return name
    }

    static func checkProcessNameFree(_ db: Database, _ name: String, except id: Int64?) throws {
        if let clash = try ProcessRecord.filter(Column("name").collating(.nocase) == name).fetchOne(db), clash.id != id {
            throw BusError.conflict("there is already a process named '\(clash.name)'")
        }
    }

    static func checkStatuses(_ statuses: [ProcessStatus]) throws -> [ProcessStatus] {
        guard !statuses.isEmpty else { throw BusError.invalid("a process needs its statuses, in order") }
        var names = Set<String>()
        let checked = try statuses.map { status -> ProcessStatus in
            guard let name = status.name.trimmed.nilIfEmpty, name.count <= 100 else {
                throw BusError.invalid("every status needs a name of up to 100 characters")
            }
            guard names.insert(name.lowercased()).inserted else { throw BusError.conflict("the status '\(name)' is listed twice") }
            guard (0...100).contains(status.probability) else {
                throw BusError.invalid("the probability of '\(name)' must be between 0 and 100")
            }
            let final = status.final?.trimmed.lowercased().nilIfEmpty
            guard final == nil || final == "won" || final == "lost" else {
                throw BusError.invalid("a status is final as won or lost, not '\(status.final!)'")
            }
            return ProcessStatus(id: status.id, name: name, probability: status.probability, final: final)
        }
        guard checked.contains(where: { $0.final == "won" }) else { throw BusError.invalid("a process needs a final status that is won") }
        guard checked.contains(where: { $0.final == nil }) else { throw BusError.invalid("a process needs at least one open status") }
        return checked
    }

    /// nil: not given (leave as is); `.some(nil)`: an empty list (free text); otherwise the labels.
    static func checkLabels(_ labels: [String]?, what: String) throws -> [String]?? {
        guard let labels else { return nil }
        let cleaned = labels.map(\.trimmed).filter { !$0.isEmpty }
        guard Set(cleaned.map { $0.lowercased() }).count == cleaned.count else {
            throw BusError.conflict("the \(what) labels list a label twice")  // a rule across values: 409 (ADR 008)
        }
        return .some(cleaned.isEmpty ? nil : cleaned)
    }
}
