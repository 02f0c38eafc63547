import Contracts
import Foundation

// The tasks service's schemas (issue 18), apart from `APISchemas.all` so neither file nor
// function grows past what reads (and optimizes) well.
extension APISchemas {
    /// Tasks (issue 18): tasks, the task board, appointments, feeds, answers.
    static var tasks: [String: Any] {
        let ids = ["type": "array", "maxItems": 50, "items": id] as [String: Any]
        let dueDay: [String: Any] = ["anyOf": [date, ["type": "string", "maxLength": 0]]]
        let zone: [String: Any] = ["type": "string", "enum": TimeZone.knownTimeZoneIdentifiers.sorted()]
        let statuses = oneOf(TaskItem.statuses)
        let task = object([
            "id": integer, "title": string, "description": string, "status": string, "owner_id": integer, "owner_name": string,
            "category_id": integer, "category_name": string, "category_colour": string, "priority": string, "due_date": string,
            "due_at": time, "due_zone": string, "company_ids": array(integer), "contact_ids": array(integer), "deal_ids": array(integer),
            "origin": string, "caller_number": string, "missed_calls": integer, "add_to_calendar": boolean, "completed_at": time,
            "position": number, "version": integer, "created_at": time, "updated_at": time, "deleted_at": time,
        ])
        let weekday = oneOf(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])
        let recurrence = object(
            [
                "frequency": oneOf(["daily", "weekly", "monthly", "yearly"]),
                "interval": ["type": "integer", "minimum": 1, "maximum": 999],
                "count": ["type": "integer", "minimum": 1, "maximum": 999], "until": date,
                "by_day": [
                    "type": "array", "maxItems": 7,
                    "items": ["anyOf": [weekday, ["type": "string", "pattern": "^(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)$"]]],
                ],
                "by_month_day": [
                    "anyOf": [["type": "integer", "minimum": 1, "maximum": 31], ["type": "integer", "minimum": -1, "maximum": -1]]
                ],
                "by_month": ["type": "integer", "minimum": 1, "maximum": 12],
                "excluded": ["type": "array", "maxItems": 1000, "items": time],
            ], required: ["frequency"])
        let change = object(
            [
                "original_start": time, "start": time, "end": time, "subject": label(300), "place": ["type": "string", "maxLength": 500],
                "cancelled": boolean,
            ], required: ["original_start"])
        let attendee = object(
            [
                "kind": oneOf(["user", "contact", "email"]), "id": id, "name": ["type": "string", "maxLength": 200],
                "email": [
                    "type": "string", "maxLength": 254,
                    "pattern": "^[^@\\s<>(),;:\"\\[\\]]+@[^@\\s<>(),;:\"\\[\\]]+\\.[^@\\s<>(),;:\"\\[\\].]+$",
                ],
            ], required: ["kind"])
        let appointmentFields: [String: [String: Any]] = [
            "subject": label(300), "description": ["type": "string", "maxLength": 10_000], "place": ["type": "string", "maxLength": 500],
            "meeting_url": ["type": "string", "maxLength": 2000, "pattern": "^(https?://[^\\s/]+.*)?$"], "all_day": boolean,
            "start": time, "end": time, "zone": zone, "start_date": date, "end_date": date, "recurrence": recurrence,
            "clear_recurrence": boolean, "exceptions": ["type": "array", "maxItems": 500, "items": change], "organizer_id": id,
            "attendees": ["type": "array", "maxItems": 100, "items": attendee], "company_ids": ids, "contact_ids": ids,
            "deal_ids": ids, "alarms": ["type": "array", "maxItems": 5, "items": ["type": "integer", "minimum": 0, "maximum": 40_320]],
            "send_invitations": boolean,
        ]
        var change_ = appointmentFields
        change_["version"] = id
        return [
            "NewTask": object(
                [
                    "title": label(300), "description": ["type": "string", "maxLength": 10_000], "status": statuses, "owner_id": id,
                    "category_id": id, "priority": oneOf(TaskItem.priorities), "due_date": date, "due_at": time, "due_zone": zone,
                    "company_ids": ids, "contact_ids": ids, "deal_ids": ids, "origin": oneOf(["manual", "follow_up"]),
                    "add_to_calendar": boolean,
                ], required: ["title"]),
            "TaskChange": object(
                [
                    "version": id, "title": label(300), "description": ["type": "string", "maxLength": 10_000], "status": statuses,
                    "owner_id": ["type": "integer", "minimum": 0, "maximum": Int64.max],
                    "category_id": ["type": "integer", "minimum": 0, "maximum": Int64.max], "priority": oneOf(TaskItem.priorities),
                    "due_date": dueDay, "due_at": time, "due_zone": zone, "clear_due_at": boolean, "company_ids": ids,
                    "contact_ids": ids, "deal_ids": ids, "add_to_calendar": boolean,
                ], required: ["version"]),
            "TaskMove": object(["version": id, "status": statuses, "before_id": id, "after_id": id], required: ["version", "status"]),
            "VersionOnly": object(["version": id], required: ["version"]),
            "Task": task,
            "TaskBoard": object([
                "columns": array(object(["status": string, "count": integer, "cards": array(task), "next_cursor": string]))
            ]),
            "NewAppointment": object(appointmentFields, required: ["subject"]),
            "AppointmentChange": object(change_, required: ["version"]),
            "Appointment": object([
                "id": integer, "uid": string, "sequence": integer, "subject": string, "status": string, "all_day": boolean,
                "start": time, "end": time, "zone": string, "start_date": string, "end_date": string, "attendees": array(object([:])),
                "version": integer,
            ]),
            "NewFeed": object(["group_id": id]),
            "CalendarFeed": object([
                "id": integer, "kind": string, "user_id": integer, "group_id": integer, "token": string, "url": string,
                "webcal_url": string, "created_at": time,
            ]),
            "RSVPAnswer": object(["answer": oneOf(Attendee.answers)], required: ["answer"]),
            "RSVPView": object(["subject": string, "status": string, "cancelled": boolean]),
        ]
    }
}
