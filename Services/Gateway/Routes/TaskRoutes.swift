import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// The tasks service: tasks and their board, appointments with invitations, the calendar of
/// several users, calendar feeds (public by secret token) and attendees' answers (public by link).
struct TaskRoutes: Sendable {
    typealias M = TasksContract.Method

    let api: APIForwarder
    let publicURL: String?

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.tasksRead), write = RoutePolicy.scope(Scope.tasksWrite)
        routes.add(
            .get, "/api/v1/tasks", read, tag: "tasks",
            summary: "Tasks filtered by owner, status, category, due period, link or origin; by due (soonest first) or board position",
            query: Self.listQuery, namesItems: true
        ) { request, context in
            try await api.forward(request, context: context, method: M.listTasks, query: try Self.listBody(request))
        }
        routes.add(
            .post, "/api/v1/tasks", write, tag: "tasks", summary: "Create a task (owner: the caller unless given)", body: "NewTask",
            reply: "Task", status: .created, namesItems: true
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.createTask, fields: [:], status: .created)
        }
        routes.add(
            .get, "/api/v1/tasks/board", read, tag: "tasks",
            summary: "The task board: a column per status with its count and first cards (owners: the caller unless given)",
            query: ["owner_ids", "category_id", "closed", "status:open,in_progress,done,cancelled", "cursor", "limit"], reply: "TaskBoard",
            namesItems: true
        ) { request, context in
            var query = QueryBody()
            try Self.ids("owner_ids", from: request, into: &query)
            try query.integer("category_id", from: request)
            try query.boolean("closed", from: request)
            // One column's next page: `status` and the cursor it handed out.
            query.text("status", from: request, as: "column")
            try query.page(from: request)
            return try await api.forward(request, context: context, method: M.board, query: query)
        }
        routes.add(.get, "/api/v1/tasks/:id", read, tag: "tasks", summary: "A task", reply: "Task") { request, context in
            try await api.forward(request, context: context, method: M.getTask, query: try QueryBody(id: "id", from: context))
        }
        routes.add(
            .patch, "/api/v1/tasks/:id", write, tag: "tasks", summary: "Change a task, naming the version it was read at (409 when stale)",
            body: "TaskChange", reply: "Task"
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.updateTask, fields: ["id": try pathID(context)])
        }
        routes.add(
            .post, "/api/v1/tasks/:id/move", write, tag: "tasks", summary: "Move a task on the board: its status and place",
            body: "TaskMove", reply: "Task"
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.moveTask, fields: ["id": try pathID(context)])
        }
        for (action, method, summary) in [
            ("complete", M.completeTask, "Mark a task done"), ("reopen", M.reopenTask, "Reopen a done or cancelled task"),
        ] {
            routes.add(.post, "/api/v1/tasks/:id/\(action)", write, tag: "tasks", summary: summary, body: "VersionOnly", reply: "Task") {
                request, context in
                try await api.forwardMerged(request, context: context, method: method, fields: ["id": try pathID(context)])
            }
        }
        routes.add(.delete, "/api/v1/tasks/:id", write, tag: "tasks", summary: "Delete a task", query: ["version"], reply: "Task") {
            request, context in
            var query = try QueryBody(id: "id", from: context)
            guard request.uri.queryParameters.get("version").map({ !$0.isEmpty }) == true else {
                throw BusError.conflict("a task is deleted at the version it was read at: give ?version=")
            }
            try query.integer("version", from: request)
            return try await api.forward(request, context: context, method: M.deleteTask, query: query)
        }
        for (plural, kind) in [("contacts", "contact"), ("companies", "company"), ("deals", "deal")] {
            routes.add(
                .get, "/api/v1/\(plural)/:id/tasks", read, tag: "tasks", summary: "The \(kind)'s tasks (its card's Tasks tab)",
                query: ["owner_ids", "statuses", "sort:due,position", "cursor", "limit"]
            ) { request, context in
                var query = try Self.listBody(request)
                query.set("\(kind)_id", try pathID(context))
                return try await api.forward(request, context: context, method: M.listTasks, query: query)
            }
            routes.add(
                .get, "/api/v1/\(plural)/:id/appointments", read, tag: "appointments",
                summary: "The \(kind)'s appointments (its card's Appointments tab), newest first", query: ["cancelled", "cursor", "limit"]
            ) { request, context in
                var query = QueryBody()
                query.set("\(kind)_id", try pathID(context))
                try query.boolean("cancelled", from: request)
                try query.page(from: request)
                return try await api.forward(request, context: context, method: M.listAppointments, query: query)
            }
        }
        registerAppointments(on: &routes, read: read, write: write)
        registerCalendar(on: &routes, read: read)
    }

    private func registerAppointments(on routes: inout APIRouter, read: RoutePolicy, write: RoutePolicy) {
        routes.add(
            .get, "/api/v1/appointments", read, tag: "appointments", summary: "Appointments, newest first, by organizer or attendee",
            query: ["user_id", "cancelled", "cursor", "limit"], namesItems: true
        ) { request, context in
            var query = QueryBody()
            try query.integer("user_id", from: request)
            try query.boolean("cancelled", from: request)
            try query.page(from: request)
            return try await api.forward(request, context: context, method: M.listAppointments, query: query)
        }
        routes.add(
            .post, "/api/v1/appointments", write, tag: "appointments",
            summary: "Create an appointment (timed in an IANA zone, or all-day), perhaps recurring; send_invitations mails the attendees",
            body: "NewAppointment", reply: "Appointment", status: .created, namesItems: true
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.createAppointment, fields: [:], status: .created)
        }
        routes.add(.get, "/api/v1/appointments/:id", read, tag: "appointments", summary: "An appointment", reply: "Appointment") {
            request, context in
            try await api.forward(request, context: context, method: M.getAppointment, query: try QueryBody(id: "id", from: context))
        }
        routes.add(
            .patch, "/api/v1/appointments/:id", write, tag: "appointments",
            summary:
                "Change an appointment (with its version); once confirmations went out, attendees get the update (same UID, higher SEQUENCE)",
            body: "AppointmentChange", reply: "Appointment"
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.updateAppointment, fields: ["id": try pathID(context)])
        }
        routes.add(
            .post, "/api/v1/appointments/:id/cancel", write, tag: "appointments",
            summary: "Cancel an appointment; attendees who had the confirmation get METHOD:CANCEL", body: "VersionOnly",
            reply: "Appointment"
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.cancelAppointment, fields: ["id": try pathID(context)])
        }
        routes.add(
            .post, "/api/v1/appointments/:id/invitations", write, tag: "appointments",
            summary: "Send the meeting confirmation: an iMIP REQUEST to every attendee with an address, each with answer links",
            body: "VersionOnly", reply: "Appointment"
        ) { request, context in
            try await api.forwardMerged(request, context: context, method: M.sendInvitations, fields: ["id": try pathID(context)])
        }
        routes.add(
            .get, "/api/v1/appointments/:id/ics", read, tag: "appointments", summary: "The appointment as a single .ics file",
            reply: "media:text/calendar"
        ) { request, context in
            let object = try await api.callDecoded(
                request, context: context, method: M.appointmentICS, body: IdRequest(id: try pathID(context)))
            return Self.calendar(object, request: request, download: true)
        }
    }

    private func registerCalendar(on routes: inout APIRouter, read: RoutePolicy) {
        routes.add(
            .get, "/api/v1/calendar", read, tag: "calendar",
            summary:
                "Every occurrence of the users' appointments starting in a period (expanded on the server, UTC); users: the caller unless given",
            query: ["from", "to", "user_ids"], namesItems: true, conflicts: true
        ) { request, context in
            var query = QueryBody()
            let parameters = request.uri.queryParameters
            // Without a period: the week from today (UTC).
            let today = Date(timeIntervalSince1970: floor(Date().timeIntervalSince1970 / 86_400) * 86_400)
            var period = (from: today, to: today.addingTimeInterval(7 * 86_400))
            for name in ["from", "to"] {
                guard let text = parameters.get(name), !text.isEmpty else { continue }
                guard let date = Self.instant(text) else {
                    throw BusError.badRequest("\(name) is an ISO 8601 time such as 2026-12-01T00:00:00Z")
                }
                if name == "from" { period.from = date } else { period.to = date }
            }
            query.set("from", Timestamp.string(from: period.from))
            query.set("to", Timestamp.string(from: period.to))
            try Self.ids("user_ids", from: request, into: &query)
            return try await api.forward(request, context: context, method: M.calendar, query: query)
        }
        let own = RoutePolicy.scope(Scope.tasksRead)
        routes.add(.get, "/api/v1/calendar/feeds", own, tag: "calendar", summary: "Your calendar feeds (their tokens are not shown again)")
        {
            request, context in
            try await api.forward(request, context: context, method: M.listFeeds, query: QueryBody())
        }
        routes.add(
            .post, "/api/v1/calendar/feeds", own, tag: "calendar",
            summary: "Make a calendar feed (yours, or a group's): answers its secret https and webcal:// links once",
            body: "NewFeed", reply: "CalendarFeed", status: .created
        ) { request, context in
            let body = try await api.body(of: request)
            let reply = try await api.call(request, context: context, method: M.createFeed, body: body.isEmpty ? Data("{}".utf8) : body)
            return APIForwarder.json(status: .created, body: try withLinks(reply, request))
        }
        routes.add(
            .post, "/api/v1/calendar/feeds/:id/rotate", own, tag: "calendar",
            summary: "Give a feed a new secret token (the old link stops working)", reply: "CalendarFeed"
        ) { request, context in
            let reply = try await api.call(
                request, context: context, method: M.rotateFeed, body: try QueryBody(id: "id", from: context).data())
            return APIForwarder.json(status: .ok, body: try withLinks(reply, request))
        }
        routes.add(.delete, "/api/v1/calendar/feeds/:id", own, tag: "calendar", summary: "Revoke a feed", reply: "CalendarFeed") {
            request, context in
            try await api.forward(request, context: context, method: M.revokeFeed, query: try QueryBody(id: "id", from: context))
        }
        routes.add(
            .get, "/api/v1/feeds/:token", .open, tag: "calendar",
            summary: "A calendar feed by its secret token (no login: calendar apps cannot sign in); ETag and 304",
            reply: "media:text/calendar"
        ) { request, context in
            let token = context.parameters.get("token") ?? ""
            let object = try await api.callDecoded(request, context: context, method: M.readFeed, body: SecretTokenRequest(token: token))
            return Self.calendar(object, request: request, download: false)
        }
        routes.add(
            .get, "/api/v1/rsvp/:token", .open, tag: "calendar", summary: "What an attendee's answer link is for (no login)",
            reply: "RSVPView"
        ) { request, context in
            let token = context.parameters.get("token") ?? ""
            return try await api.forward(
                request, context: context, method: M.rsvpView, body: try Wire.encode(SecretTokenRequest(token: token)))
        }
        routes.add(
            .post, "/api/v1/rsvp/:token", .open, tag: "calendar",
            summary: "An attendee's answer: accepted, declined or tentative (no login)",
            body: "RSVPAnswer", reply: "RSVPView"
        ) { request, context in
            let token = context.parameters.get("token") ?? ""
            return try await api.forwardMerged(request, context: context, method: M.rsvpAnswer, fields: ["token": token])
        }
    }

    /// A feed's reply with its links added: https (or http on a local address) and webcal://.
    func withLinks(_ reply: Data, _ request: Request) throws -> Data {
        guard var object = (try JSONSerialization.jsonObject(with: reply)) as? [String: Any], let token = object["token"] as? String else {
            return reply
        }
        let base = publicURL ?? "http://\(request.head.authority ?? "localhost")"
        let url = "\(base)/api/v1/feeds/\(token)"
        object["url"] = url
        object["webcal_url"] =
            "webcal://" + url.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// A calendar object as `text/calendar`, with its ETag, 304 when the client has it.
    static func calendar(_ object: CalendarObject, request: Request, download: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "text/calendar; charset=utf-8", .eTag: object.etag, .cacheControl: "private, max-age=300"]
        if download { headers[.contentDisposition] = "attachment; filename=\"\(object.filename)\"" }
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == object.etag })
        {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: object.ics)))
    }

    static let listQuery = [
        "owner_ids", "statuses", "category_id", "due_from", "due_to", "company_id", "contact_id", "deal_id",
        "origin:manual,missed_call,follow_up", "sort:due,position", "deleted", "cursor", "limit",
    ]

    static func listBody(_ request: Request) throws -> QueryBody {
        var query = QueryBody()
        try ids("owner_ids", from: request, into: &query)
        if let statuses = request.uri.queryParameters.get("statuses"), !statuses.isEmpty {
            query.set("statuses", statuses.split(separator: ",").map(String.init))
        }
        for name in ["category_id", "company_id", "contact_id", "deal_id"] { try query.integer(name, from: request) }
        for name in ["due_from", "due_to", "origin", "sort"] { query.text(name, from: request) }
        try query.boolean("deleted", from: request)
        try query.page(from: request)
        return query
    }

    static func ids(_ name: String, from request: Request, into query: inout QueryBody) throws {
        guard let raw = request.uri.queryParameters.get(name), !raw.isEmpty else { return }
        let ids = raw.split(separator: ",").compactMap { Int64($0) }
        guard ids.count == raw.split(separator: ",", omittingEmptySubsequences: false).count else {
            throw BusError.badRequest("\(name) is ids separated by commas")
        }
        query.set(name, ids)
    }

    static func instant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: String(text)) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: String(text))
    }
}
