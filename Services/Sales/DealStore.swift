import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// Deals: created, changed, moved, won, lost, postponed, reopened, deleted and restored, each
/// change checked against the version it was made from, written once per request id with its
/// event, its stage history and the board's column totals in the same transaction.
struct DealStore: Sendable {
    let database: ServiceDatabase
    let defaultCurrency: String

    static let columns = """
        id, customer_kind, customer_id, customer_name, customer_owner_id, project_id, process_id, owner_id, subject, status_id,
        status_name, outcome, stage_id, category_id, source_id, value, currency, probability, probability_source, weight_label,
        weighted, expected_close, closed_on, actual_value, reason_id, reason_note, next_follow_up, position, version, created_at,
        updated_at, deleted_at
        """

    // MARK: - Reading

    func get(id: Int64, headers: BusHeaders) async throws -> Deal {
        try await database.read { db in
            let deal = try Self.load(db, id: id)
            try SalesAccess.of(headers, db).require(deal)
            return deal
        }
    }

    func list(_ request: ListDealsRequest, headers: BusHeaders) async throws -> Page<Deal> {
        let limit = min(max(request.limit ?? 50, 1), SalesContract.maxPageSize)
        var start: Int64 = .max
        if let text = request.cursor {
            guard let cursor = Cursor(text: text) else { throw BusError.invalid("cursor is not one this list handed out") }
            start = cursor.id
        }
        let after = start
        return try await database.read { db in
            var query = try DealQuery(filter: request.filter ?? DealFilter(), access: SalesAccess.of(headers, db), db: db)
            query.add("deal.id < ?", [after])
            if let kind = request.customerKind, let id = request.customerId {
                query.add("deal.customer_kind = ? AND deal.customer_id = ?", [kind, id])
            }
            if let outcome = request.outcome { query.add("deal.outcome = ?", [outcome]) }
            query.deleted = request.deleted ?? false
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(Self.columns) FROM deal WHERE \(query.condition) ORDER BY id DESC LIMIT ?",
                arguments: query.arguments + [limit + 1])
            let deals = try rows.prefix(limit).map { try Self.deal(from: $0, db) }
            return Page(items: deals, nextCursor: rows.count > limit ? deals.last.map { Cursor(id: $0.id).text } : nil)
        }
    }

    func history(id: Int64, headers: BusHeaders) async throws -> [DealStage] {
        try await database.read { db in
            let deal = try Self.load(db, id: id)
            try SalesAccess.of(headers, db).require(deal)
            let now = Date()
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT status_id, status_name, process_id, project_id, entered_at, left_at, moved_by
                    FROM deal_stage WHERE deal_id = ? ORDER BY id
                    """, arguments: [id]
            ).map { row in
                let entered: Date = row["entered_at"]
                let left: Date? = row["left_at"]
                return DealStage(
                    statusId: row["status_id"], statusName: row["status_name"], processId: row["process_id"],
                    projectId: row["project_id"], enteredAt: entered, leftAt: left,
                    seconds: Int64(max(0, (left ?? now).timeIntervalSince(entered))), movedBy: row["moved_by"])
            }
        }
    }

    /// A customer's deals and, for a contact, the deals they take part in.
    func ofCustomer(_ request: CustomerDealsRequest, headers: BusHeaders) async throws -> CustomerDeals {
        try await database.read { db in
            let access = try SalesAccess.of(headers, db)
            let deals = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.columns) FROM deal WHERE customer_kind = ? AND customer_id = ? AND deleted_at IS NULL
                    ORDER BY id DESC LIMIT 500
                    """, arguments: [request.customerKind, request.customerId]
            ).map { try Self.deal(from: $0, db) }.filter { access.allows($0) }
            var participation: [Participation] = []
            if request.customerKind == "contact" {
                participation = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT deal.id, deal.project_id, project.name AS project_name, deal.subject, deal.customer_name, deal.outcome,
                            deal.customer_owner_id, deal_person.role
                        FROM deal_person JOIN deal ON deal.id = deal_person.deal_id LEFT JOIN project ON project.id = deal.project_id
                        WHERE deal_person.kind = 'contact' AND deal_person.person_id = ? AND deal.deleted_at IS NULL
                        ORDER BY deal.id DESC LIMIT 500
                        """, arguments: [request.customerId]
                ).filter { access.allows(ownerId: $0["customer_owner_id"]) }.map {
                    Participation(
                        dealId: $0["id"], projectId: $0["project_id"], projectName: $0["project_name"] ?? "", subject: $0["subject"],
                        customerName: $0["customer_name"], outcome: $0["outcome"], role: $0["role"])
                }
            }
            return CustomerDeals(deals: deals, participation: participation)
        }
    }

    // MARK: - Writing

    func create(_ request: CreateDealRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let kind = try Self.customerKind(request.customerKind)
        let subject = try Self.subject(request.subject)
        try Self.checkValue(request.value)
        let currency = try Self.currency(request.currency ?? defaultCurrency)
        try Self.checkDate(request.expectedClose, "expected_close")
        try Self.checkFollowUp(request.nextFollowUp)
        let people = try Self.people(request.contacts, "contacts"), colleagues = try Self.people(request.colleagues, "colleagues")
        return try await database.idempotentWrite(requestId: requestId, method: SalesContract.Method.createDeal) { db, outbox in
            let access = try SalesAccess.of(headers, db)
            guard
                let customer = try Row.fetchOne(
                    db, sql: "SELECT name, owner_id, consumer FROM customer WHERE kind = ? AND id = ? AND deleted = 0",
                    arguments: [kind, request.customerId]),
                access.allows(ownerId: customer["owner_id"])
            else { throw BusError.notFound("\(kind) \(request.customerId) does not exist") }
            guard customer["consumer"] as Bool else {
                throw BusError.conflict(
                    "contact \(request.customerId) is not a consumer: make the deal for their company and link them to it with a role")
            }
            let project = try Projects.load(db, id: request.projectId)
            let process = try Processes.load(db, id: try Projects.processId(db, project))
            try process.checkSubject(subject)
            let status = try request.statusId.map { try process.status($0) } ?? process.firstOpen
            let now = Date()
            var deal = Deal(
                id: 0, customerKind: kind, customerId: request.customerId, customerName: customer["name"],
                customerOwnerId: customer["owner_id"], projectId: project.id, processId: process.id,
                ownerId: try Self.owner(db, request.ownerId ?? headers.userId ?? customer["owner_id"]), subject: subject,
                statusId: status.id, statusName: status.name, outcome: "open",
                stageId: try Reference.check(db, .salesStages, request.stageId),
                categoryId: try Reference.check(db, .salesCategories, request.categoryId),
                sourceId: try Reference.check(db, .sources, request.sourceId), value: request.value ?? 0, currency: currency,
                probability: status.probability, probabilitySource: "status", weightLabel: nil, weightedValue: 0,
                expectedClose: request.expectedClose, closedOn: nil, actualValue: nil, reasonId: nil, reasonNote: nil,
                nextFollowUp: request.nextFollowUp?.nilIfBlank, contacts: people ?? [], colleagues: colleagues ?? [], position: 0,
                version: 1, createdAt: now, updatedAt: now, deletedAt: nil)
            try process.setProbability(&deal, manual: request.probability, label: request.weightLabel)
            Self.enter(&deal, status, now: now)
            deal.position = try Self.endOfColumn(db, deal)
            try Self.insert(db, &deal)
            try Self.storePeople(db, deal)
            try Self.recordStage(db, deal, actor: headers.actor, now: now)
            try Totals.add(db, deal)
            try outbox.append(db, type: SalesContract.Event.created, payload: DealChanged(deal: deal, actor: headers.actor))
            if deal.outcome == "won" || deal.outcome == "lost" {
                try outbox.append(
                    db, type: deal.outcome == "won" ? SalesContract.Event.won : SalesContract.Event.lost,
                    payload: DealChanged(deal: deal, actor: headers.actor))
            }
            return deal
        }
    }

    func update(_ request: UpdateDealRequest, headers: BusHeaders, requestId: String) async throws -> Data {
        let subject = try request.subject.map(Self.subject)
        try Self.checkValue(request.value)
        try Self.checkValue(request.actualValue)
        let currency = try request.currency.map(Self.currency)
        if let date = request.expectedClose, !date.isEmpty { try Self.checkDate(date, "expected_close") }
        try Self.checkFollowUp(request.nextFollowUp)
        if let note = request.reasonNote, note.count > 2000 { throw BusError.invalid("reason_note is at most 2,000 characters") }
        let people = try Self.people(request.contacts, "contacts"), colleagues = try Self.people(request.colleagues, "colleagues")
        return try await database.idempotentWrite(requestId: requestId, method: SalesContract.Method.updateDeal) { db, outbox in
            let before = try Self.loadForChange(db, id: request.id, version: request.version, headers: headers)
            var deal = before
            let now = Date()
            if let projectId = request.projectId, projectId != deal.projectId {
                let project = try Projects.load(db, id: projectId)
                deal.projectId = project.id
                let processId = try Projects.processId(db, project)
                if processId != deal.processId {
                    // Another process: the same status by name if it has one, else its first open status.
                    let process = try Processes.load(db, id: processId)
                    deal.processId = process.id
                    let status = process.statuses.first { $0.name.lowercased() == deal.statusName.lowercased() } ?? process.firstOpen
                    Self.enter(&deal, status, now: now)
                }
            }
            let process = try Processes.load(db, id: deal.processId)
            if let subject {
                try process.checkSubject(subject)
                deal.subject = subject
            }
            if let owner = request.ownerId { deal.ownerId = owner == 0 ? nil : try Self.owner(db, owner) }
            if let id = request.stageId { deal.stageId = try Reference.check(db, .salesStages, id == 0 ? nil : id) }
            if let id = request.categoryId { deal.categoryId = try Reference.check(db, .salesCategories, id == 0 ? nil : id) }
            if let id = request.sourceId { deal.sourceId = try Reference.check(db, .sources, id == 0 ? nil : id) }
            if let value = request.value { deal.value = value }
            if let currency { deal.currency = currency }
            if let date = request.expectedClose { deal.expectedClose = date.nilIfBlank }
            if let follow = request.nextFollowUp { deal.nextFollowUp = follow.nilIfBlank }
            if let note = request.reasonNote { deal.reasonNote = note.nilIfBlank }
            if let people { deal.contacts = people }
            if let colleagues { deal.colleagues = colleagues }
            if let actual = request.actualValue {
                guard deal.outcome == "won" else { throw BusError.conflict("only a won deal has an actual value") }
                deal.actualValue = actual
            }
            if let reason = request.reasonId {
                guard deal.outcome == "won" || deal.outcome == "lost" else {
                    throw BusError.conflict("a reason is given when a deal is won or lost")
                }
                deal.reasonId = try Reference.check(db, deal.outcome == "won" ? .winReasons : .lossReasons, reason == 0 ? nil : reason)
            }
            if let statusId = request.statusId, statusId != deal.statusId {
                Self.enter(&deal, try process.status(statusId), now: now)
            }
            if request.probability != nil || request.weightLabel != nil {
                try process.setProbability(&deal, manual: request.probability, label: request.weightLabel)
            } else {
                try process.setProbability(&deal, manual: nil, label: nil, keep: true)
            }
            return try Self.save(db, outbox, before: before, after: deal, actor: headers.actor, now: now)
        }
    }

    func move(_ request: MoveDealRequest, headers: BusHeaders, requestId: String, board: BoardQuery) async throws -> Data {
        try await database.idempotentWrite(requestId: requestId, method: SalesContract.Method.moveDeal) { db, outbox in
            let before = try Self.loadForChange(db, id: request.id, version: request.version, headers: headers)
            var deal = before
            let now = Date()
            let process = try Processes.load(db, id: deal.processId)
            let status = try process.status(request.statusId)
            if status.id != deal.statusId || deal.outcome == "postponed" { Self.enter(&deal, status, now: now) }
            try process.setProbability(&deal, manual: nil, label: nil, keep: true)
            deal.position = try Self.position(db, deal, before: request.beforeId, after: request.afterId)
            let saved = try Self.save(db, outbox, before: before, after: deal, actor: headers.actor, now: now)
            // The totals of the columns it left and entered, on the board it was moved on.
            var keys = [BoardQuery.key(before), BoardQuery.key(saved)]
            if keys[0] == keys[1] { keys.removeLast() }
            let access = try SalesAccess.of(headers, db)
            var filter = request.board?.filter ?? DealFilter()
            filter.projectId = filter.projectId ?? saved.projectId
            let answer = try board.totals(db, columns: keys, filter: filter, access: access)
            return MovedDeal(deal: saved, columns: answer.columns, totals: answer.totals)
        }
    }

    /// Win, lose, postpone or reopen.
    func close(_ request: CloseDealRequest, as action: String, headers: BusHeaders, requestId: String) async throws -> Data {
        try Self.checkValue(request.actualValue)
        if let date = request.closedOn { try Self.checkDate(date, "closed_on") }
        if let note = request.reasonNote, note.count > 2000 { throw BusError.invalid("reason_note is at most 2,000 characters") }
        let method: BusMethod<CloseDealRequest, Deal> =
            switch action {
            case "win": SalesContract.Method.winDeal
            case "lose": SalesContract.Method.loseDeal
            case "postpone": SalesContract.Method.postponeDeal
            default: SalesContract.Method.reopenDeal
            }
        return try await database.idempotentWrite(requestId: requestId, method: method) { db, outbox in
            let before = try Self.loadForChange(db, id: request.id, version: request.version, headers: headers)
            var deal = before
            let now = Date()
            let process = try Processes.load(db, id: deal.processId)
            switch action {
            case "win", "lose":
                let final = action == "win" ? "won" : "lost"
                let status = try request.statusId.map { try process.status($0) } ?? process.statuses.first { $0.final == final }
                guard let status, status.final == final else {
                    throw BusError.conflict("status \(request.statusId ?? 0) is not a \(final) status of this process")
                }
                Self.enter(&deal, status, now: now)
                if let date = request.closedOn { deal.closedOn = date }
                if action == "win" { deal.actualValue = request.actualValue ?? deal.actualValue ?? deal.value }
                deal.reasonId = try Reference.check(db, action == "win" ? .winReasons : .lossReasons, request.reasonId)
                deal.reasonNote = request.reasonNote?.nilIfBlank ?? deal.reasonNote
            case "postpone":
                guard deal.outcome == "open" else {
                    throw BusError.conflict("only an open deal can be postponed; this one is \(deal.outcome)")
                }
                deal.outcome = "postponed"
                deal.reasonNote = request.reasonNote?.nilIfBlank ?? deal.reasonNote
            default:
                guard deal.outcome != "open" else { throw BusError.conflict("the deal is open already") }
                let last = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT status_id FROM deal_stage WHERE deal_id = ? AND status_id IN
                            (SELECT id FROM process_status WHERE process_id = ? AND final IS NULL) ORDER BY id DESC LIMIT 1
                        """, arguments: [deal.id, deal.processId])
                let status =
                    try request.statusId.map { try process.status($0) } ?? last.flatMap { try? process.status($0) } ?? process.firstOpen
                guard status.final == nil else { throw BusError.conflict("a deal is reopened into an open status") }
                deal.outcome = "open"
                Self.enter(&deal, status, now: now)
                deal.closedOn = nil
                deal.actualValue = nil
                deal.reasonId = nil
            }
            try process.setProbability(&deal, manual: nil, label: nil, keep: true)
            if deal.statusId != before.statusId || deal.outcome != before.outcome { deal.position = try Self.endOfColumn(db, deal) }
            return try Self.save(db, outbox, before: before, after: deal, actor: headers.actor, now: now)
        }
    }

    func delete(_ request: DealVersionRequest, restore: Bool, headers: BusHeaders, requestId: String) async throws -> Data {
        let method = restore ? SalesContract.Method.restoreDeal : SalesContract.Method.deleteDeal
        return try await database.idempotentWrite(requestId: requestId, method: method) { db, outbox in
            let before = try Self.loadForChange(db, id: request.id, version: request.version, headers: headers, deleted: restore)
            var deal = before
            let now = Date()
            deal.deletedAt = restore ? nil : now
            return try Self.save(db, outbox, before: before, after: deal, actor: headers.actor, now: now)
        }
    }

    // MARK: - Helpers

    static func load(_ db: Database, id: Int64, deleted: Bool? = false) throws -> Deal {
        let condition = deleted == nil ? "" : deleted! ? " AND deleted_at IS NOT NULL" : " AND deleted_at IS NULL"
        guard let row = try Row.fetchOne(db, sql: "SELECT \(columns) FROM deal WHERE id = ?\(condition)", arguments: [id]) else {
            throw BusError.notFound("deal \(id) does not exist")
        }
        return try deal(from: row, db)
    }

    static func loadForChange(_ db: Database, id: Int64, version: Int64?, headers: BusHeaders, deleted: Bool = false) throws -> Deal {
        let deal = try load(db, id: id, deleted: deleted)
        try SalesAccess.of(headers, db).require(deal)
        if let version, version != deal.version {
            throw BusError.conflict("deal \(id) changed since version \(version); it is at version \(deal.version): read it again")
        }
        return deal
    }

    static func deal(from row: Row, _ db: Database) throws -> Deal {
        let id: Int64 = row["id"]
        var contacts: [DealPerson] = []
        var colleagues: [DealPerson] = []
        for person in try Row.fetchAll(
            db, sql: "SELECT kind, person_id, role FROM deal_person WHERE deal_id = ? ORDER BY rowid", arguments: [id])
        {
            let item = DealPerson(id: person["person_id"], role: person["role"])
            if person["kind"] == "contact" { contacts.append(item) } else { colleagues.append(item) }
        }
        return Deal(
            id: id, customerKind: row["customer_kind"], customerId: row["customer_id"], customerName: row["customer_name"],
            customerOwnerId: row["customer_owner_id"], projectId: row["project_id"], processId: row["process_id"],
            ownerId: row["owner_id"], subject: row["subject"], statusId: row["status_id"], statusName: row["status_name"],
            outcome: row["outcome"], stageId: row["stage_id"], categoryId: row["category_id"], sourceId: row["source_id"],
            value: row["value"], currency: row["currency"], probability: row["probability"],
            probabilitySource: row["probability_source"], weightLabel: row["weight_label"], weightedValue: row["weighted"],
            expectedClose: row["expected_close"], closedOn: row["closed_on"], actualValue: row["actual_value"],
            reasonId: row["reason_id"], reasonNote: row["reason_note"], nextFollowUp: row["next_follow_up"],
            contacts: contacts, colleagues: colleagues, position: row["position"], version: row["version"],
            createdAt: row["created_at"], updatedAt: row["updated_at"], deletedAt: row["deleted_at"])
    }

    /// Puts a deal into a status: outcome, close date, probability source follow the status.
    static func enter(_ deal: inout Deal, _ status: ProcessStatusRow, now: Date) {
        deal.statusId = status.id
        deal.statusName = status.name
        switch status.final {
        case "won":
            deal.outcome = "won"
            deal.closedOn = deal.closedOn ?? Self.today(now)
            deal.actualValue = deal.actualValue ?? deal.value
        case "lost":
            deal.outcome = "lost"
            deal.closedOn = deal.closedOn ?? Self.today(now)
            deal.actualValue = nil
        default:
            deal.outcome = "open"
            deal.closedOn = nil
            deal.actualValue = nil
            deal.reasonId = nil
        }
    }

    /// Writes a changed deal with a new version, its stage history, totals and event.
    static func save(_ db: Database, _ outbox: Outbox, before: Deal, after: Deal, actor: String?, now: Date) throws -> Deal {
        var deal = after
        deal.version = before.version + 1
        deal.updatedAt = now
        deal.weightedValue = Money.weighted(deal.value, deal.probability)
        if before.deletedAt == nil { try Totals.remove(db, before) }
        try db.execute(
            sql: """
                UPDATE deal SET customer_name = ?, customer_owner_id = ?, project_id = ?, process_id = ?, owner_id = ?, subject = ?,
                    status_id = ?, status_name = ?, outcome = ?, stage_id = ?, category_id = ?, source_id = ?, value = ?, currency = ?,
                    probability = ?, probability_source = ?, weight_label = ?, weighted = ?, expected_close = ?, closed_on = ?,
                    actual_value = ?, reason_id = ?, reason_note = ?, next_follow_up = ?, position = ?, version = ?, updated_at = ?,
                    deleted_at = ?
                WHERE id = ?
                """,
            arguments: [
                deal.customerName, deal.customerOwnerId, deal.projectId, deal.processId, deal.ownerId, deal.subject, deal.statusId,
                deal.statusName, deal.outcome, deal.stageId, deal.categoryId, deal.sourceId, deal.value, deal.currency,
                deal.probability, deal.probabilitySource, deal.weightLabel, deal.weightedValue, deal.expectedClose, deal.closedOn,
                deal.actualValue, deal.reasonId, deal.reasonNote, deal.nextFollowUp, deal.position, deal.version,
                DatabaseDate.string(deal.updatedAt), DatabaseDate.string(deal.deletedAt), deal.id,
            ])
        if deal.contacts != before.contacts || deal.colleagues != before.colleagues { try storePeople(db, deal) }
        if deal.deletedAt == nil { try Totals.add(db, deal) }
        let moved = deal.statusId != before.statusId || deal.outcome != before.outcome
        if moved {
            try db.execute(
                sql: "UPDATE deal_stage SET left_at = ? WHERE deal_id = ? AND left_at IS NULL",
                arguments: [DatabaseDate.string(now), deal.id])
            try recordStage(db, deal, actor: actor, now: now)
        }
        let changed = DealChanged(
            deal: deal, fromStatusId: moved ? before.statusId : nil, fromStatusName: moved ? before.statusName : nil, actor: actor)
        let event: String =
            if before.deletedAt == nil && deal.deletedAt != nil {
                SalesContract.Event.deleted
            } else if before.deletedAt != nil && deal.deletedAt == nil {
                SalesContract.Event.restored
            } else if deal.outcome != before.outcome {
                switch deal.outcome {
                case "won": SalesContract.Event.won
                case "lost": SalesContract.Event.lost
                case "postponed": SalesContract.Event.postponed
                default: SalesContract.Event.reopened
                }
            } else if moved { SalesContract.Event.moved } else { SalesContract.Event.updated }
        try outbox.append(db, type: event, payload: changed)
        return deal
    }

    static func insert(_ db: Database, _ deal: inout Deal) throws {
        deal.weightedValue = Money.weighted(deal.value, deal.probability)
        try db.execute(
            sql: """
                INSERT INTO deal (customer_kind, customer_id, customer_name, customer_owner_id, project_id, process_id, owner_id, subject,
                    status_id, status_name, outcome, stage_id, category_id, source_id, value, currency, probability, probability_source,
                    weight_label, weighted, expected_close, closed_on, actual_value, reason_id, reason_note, next_follow_up, position,
                    version, created_at, updated_at, deleted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                """,
            arguments: [
                deal.customerKind, deal.customerId, deal.customerName, deal.customerOwnerId, deal.projectId, deal.processId,
                deal.ownerId, deal.subject, deal.statusId, deal.statusName, deal.outcome, deal.stageId, deal.categoryId, deal.sourceId,
                deal.value, deal.currency, deal.probability, deal.probabilitySource, deal.weightLabel, deal.weightedValue,
                deal.expectedClose, deal.closedOn, deal.actualValue, deal.reasonId, deal.reasonNote, deal.nextFollowUp, deal.position,
                deal.version, DatabaseDate.string(deal.createdAt), DatabaseDate.string(deal.updatedAt),
            ])
        deal.id = db.lastInsertedRowID
    }

    static func storePeople(_ db: Database, _ deal: Deal) throws {
        try db.execute(sql: "DELETE FROM deal_person WHERE deal_id = ?", arguments: [deal.id])
        for (kind, people) in [("contact", deal.contacts), ("colleague", deal.colleagues)] {
            for person in people {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO deal_person (deal_id, kind, person_id, role) VALUES (?, ?, ?, ?)",
                    arguments: [deal.id, kind, person.id, person.role])
            }
        }
    }

    static func recordStage(_ db: Database, _ deal: Deal, actor: String?, now: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO deal_stage (deal_id, status_id, status_name, process_id, project_id, entered_at, moved_by)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [deal.id, deal.statusId, deal.statusName, deal.processId, deal.projectId, DatabaseDate.string(now), actor])
    }

    /// After the last card of the deal's column.
    static func endOfColumn(_ db: Database, _ deal: Deal) throws -> Double {
        let last = try Double.fetchOne(
            db, sql: "SELECT MAX(position) FROM deal WHERE project_id = ? AND outcome = ? AND status_id = ? AND deleted_at IS NULL",
            arguments: [deal.projectId, deal.outcome, deal.statusId])
        return (last ?? 0) + 1024
    }

    /// Between the cards it was dropped between (ids of its new column), or at the end.
    static func position(_ db: Database, _ deal: Deal, before: Int64?, after: Int64?) throws -> Double {
        func at(_ id: Int64?) throws -> Double? {
            guard let id, id != deal.id else { return nil }
            return try Double.fetchOne(
                db,
                sql: "SELECT position FROM deal WHERE id = ? AND project_id = ? AND outcome = ? AND status_id = ? AND deleted_at IS NULL",
                arguments: [id, deal.projectId, deal.outcome, deal.statusId])
        }
        let (upper, lower) = (try at(before), try at(after))
        switch (lower, upper) {
        case (let low?, let high?) where high > low:
            if high - low > 1e-6 { return (low + high) / 2 }
            // No room left between them: spread the column out again, then place it.
            try db.execute(
                sql: """
                    UPDATE deal SET position = (SELECT COUNT(*) FROM deal d2 WHERE d2.project_id = deal.project_id
                        AND d2.outcome = deal.outcome AND d2.status_id = deal.status_id AND d2.deleted_at IS NULL
                        AND (d2.position < deal.position OR d2.position = deal.position AND d2.id <= deal.id)) * 1024.0
                    WHERE project_id = ? AND outcome = ? AND status_id = ? AND deleted_at IS NULL
                    """, arguments: [deal.projectId, deal.outcome, deal.statusId])
            return try position(db, deal, before: before, after: after)
        case (let low?, nil): return low + 1024
        case (nil, let high?): return high - 1024
        default: return try endOfColumn(db, deal)
        }
    }

    static func today(_ now: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

}

extension String {
    var nilIfBlank: String? { trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : self }
}
