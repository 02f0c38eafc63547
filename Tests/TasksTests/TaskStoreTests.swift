import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage
import Testing

@testable import TasksService

/// Tasks and appointments on a database of their own, settings' and contacts' side written as
/// their events would: versions, the board, call-back folding, category moves, scrubbing,
/// invitations queued with the change, and answer links.
@Suite("Tasks: tasks, call-backs, appointments and invitations")
struct TaskStoreTests {
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")
    let database: ServiceDatabase
    let tasks: TaskStore
    let appointments: AppointmentStore

    init() async throws {
        database = try ServiceDatabase(inMemory: TasksMigrations.register)
        tasks = TaskStore(database: database)
        appointments = AppointmentStore(database: database, mail: InvitationMail(from: "crm@crm.test", baseURL: "https://crm.test"))
        try await database.write { db, _ in
            try db.execute(
                sql: """
                    INSERT INTO user (id, name, email, boss, active) VALUES (1, 'Admin', 'admin@crm.test', 1, 1), (2, 'Kari', 'kari@crm.test', 0, 1);
                    INSERT INTO category (id, name, colour, active) VALUES (10, 'Call', '#c00', 1), (11, 'Meeting', NULL, 1);
                    """)
            try CustomersConsumer.set(db, kind: "contact", id: 5, name: "Åse Ødegård", owner: 1, email: "ase@kunde.test")
            try CustomersConsumer.set(db, kind: "company", id: 6, name: "Havbris AS", owner: 2, email: nil)
        }
    }

    func create(_ title: String, _ configure: (inout CreateTaskRequest) -> Void = { _ in }) async throws -> TaskItem {
        var request = CreateTaskRequest(title: title)
        configure(&request)
        return try Wire.decode(TaskItem.self, from: try await tasks.create(request, headers: Self.boss, requestId: UUID().uuidString))
    }

    func events() async throws -> [String] {
        try await database.read { db in try String.fetchAll(db, sql: "SELECT type FROM outbox ORDER BY seq") }
    }

    @Test("versions, the board's order, completing; a stale version and bad fields change nothing")
    func versionsAndBoard() async throws {
        let first = try await create("Ring Åse") {
            $0.contactIds = [5]
            $0.categoryId = 10
            $0.dueDate = "2026-12-02"
        }
        #expect(first.categoryName == "Call" && first.categoryColour == "#c00" && first.ownerId == 1 && first.version == 1)
        let second = try await create("Send offer")
        await #expect(throws: BusError.self) {
            _ = try await tasks.update(UpdateTaskRequest(id: first.id, version: 9), headers: Self.boss, requestId: "stale")
        }
        var bad = UpdateTaskRequest(id: first.id, version: 1)
        bad.dueZone = "Mars/Olympus"
        await #expect(throws: BusError.self) { _ = try await tasks.update(bad, headers: Self.boss, requestId: "zone") }
        // Dropped above the first card of its column.
        let moved = try Wire.decode(
            TaskItem.self,
            from: try await tasks.move(
                MoveTaskRequest(id: second.id, version: 1, status: "open", beforeId: first.id), headers: Self.boss, requestId: "m"))
        #expect(moved.position < first.position)
        var board = TaskBoardRequest()
        board.ownerIds = [1]
        let columns = try await tasks.board(board, headers: Self.boss).columns
        #expect(columns.map(\.status) == ["open", "in_progress", "done"])
        #expect(columns[0].cards.map(\.id) == [second.id, first.id] && columns[0].count == 2)
        let done = try Wire.decode(
            TaskItem.self,
            from: try await tasks.change(TaskVersionRequest(id: first.id, version: 1), to: "complete", headers: Self.boss, requestId: "c"))
        #expect(done.status == "done" && done.completedAt != nil && done.version == 2)
        #expect(try await events() == ["task.created", "task.created", "task.updated", "task.completed"])
        // The card's tab.
        var tab = ListTasksRequest()
        tab.contactId = 5
        #expect(try await tasks.list(tab, headers: Self.boss).items.map(\.id) == [first.id])
    }

    @Test("missed calls from one number fold into one open call-back task for the user the call was for")
    func callBacks() async throws {
        func missed(_ id: Int64, at: String) throws -> BusEvent {
            var call = Call(id: id, producer: "pbx", externalId: "c\(id)", direction: "inbound", status: "missed", eventCount: 2)
            call.fromE164 = "+4741223344"
            call.userId = 2
            call.contactIds = [5]
            call.endedAt = ISO8601DateFormatter().date(from: at)
            return BusEvent(source: "telephony", sequence: id, type: TelephonyContract.Event.missed, occurredAt: at, payload: call.wireJSON)
        }
        let calls = [try missed(1, at: "2026-11-27T10:00:00Z"), try missed(2, at: "2026-11-27T10:05:00Z")]
        try await database.write { db, outbox in
            for call in calls { try CallBacks.handle(call, db, outbox, dueAfter: 1800) }
        }
        var request = ListTasksRequest()
        request.origin = "missed_call"
        let found = try await tasks.list(request, headers: Self.boss).items
        #expect(found.count == 1)
        #expect(found[0].ownerId == 2 && found[0].missedCalls == 2 && found[0].contactIds == [5])
        #expect(found[0].dueAt == ISO8601DateFormatter().date(from: "2026-11-27T10:30:00Z"))
    }

    @Test("a category settings deletes with a replacement moves its tasks; anonymising scrubs the person")
    func categoriesAndScrubbing() async throws {
        let task = try await create("Ring Åse Ødegård om tilbudet") {
            $0.contactIds = [5]
            $0.categoryId = 10
            $0.description = "Åse Ødegård (ase@kunde.test) vil ha et nytt tilbud"
        }
        let moved = try await database.write { db, outbox in
            try CategoryUse.move(db, outbox, ReferenceMoveRequest(kind: .taskCategories, from: 10, to: 11), actor: "settings")
        }
        #expect(moved == 1)
        #expect(try await tasks.get(id: task.id, headers: Self.boss).categoryId == 11)
        try await database.write { db, outbox in try Scrubbing.contact(db, outbox, id: 5) }
        let scrubbed = try await tasks.get(id: task.id, headers: Self.boss)
        #expect(scrubbed.title == "Ring (anonymised) om tilbudet")
        #expect(scrubbed.description == "(anonymised) ((anonymised)) vil ha et nytt tilbud")
        #expect(scrubbed.contactIds.isEmpty)
    }

    @Test("invitations are queued with the change: REQUEST, an update with a higher SEQUENCE, CANCEL; answer links verify")
    func invitations() async throws {
        var request = SaveAppointmentRequest()
        request.subject = "Kontraktsmøte"
        request.start = Date(timeIntervalSince1970: 1_796_000_000)
        request.end = request.start!.addingTimeInterval(3600)
        request.zone = "Europe/Oslo"
        request.attendees = [NewAttendee(kind: "contact", id: 5), NewAttendee(kind: "email", email: "lars@firm.test")]
        request.sendInvitations = true
        let made = try Wire.decode(
            Appointment.self, from: try await appointments.save(request, creating: true, headers: Self.boss, requestId: "a"))
        #expect(made.attendees.map(\.email) == ["ase@kunde.test", "lars@firm.test"])
        #expect(made.invitationsSentAt != nil)
        var change = SaveAppointmentRequest()
        change.id = made.id
        change.version = made.version
        change.start = request.start!.addingTimeInterval(7200)
        change.end = request.end!.addingTimeInterval(7200)
        let updated = try Wire.decode(
            Appointment.self, from: try await appointments.save(change, creating: false, headers: Self.boss, requestId: "b"))
        #expect(updated.sequence == made.sequence + 1)
        // Someone added once confirmations went out is invited; the others hear nothing new.
        var added = SaveAppointmentRequest()
        added.id = made.id
        added.version = updated.version
        added.attendees = [
            NewAttendee(kind: "contact", id: 5), NewAttendee(kind: "email", email: "lars@firm.test"),
            NewAttendee(kind: "email", email: "nina@firm.test"),
        ]
        let widened = try Wire.decode(
            Appointment.self, from: try await appointments.save(added, creating: false, headers: Self.boss, requestId: "d"))
        #expect(widened.sequence == updated.sequence)
        _ = try await appointments.cancel(
            AppointmentVersionRequest(id: made.id, version: widened.version), headers: Self.boss, requestId: "c")
        let queued = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT method, sequence, recipient, ics FROM invitation ORDER BY id").map {
                ($0["method"] as String, $0["sequence"] as Int, $0["recipient"] as String, $0["ics"] as String)
            }
        }
        #expect(queued.map(\.0) == ["REQUEST", "REQUEST", "REQUEST", "REQUEST", "REQUEST", "CANCEL", "CANCEL", "CANCEL"])
        #expect(queued.map(\.1) == [0, 0, 1, 1, 1, 2, 2, 2])
        #expect(queued[4].2 == "nina@firm.test")
        #expect(queued.allSatisfy { $0.3.contains("METHOD:\($0.0)\r\n") && $0.3.contains("ORGANIZER;CN=Admin:mailto:crm@crm.test") })
        #expect(queued[5].3.contains("STATUS:CANCELLED"))
        // The attendees kept their rows (and links) across the change; a changed token fails.
        try await database.read { db in
            let ids = try Int64.fetchAll(
                db, sql: "SELECT id FROM attendee WHERE appointment_id = ? ORDER BY position", arguments: [made.id])
            #expect(ids.count == 3)
            let token = try RSVPTokens.token(db, attendeeId: ids[0], uid: made.uid)
            #expect(try RSVPTokens.attendee(db, token: token)?.attendeeId == ids[0])
            let tampered = "\(ids[1])-" + token.split(separator: "-")[1]
            #expect(try RSVPTokens.attendee(db, token: tampered) == nil)
            #expect(try RSVPTokens.attendee(db, token: "not a token") == nil)
        }
    }

    @Test("a deal's next follow-up: a day, an instant (UTC without an offset), or nothing usable")
    func followUpDue() {
        #expect(DealFollowUps.due("2026-12-01")! == ("2026-12-01", nil, nil))
        let instant = DealFollowUps.due("2026-12-01T09:00:00+01:00")!
        #expect(instant.1 == ISO8601DateFormatter().date(from: "2026-12-01T08:00:00Z") && instant.2 == "UTC")
        #expect(DealFollowUps.due("2026-12-01T09:00")?.1 == ISO8601DateFormatter().date(from: "2026-12-01T09:00:00Z"))
        #expect(DealFollowUps.due("2026-02-30") == nil)
    }
}
