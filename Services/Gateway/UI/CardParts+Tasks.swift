import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

// A card's Tasks and Appointments tabs, from the tasks service.
extension CardParts {
    /// The customer's tasks (filtered by status and owner from the page's query:
    /// `task_status`, `task_owner`), soonest due first, and its appointments.
    func tasks(of customer: CustomerRef, _ request: Request, _ context: GatewayContext) async -> [String: Any] {
        let kind = customer.isContact ? "contact" : "company"
        var values: [String: Any] = ["tasks_readable": false, "task_kind": kind, "no_tasks": true, "no_appointments": true]
        let parameters = request.uri.queryParameters
        let status = parameters.get("task_status").map { String($0) }.flatMap { TaskItem.statuses.contains($0) ? $0 : nil }
        let owner = parameters.get("task_owner").flatMap { Int64($0) }
        var ask = ListTasksRequest()
        if customer.isContact { ask.contactId = customer.id } else { ask.companyId = customer.id }
        ask.statuses = status.map { [$0] } ?? ["open", "in_progress"]
        ask.ownerIds = owner.map { [$0] }
        ask.limit = 50
        var appointmentsAsk = ListAppointmentsRequest()
        if customer.isContact { appointmentsAsk.contactId = customer.id } else { appointmentsAsk.companyId = customer.id }
        appointmentsAsk.limit = 20
        async let appointments = try? ui.call(TasksContract.Method.listAppointments, appointmentsAsk, request, context)
        async let users = try? ui.call(SettingsContract.Method.listUsers, ListUsersRequest(), request, context)
        guard let page = try? await ui.call(TasksContract.Method.listTasks, ask, request, context) else { return values }
        values["tasks_readable"] = true
        values["no_tasks"] = page.items.isEmpty
        let back = "\(customer.path)?\(status.map { "task_status=\($0)&" } ?? "")#tasks"
        values["tasks"] = page.items.map { TaskPages.card($0, targets: TaskItem.statuses, back: back) }
        values["task_back"] = "\(customer.path)#tasks"
        values["task_statuses"] =
            [("", "Open and in progress")].map { ["value": $0.0, "name": $0.1, "selected": status == nil] }
            + TaskItem.statuses.map { ["value": $0, "name": TaskPages.statusNames[$0] ?? $0, "selected": $0 == status] }
        values["task_owners"] = ((await users) ?? []).filter(\.active).map {
            ["id": $0.id, "name": $0.name.isEmpty ? $0.username : $0.name, "selected": $0.id == owner] as [String: Any]
        }
        let found = (await appointments)?.items ?? []
        values["no_appointments"] = found.isEmpty
        values["appointments"] = found.map { appointment -> [String: Any] in
            [
                "id": appointment.id, "subject": appointment.subject, "when": TaskPages.when(appointment),
                "cancelled": appointment.status == "cancelled",
                "answers": appointment.attendees.map {
                    "\($0.name ?? $0.email ?? "?"): \($0.status.replacingOccurrences(of: "_", with: " "))"
                }
                .joined(separator: " · "),
            ]
        }
        values["appointment_query"] = customer.isContact ? "contact_id=\(customer.id)" : "company_id=\(customer.id)"
        return values
    }
}
