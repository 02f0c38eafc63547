import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

// Reference data: categories, sources, industries, roles, statuses, reasons... one table, one
// set of rules. Deleting an item that records use asks the owning services first.
extension SettingsStore {
    func listReference(_ request: ListReferenceRequest) async throws -> [ReferenceItem] {
        try await database.read { db in
            var query = ReferenceItem.filter(Column("kind") == request.kind.rawValue)
            if let active = request.active { query = query.filter(Column("active") == active) }
            if let appliesTo = request.appliesTo {
                guard request.kind == .categories else { throw BusError.invalid("only categories apply to companies or contacts") }
                query = query.filter([appliesTo, "both"].contains(Column("applies_to")))
            }
            return try query.order(Column("sort_order"), Column("name").collating(.nocase)).fetchAll(db)
        }
    }

    func referenceItem(kind: ReferenceKind, id: Int64) async throws -> ReferenceItem {
        try await database.read { db in try Self.referenceItem(db, kind: kind, id: id) }
    }

    static func referenceItem(_ db: Database, kind: ReferenceKind, id: Int64) throws -> ReferenceItem {
        guard let item = try ReferenceItem.fetchOne(db, key: id), item.kind == kind else {
            throw BusError.notFound("\(kind.itemName) \(id) does not exist")
        }
        return item
    }

    func createReference(_ request: CreateReferenceRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        let name = try Self.checkName(request.name, kind: request.kind)
        let colour = try Self.checkColour(request.colour)
        let appliesTo = try Self.checkAppliesTo(request.appliesTo, kind: request.kind) ?? (request.kind == .categories ? "both" : nil)
        try Self.checkSortOrder(request.sortOrder)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.createReference) { db, outbox in
            try Self.checkNameFree(db, kind: request.kind, name: name, except: nil)
            let sortOrder =
                try request.sortOrder
                ?? Self.sortOrder(
                    after: Int.fetchOne(
                        db, sql: "SELECT MAX(sort_order) FROM reference_item WHERE kind = ?", arguments: [request.kind.rawValue]))
            let now = Date()
            let item = ReferenceItem(
                id: try db.nextId("reference_item"), kind: request.kind, name: name, colour: colour, sortOrder: sortOrder,
                active: request.active ?? true, locked: false, appliesTo: appliesTo, createdAt: now, updatedAt: now)
            try item.insert(db)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.referenceCreated, entity: "reference", kind: item.kind.rawValue,
                id: item.id, actor: headers.actor, before: nil, after: snapshot(item))
            return item
        }
    }

    func updateReference(_ request: UpdateReferenceRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        let name = try request.name.map { try Self.checkName($0, kind: request.kind) }
        let colour = try request.colour.map { try Self.checkColour($0) }
        let appliesTo = try Self.checkAppliesTo(request.appliesTo, kind: request.kind)
        try Self.checkSortOrder(request.sortOrder)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.updateReference) { db, outbox in
            let before = try Self.referenceItem(db, kind: request.kind, id: request.id)
            var item = before
            if let name {
                try Self.checkNameFree(db, kind: item.kind, name: name, except: item.id)
                item.name = name
            }
            if let colour { item.colour = colour }
            if let sortOrder = request.sortOrder { item.sortOrder = sortOrder }
            if let active = request.active { item.active = active }
            if let appliesTo { item.appliesTo = appliesTo }
            guard item != before else { return item }
            item.updatedAt = Date()
            try item.update(db)
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.referenceUpdated, entity: "reference", kind: item.kind.rawValue,
                id: item.id, actor: headers.actor, before: snapshot(before), after: snapshot(item))
            return item
        }
    }

    /// How many records of each owning service use the item.
    func usage(kind: ReferenceKind, id: Int64) async throws -> UsageReply {
        _ = try await referenceItem(kind: kind, id: id)
        var byService: [String: Int] = [:]
        for service in kind.owners {
            byService[service] = try await owners.usage(service: service, kind: kind, id: id)
        }
        return UsageReply(count: byService.values.reduce(0, +), byService: byService)
    }

    /// Deletes an item. In use, it is refused (409 with the count) unless the caller names a
    /// replacement or asks to clear it; then the owners move or clear their records first.
    func deleteReference(_ request: DeleteReferenceRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.requireBoss(headers)
        if let stored = try await database.storedReply(requestId: requestId) { return stored }
        let item = try await referenceItem(kind: request.kind, id: request.id)
        if item.locked {
            throw BusError.conflict("the \(item.kind.itemName) '\(item.name)' is locked and cannot be deleted; make it inactive instead")
        }
        if let replacement = request.replacementId { try await checkReplacement(kind: item.kind, from: item.id, to: replacement) }
        let usage = try await usage(kind: item.kind, id: item.id)
        if usage.count > 0 && request.replacementId == nil && request.clear != true {
            throw BusError(
                code: .conflict,
                message:
                    "the \(item.kind.itemName) '\(item.name)' is used by \(usage.count) record(s); name a replacement_id to move them to, or clear=true",
                details: ["count": usage.count])
        }
        var affected = 0
        if usage.count > 0 {
            for service in item.kind.owners {
                affected += try await owners.move(
                    service: service, kind: item.kind, from: item.id, to: request.replacementId,
                    requestId: "\(requestId):\(service)")
            }
        }
        let recordsAffected = affected
        let reply = ReferenceDeleted(
            kind: item.kind, id: item.id, recordsAffected: recordsAffected, replacementId: request.replacementId,
            cleared: usage.count > 0 && request.clear == true)
        return try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.deleteReference) { db, outbox in
            guard let current = try ReferenceItem.fetchOne(db, key: item.id) else { return reply }
            try current.delete(db)
            var details: [String: JSONValue] = ["records_affected": .int(Int64(recordsAffected))]
            if let replacement = request.replacementId { details["replacement_id"] = .int(replacement) }
            if request.clear == true { details["clear"] = .bool(true) }
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.referenceDeleted, entity: "reference", kind: item.kind.rawValue,
                id: item.id, actor: headers.actor, before: snapshot(current), after: nil, details: details)
            return reply
        }
    }

    /// "Move customers": every record from one item to another. Without `confirm`, a dry run.
    func moveCustomers(_ request: MoveCustomersRequest, headers: BusHeaders, requestId: String) async throws -> UsageReply {
        try Self.requireBoss(headers)
        if let stored = try await database.storedReply(requestId: requestId) { return try Wire.decode(UsageReply.self, from: stored) }
        guard !request.kind.owners.isEmpty else {
            throw BusError.invalid("no customer records use \(request.kind.rawValue), so there is nothing to move")
        }
        try await checkReplacement(kind: request.kind, from: request.id, to: request.to)
        guard request.confirm == true else { return try await usage(kind: request.kind, id: request.id) }
        var byService: [String: Int] = [:]
        for service in request.kind.owners {
            byService[service] = try await owners.move(
                service: service, kind: request.kind, from: request.id, to: request.to, requestId: "\(requestId):\(service)")
        }
        let reply = UsageReply(count: byService.values.reduce(0, +), byService: byService, moved: true)
        let stored = try await database.idempotentWrite(requestId: requestId, method: SettingsContract.Method.moveCustomers) { db, outbox in
            try Self.recordChange(
                db, outbox, event: SettingsContract.Event.customersMoved, entity: "reference", kind: request.kind.rawValue,
                id: request.id, actor: headers.actor, before: nil, after: nil,
                details: ["to": .int(request.to), "count": .int(Int64(reply.count))])
            return reply
        }
        return try Wire.decode(UsageReply.self, from: stored)
    }

    private func checkReplacement(kind: ReferenceKind, from: Int64, to: Int64) async throws {
        guard from != to else { throw BusError.conflict("an item cannot replace itself") }
        _ = try await referenceItem(kind: kind, id: from)
        let target = try await database.read { db in try ReferenceItem.fetchOne(db, key: to) }
        guard let target, target.kind == kind else { throw BusError.conflict("the replacement \(kind.itemName) \(to) does not exist") }
        guard target.active else { throw BusError.conflict("the replacement '\(target.name)' is inactive") }
    }

    // MARK: - Validation

    /// Where a list's items may be put: a billion either way is room enough, and keeps the next
    /// place (`sortOrder(after:)`) and any sum of them far from overflow (a stored Int.max and
    /// one more item stopped settings once: found by schemathesis).
    static let sortOrders = -1_000_000_000...1_000_000_000

    static func checkSortOrder(_ value: Int?) throws {
        if let value, !sortOrders.contains(value) {
            throw BusError.invalid("sort_order must be between \(sortOrders.lowerBound) and \(sortOrders.upperBound)")
        }
    }

    /// The place after the last one (`MAX(sort_order)` of the list, nil when it is empty).
    static func sortOrder(after last: Int?) -> Int {
        min(max(last ?? 0, sortOrders.lowerBound), sortOrders.upperBound - 10) + 10
    }

    static func checkName(_ raw: String, kind: ReferenceKind) throws -> String {
        guard let name = raw.trimmed.nilIfEmpty, name.count <= 100 else {
            throw BusError.invalid("a \(kind.itemName) needs a name of up to 100 characters")
        }
        return name
    }

    static func checkNameFree(_ db: Database, kind: ReferenceKind, name: String, except id: Int64?) throws {
        let clash = try ReferenceItem.filter(Column("kind") == kind.rawValue && Column("name").collating(.nocase) == name)
            .fetchOne(db)
        if let clash, clash.id != id { throw BusError.conflict("there is already a \(kind.itemName) named '\(clash.name)'") }
    }

    /// `#RRGGBB` (or `#RGB`, widened), upper case; an empty string clears.
    static func checkColour(_ raw: String?) throws -> String? {
        guard let text = raw?.trimmed.nilIfEmpty else { return nil }
        let hex = text.hasPrefix("#") ? String(text.dropFirst()) : text
        guard [3, 6].contains(hex.count), hex.allSatisfy(\.isHexDigit) else {
            throw BusError.invalid("colour '\(text)' must look like #1E90FF")
        }
        return "#" + (hex.count == 3 ? hex.map { "\($0)\($0)" }.joined() : hex).uppercased()
    }

    static func checkAppliesTo(_ raw: String?, kind: ReferenceKind) throws -> String? {
        guard let value = raw?.trimmed.lowercased().nilIfEmpty else { return nil }
        guard kind == .categories else { throw BusError.invalid("only categories have applies_to") }
        guard ["company", "contact", "both"].contains(value) else {
            throw BusError.invalid("applies_to is company, contact or both, not '\(value)'")
        }
        return value
    }
}
