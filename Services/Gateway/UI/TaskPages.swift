import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The task board (drag and drop, or each card's "Move to"), new tasks from the board and the
/// cards, the calendar of several users (week or month, occurrences expanded by the tasks
/// service), appointments with their attendees and "Send meeting confirmation", my calendar
/// feed's links, and the page an invitation's answer link opens (no login).
struct TaskPages: Sendable {
    typealias M = TasksContract.Method
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/tasks/board", use: board)
        router.post("/tasks", use: createTask)
        router.post("/tasks/:id/move", use: move)
        router.post("/tasks/:id/complete", use: complete)
        router.get("/calendar", use: calendar)
        router.get("/appointments/new", use: newAppointment)
        router.post("/appointments", use: createAppointment)
        router.get("/appointments/:id", use: showAppointment)
        router.post("/appointments/:id/invitations") { request, context in try await appointmentAction("invitations", request, context) }
        router.post("/appointments/:id/cancel") { request, context in try await appointmentAction("cancel", request, context) }
        router.get("/calendar/feeds", use: feeds)
        router.post("/calendar/feeds", use: createFeed)
        router.post("/calendar/feeds/:id/rotate") { request, context in try await feedAction("rotate", request, context) }
        router.post("/calendar/feeds/:id/revoke") { request, context in try await feedAction("revoke", request, context) }
        router.get("/rsvp/:token", use: rsvp)
        router.post("/rsvp/:token", use: rsvp)
    }

    static let statusNames = ["open": "Open", "in_progress": "In progress", "done": "Done", "cancelled": "Cancelled"]

    /// Users by id, for names on cards and the owner choices.
    func users(_ request: Request, _ context: GatewayContext) async -> [(id: Int64, name: String)] {
        let users = (try? await ui.call(SettingsContract.Method.listUsers, ListUsersRequest(), request, context)) ?? []
        return users.filter(\.active).map { ($0.id, $0.name.isEmpty ? $0.username : $0.name) }.sorted { $0.1 < $1.1 }
    }

    func categories(_ request: Request, _ context: GatewayContext) async -> [ReferenceItem] {
        (try? await ui.call(SettingsContract.Method.listReference, ListReferenceRequest(kind: .taskCategories), request, context)) ?? []
    }

    // MARK: - The task board

    @Sendable func board(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let parameters = request.uri.queryParameters
            let owner = parameters.get("owner_id").flatMap { Int64($0) } ?? session.principal.userId
            let category = parameters.get("category_id").flatMap { Int64($0) }
            let closed = parameters.get("closed") == "yes"
            do {
                async let users = users(request, context)
                async let categories = categories(request, context)
                var ask = TaskBoardRequest()
                ask.ownerIds = [owner]
                ask.categoryId = category
                ask.closed = closed
                ask.limit = 50
                let board = try await ui.call(M.board, ask, request, context)
                let back = "/tasks/board?owner_id=\(owner)" + (category.map { "&category_id=\($0)" } ?? "") + (closed ? "&closed=yes" : "")
                let statuses = TaskItem.statuses
                let values: [String: Any] = [
                    "owners": await users.map { ["id": $0.id, "name": $0.name, "selected": $0.id == owner] },
                    "categories": await categories.filter(\.active).map {
                        ["id": $0.id, "name": $0.name, "selected": $0.id == category] as [String: Any]
                    },
                    "closed": closed, "back": back, "owner_id": owner,
                    "columns": board.columns.map { column -> [String: Any] in
                        [
                            "status": column.status, "name": Self.statusNames[column.status] ?? column.status, "count": column.count,
                            "more": column.count - column.cards.count, "has_more": column.count > column.cards.count,
                            "cards": column.cards.map { Self.card($0, targets: statuses, back: back) },
                        ]
                    },
                ]
                return ui.renderer.page("task_board", title: "Tasks", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    static func card(_ task: TaskItem, targets: [String], back: String) -> [String: Any] {
        var values: [String: Any] = [
            "id": task.id, "version": task.version, "title": task.title, "priority": task.priority, "high": task.priority == "high",
            "back": back, "open": task.status != "done" && task.status != "cancelled",
            "targets": targets.map { ["value": $0, "name": statusNames[$0] ?? $0, "selected": $0 == task.status] as [String: Any] },
        ]
        if let due = dueText(task) { values["due"] = due }
        if let name = task.categoryName { values["category"] = name }
        if let colour = task.categoryColour, colour.allSatisfy({ $0.isHexDigit || $0 == "#" }) { values["colour"] = colour }
        if let number = task.callerNumber { values["caller"] = number }
        if let contact = task.contactIds.first {
            values["customer_path"] = "/contacts/\(contact)"
        } else if let company = task.companyIds.first {
            values["customer_path"] = "/companies/\(company)"
        }
        return values
    }

    static func dueText(_ task: TaskItem) -> String? {
        if let day = task.dueDate { return day }
        guard let at = task.dueAt else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: task.dueZone ?? "UTC") ?? TimeZone(identifier: "UTC")!
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: at)
    }

    @Sendable func createTask(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            do {
                var ask = CreateTaskRequest(title: fields["title"] ?? "")
                ask.description = fields["description"].flatMap { $0.isEmpty ? nil : $0 }
                ask.priority = fields["priority"].flatMap { $0.isEmpty ? nil : $0 }
                ask.categoryId = fields["category_id"].flatMap { Int64($0) }
                ask.ownerId = fields["owner_id"].flatMap { Int64($0) }
                if let day = fields["due_date"], !day.isEmpty {
                    if let time = fields["due_time"], !time.isEmpty {
                        let zone = fields["due_zone"].flatMap { $0.isEmpty ? nil : $0 } ?? "Europe/Oslo"
                        guard let at = Self.instant(day: day, time: time, zone: zone) else {
                            throw BusError.invalid("'\(day) \(time)' is not a date and time")
                        }
                        ask.dueAt = at
                        ask.dueZone = zone
                    } else {
                        ask.dueDate = day
                    }
                }
                if let id = fields["contact_id"].flatMap({ Int64($0) }) { ask.contactIds = [id] }
                if let id = fields["company_id"].flatMap({ Int64($0) }) { ask.companyIds = [id] }
                if fields["follow_up"] == "yes" {
                    ask.origin = "follow_up"
                    ask.addToCalendar = true
                }
                _ = try await ui.call(M.createTask, ask, request, context)
                return PageRenderer.redirect(SalesPages.safeBack(fields["back"], or: "/tasks/board"))
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func move(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            do {
                let id = try pathID(context)
                guard let version = fields["version"].flatMap({ Int64($0) }), let status = fields["status"] else {
                    throw BusError.invalid("a move names the task's version and the status it goes to")
                }
                let after = fields["after_id"].flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
                _ = try await ui.call(
                    M.moveTask, MoveTaskRequest(id: id, version: version, status: status, afterId: after), request, context)
                return PageRenderer.redirect(SalesPages.safeBack(fields["back"], or: "/tasks/board"))
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func complete(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            do {
                guard let version = fields["version"].flatMap({ Int64($0) }) else {
                    throw BusError.invalid("the form lacks the task's version")
                }
                _ = try await ui.call(M.completeTask, TaskVersionRequest(id: try pathID(context), version: version), request, context)
                return PageRenderer.redirect(SalesPages.safeBack(fields["back"], or: "/tasks/board"))
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    // MARK: - The calendar

    /// A week (Monday first) or a month of the chosen users' occurrences, shown in `zone`.
    @Sendable func calendar(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let parameters = request.uri.queryParameters
            let month = parameters.get("view") == "month"
            let zoneName = parameters.get("zone").map { String($0) }.flatMap { TimeZone(identifier: $0) == nil ? nil : $0 } ?? "Europe/Oslo"
            let zone = TimeZone(identifier: zoneName)!
            let chosen = parameters.getAll("user_id").compactMap { Int64($0) }
            let userIds = chosen.isEmpty ? [session.principal.userId] : Array(chosen.prefix(20))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            calendar.firstWeekday = 2
            let anchor = parameters.get("date").flatMap { Self.day(String($0), zone) } ?? calendar.startOfDay(for: Date())
            let start: Date
            let days: Int
            if month {
                let first = calendar.date(from: calendar.dateComponents([.year, .month], from: anchor))!
                start = calendar.dateInterval(of: .weekOfYear, for: first)!.start
                let last = calendar.date(byAdding: DateComponents(month: 1, day: -1), to: first)!
                let end = calendar.dateInterval(of: .weekOfYear, for: last)!.end
                days = calendar.dateComponents([.day], from: start, to: end).day ?? 35
            } else {
                start = calendar.dateInterval(of: .weekOfYear, for: anchor)!.start
                days = 7
            }
            let end = calendar.date(byAdding: .day, value: days, to: start)!
            do {
                async let users = users(request, context)
                let occurrences = try await ui.call(M.calendar, CalendarRequest(from: start, to: end, userIds: userIds), request, context)
                let names = Dictionary(await users.map { ($0.id, $0.name) }) { a, _ in a }
                let time = DateFormatter()
                time.locale = Locale(identifier: "en_GB")
                time.timeZone = zone
                time.dateFormat = "HH:mm"
                let dayLabel = DateFormatter()
                dayLabel.locale = Locale(identifier: "en_GB")
                dayLabel.timeZone = zone
                dayLabel.dateFormat = month ? "d MMM" : "EEE d MMM"
                let iso = DateFormatter()
                iso.locale = Locale(identifier: "en_US_POSIX")
                iso.timeZone = zone
                iso.dateFormat = "yyyy-MM-dd"
                var cells: [[String: Any]] = []
                for offset in 0..<days {
                    let dayStart = calendar.date(byAdding: .day, value: offset, to: start)!
                    let dayEnd = calendar.date(byAdding: .day, value: 1, to: dayStart)!
                    let key = iso.string(from: dayStart)
                    let items = occurrences.filter { occurrence in
                        if occurrence.allDay {
                            // All-day occurrences are their days in UTC: compare the day's text.
                            let utcDay = Timestamp.string(from: occurrence.start).prefix(10)
                            let utcEnd = Timestamp.string(from: occurrence.end.addingTimeInterval(-1)).prefix(10)
                            return utcDay <= key && key <= utcEnd
                        }
                        return occurrence.start < dayEnd && occurrence.end > dayStart
                            || (occurrence.start == occurrence.end && occurrence.start >= dayStart && occurrence.start < dayEnd)
                    }.map { occurrence -> [String: Any] in
                        [
                            "id": occurrence.appointmentId, "subject": occurrence.subject,
                            "time": occurrence.allDay
                                ? "All day" : "\(time.string(from: occurrence.start))–\(time.string(from: occurrence.end))",
                            "who": occurrence.userIds.compactMap { names[$0] }.joined(separator: ", "), "place": occurrence.place ?? "",
                        ]
                    }
                    cells.append([
                        "date": key, "label": dayLabel.string(from: dayStart), "items": items, "empty": items.isEmpty,
                        "other_month": month && calendar.component(.month, from: dayStart) != calendar.component(.month, from: anchor),
                    ])
                }
                let weeks = stride(from: 0, to: cells.count, by: 7).map { ["days": Array(cells[$0..<min($0 + 7, cells.count)])] }
                let step: Calendar.Component = month ? .month : .weekOfYear
                let userQuery = userIds.map { "&user_id=\($0)" }.joined()
                let link = { (date: Date) in
                    "/calendar?view=\(month ? "month" : "week")&date=\(iso.string(from: date))&zone=\(zoneName)\(userQuery)"
                }
                let title = DateFormatter()
                title.locale = Locale(identifier: "en_GB")
                title.timeZone = zone
                title.dateFormat = month ? "MMMM yyyy" : "'Week of' d MMMM yyyy"
                let values: [String: Any] = [
                    "month": month, "week": !month, "weeks": weeks, "heading": title.string(from: month ? anchor : start),
                    "previous": link(calendar.date(byAdding: step, value: -1, to: anchor)!),
                    "next": link(calendar.date(byAdding: step, value: 1, to: anchor)!),
                    "week_link": "/calendar?view=week&date=\(iso.string(from: anchor))&zone=\(zoneName)\(userQuery)",
                    "month_link": "/calendar?view=month&date=\(iso.string(from: anchor))&zone=\(zoneName)\(userQuery)",
                    "zone": zoneName, "date": iso.string(from: anchor),
                    "users": await users.map { ["id": $0.id, "name": $0.name, "selected": userIds.contains($0.id)] },
                    "count": occurrences.count,
                ]
                return ui.renderer.page("calendar", title: "Calendar", values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    /// Midnight of `YYYY-MM-DD` in `zone`.
    static func day(_ text: String, _ zone: TimeZone) -> Date? {
        guard let days = CalendarDay.parse(text) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: days.0, month: days.1, day: days.2))
    }

    /// A wall-clock day and `HH:MM` in `zone`.
    static func instant(day: String, time: String, zone: String) -> Date? {
        guard let (y, m, d) = CalendarDay.parse(day), let tz = TimeZone(identifier: zone) else { return nil }
        let parts = time.split(separator: ":")
        guard parts.count >= 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = tz
        return calendar.date(from: DateComponents(year: y, month: m, day: d, hour: hour, minute: minute))
    }

    // MARK: - Appointments

    @Sendable func newAppointment(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let parameters = request.uri.queryParameters
            let users = await users(request, context)
            var values: [String: Any] = [
                "users": users.map { ["id": $0.id, "name": $0.name, "me": $0.id == session.principal.userId] },
                "date": parameters.get("date").map { String($0) } ?? "", "zone": "Europe/Oslo",
            ]
            if let contact = parameters.get("contact_id").flatMap({ Int64($0) }) { values["contact_id"] = contact }
            if let company = parameters.get("company_id").flatMap({ Int64($0) }) { values["company_id"] = company }
            return ui.renderer.page("appointment_form", title: "New appointment", values: values, session: session)
        }
    }

    @Sendable func createAppointment(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let pairs = try await ui.formPairs(request, context)
            var fields: [String: String] = [:]
            for pair in pairs where fields[pair.name] == nil { fields[pair.name] = pair.value }
            do {
                var ask = SaveAppointmentRequest()
                ask.subject = fields["subject"] ?? ""
                ask.place = fields["place"].flatMap { $0.isEmpty ? nil : $0 }
                ask.meetingUrl = fields["meeting_url"].flatMap { $0.isEmpty ? nil : $0 }
                ask.description = fields["description"].flatMap { $0.isEmpty ? nil : $0 }
                let day = fields["date"] ?? ""
                if fields["all_day"] == "yes" {
                    ask.allDay = true
                    ask.startDate = day
                    ask.endDate = fields["end_date"].flatMap { $0.isEmpty ? nil : $0 } ?? day
                } else {
                    let zone = fields["zone"].flatMap { $0.isEmpty ? nil : $0 } ?? "Europe/Oslo"
                    guard let start = Self.instant(day: day, time: fields["start_time"] ?? "", zone: zone),
                        let end = Self.instant(day: day, time: fields["end_time"] ?? "", zone: zone)
                    else { throw BusError.invalid("give the appointment's date, its start and its end (HH:MM)") }
                    ask.start = start
                    ask.end = end
                    ask.zone = zone
                }
                if let frequency = fields["repeat"], ["daily", "weekly", "monthly", "yearly"].contains(frequency) {
                    var rule = Recurrence(frequency: frequency)
                    rule.count = fields["repeat_count"].flatMap { Int($0) }
                    ask.recurrence = rule
                }
                var attendees: [NewAttendee] = pairs.filter { $0.name == "attendee_user" }.compactMap { Int64($0.value) }.map {
                    NewAttendee(kind: "user", id: $0)
                }
                let contact = fields["contact_id"].flatMap { Int64($0) }
                let company = fields["company_id"].flatMap { Int64($0) }
                if let contact, fields["invite_contact"] == "yes" { attendees.append(NewAttendee(kind: "contact", id: contact)) }
                for address in (fields["attendee_emails"] ?? "").split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == " " }) {
                    attendees.append(NewAttendee(kind: "email", email: String(address)))
                }
                ask.attendees = attendees
                ask.contactIds = contact.map { [$0] }
                ask.companyIds = company.map { [$0] }
                if let minutes = fields["alarm"].flatMap({ Int($0) }) { ask.alarms = [minutes] }
                ask.sendInvitations = fields["send_invitations"] == "yes"
                let appointment = try await ui.call(M.createAppointment, ask, request, context)
                return PageRenderer.redirect("/appointments/\(appointment.id)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    @Sendable func showAppointment(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            do {
                let appointment = try await ui.call(M.getAppointment, IdRequest(id: try pathID(context)), request, context)
                var values: [String: Any] = [
                    "id": appointment.id, "version": appointment.version, "subject": appointment.subject, "when": Self.when(appointment),
                    "cancelled": appointment.status == "cancelled", "active": appointment.status != "cancelled",
                    "sequence": appointment.sequence, "organizer": appointment.organizerName ?? "",
                    "sent": appointment.invitationsSentAt.map { Timestamp.string(from: $0) } ?? "",
                    "never_sent": appointment.invitationsSentAt == nil,
                    "attendees": appointment.attendees.map { attendee -> [String: Any] in
                        [
                            "name": attendee.name ?? attendee.email ?? "", "email": attendee.email ?? "(no address)",
                            "status": attendee.status.replacingOccurrences(of: "_", with: " "), "kind": attendee.kind,
                        ]
                    },
                    "has_attendees": !appointment.attendees.isEmpty,
                    "contacts": appointment.contactIds.map { ["id": $0] }, "companies": appointment.companyIds.map { ["id": $0] },
                ]
                if let place = appointment.place { values["place"] = place }
                if let url = appointment.meetingUrl, url.hasPrefix("https://") || url.hasPrefix("http://") { values["meeting_url"] = url }
                if let description = appointment.description { values["description"] = description }
                if let rule = appointment.recurrence {
                    values["repeats"] =
                        "Repeats \(rule.frequency)" + (rule.count.map { ", \($0) times" } ?? "") + (rule.until.map { " until \($0)" } ?? "")
                }
                return ui.renderer.page("appointment", title: appointment.subject, values: values, session: session)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    static func when(_ appointment: Appointment) -> String {
        if appointment.allDay {
            let first = appointment.startDate ?? "", last = appointment.endDate ?? first
            return first == last ? "\(first), all day" : "\(first) – \(last), all day"
        }
        guard let start = appointment.start, let end = appointment.end else { return "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: appointment.zone ?? "UTC") ?? TimeZone(identifier: "UTC")!
        formatter.dateFormat = "EEEE d MMMM yyyy HH:mm"
        let hours = DateFormatter()
        hours.timeZone = formatter.timeZone
        hours.dateFormat = "HH:mm"
        return "\(formatter.string(from: start))–\(hours.string(from: end)) (\(formatter.timeZone.identifier))"
    }

    func appointmentAction(_ action: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context)
            do {
                let id = try pathID(context)
                guard let version = fields["version"].flatMap({ Int64($0) }) else { throw BusError.invalid("the form lacks the version") }
                let ask = AppointmentVersionRequest(id: id, version: version)
                _ = try await ui.call(action == "cancel" ? M.cancelAppointment : M.sendInvitations, ask, request, context)
                return PageRenderer.redirect("/appointments/\(id)")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    // MARK: - Feeds

    @Sendable func feeds(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            try await feedsPage(request, context, session, fresh: nil)
        }
    }

    func feedsPage(_ request: Request, _ context: GatewayContext, _ session: UISession, fresh: CalendarFeed?) async throws -> Response {
        do {
            let feeds = try await ui.call(M.listFeeds, NoParameters(), request, context)
            var values: [String: Any] = [
                "feeds": feeds.map { feed -> [String: Any] in
                    [
                        "id": feed.id, "kind": feed.groupId.map { "Group \($0)" } ?? "Mine",
                        "created": Timestamp.string(from: feed.createdAt),
                        "read": feed.lastReadAt.map { Timestamp.string(from: $0) } ?? "never",
                    ]
                },
                "none": feeds.isEmpty,
            ]
            if let token = fresh?.token {
                let base = ui.publicURL ?? "http://\(request.head.authority ?? "localhost")"
                let url = "\(base)/api/v1/feeds/\(token)"
                values["url"] = url
                values["webcal"] =
                    "webcal://" + url.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
            }
            return ui.renderer.page("calendar_feeds", title: "My calendar feed", values: values, session: session)
        } catch let error as BusError {
            return ui.errorPage(error, session: session)
        }
    }

    @Sendable func createFeed(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            do {
                let feed = try await ui.call(M.createFeed, CreateFeedRequest(), request, context)
                return try await feedsPage(request, context, session, fresh: feed)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    func feedAction(_ action: String, _ request: Request, _ context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            _ = try await ui.form(request, context)
            do {
                let id = try pathID(context)
                let feed = try await ui.call(action == "rotate" ? M.rotateFeed : M.revokeFeed, IdRequest(id: id), request, context)
                return try await feedsPage(request, context, session, fresh: action == "rotate" ? feed : nil)
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }

    // MARK: - An attendee's answer (no login)

    /// The page an invitation's link opens: the appointment and a button per answer. A GET never
    /// answers (mail scanners follow links); the button's POST does. The token in the path is
    /// the secret, so the form needs no session.
    @Sendable func rsvp(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        var answer: String?
        if request.method == .post {
            let body = try await ui.api.body(of: request, limit: 4096)
            answer = FormEncoding.pairs(String(decoding: body, as: UTF8.self)).first { $0.name == "answer" }?.value
        }
        let chosen = answer ?? request.uri.queryParameters.get("answer").map { String($0) }
        do {
            let view: RSVPView =
                if let answer {
                    try await ui.call(M.rsvpAnswer, SecretTokenRequest(token: token, answer: answer), request, context)
                } else {
                    try await ui.call(M.rsvpView, SecretTokenRequest(token: token), request, context)
                }
            var when = ""
            if let start = view.start {
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_GB")
                formatter.timeZone = TimeZone(identifier: view.zone ?? "UTC") ?? TimeZone(identifier: "UTC")!
                formatter.dateFormat = "EEEE d MMMM yyyy HH:mm"
                when = formatter.string(from: start) + " (\(formatter.timeZone.identifier))"
            } else {
                when = [view.startDate, view.endDate].compactMap { $0 }.joined(separator: " – ") + ", all day"
            }
            let values: [String: Any] = [
                "subject": view.subject, "when": when, "place": view.place ?? "", "organizer": view.organizerName ?? "",
                "attendee": view.attendeeName ?? "", "status": view.status.replacingOccurrences(of: "_", with: " "),
                "answered": view.status != "needs_action", "cancelled": view.cancelled, "token": token, "saved": answer != nil,
                "answers": [("accepted", "Accept"), ("tentative", "Tentative"), ("declined", "Decline")].map {
                    ["value": $0.0, "label": $0.1, "chosen": $0.0 == chosen]
                },
            ]
            return ui.renderer.page("rsvp", title: view.subject, values: values, session: nil)
        } catch let error as BusError {
            return ui.errorPage(error, session: nil)
        }
    }
}

/// `YYYY-MM-DD` as its parts.
enum CalendarDay {
    static func parse(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...9999).contains(y),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        return (y, m, d)
    }
}
