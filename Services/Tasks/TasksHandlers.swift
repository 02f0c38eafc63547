import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

/// The tasks service's bus methods.
struct TasksHandlers: Sendable {
    let tasks: TaskStore
    let appointments: AppointmentStore
    let feeds: Feeds

    var methods: MethodTable {
        let (tasks, appointments, feeds, database) = (tasks, appointments, feeds, tasks.database)
        var table = MethodTable(service: TasksContract.service)
        typealias M = TasksContract.Method
        table.write(M.createTask) { try await tasks.create($0, headers: $1, requestId: $2) }
        table.on(M.getTask) { body, incoming in try await tasks.get(id: body.id, headers: incoming.headers) }
        table.on(M.listTasks) { body, incoming in try await tasks.list(body, headers: incoming.headers) }
        table.write(M.updateTask) { try await tasks.update($0, headers: $1, requestId: $2) }
        table.write(M.moveTask) { try await tasks.move($0, headers: $1, requestId: $2) }
        table.write(M.completeTask) { try await tasks.change($0, to: "complete", headers: $1, requestId: $2) }
        table.write(M.reopenTask) { try await tasks.change($0, to: "reopen", headers: $1, requestId: $2) }
        table.write(M.deleteTask) { try await tasks.change($0, to: "delete", headers: $1, requestId: $2) }
        table.on(M.board) { body, incoming in try await tasks.board(body, headers: incoming.headers) }

        table.write(M.createAppointment) { try await appointments.save($0, creating: true, headers: $1, requestId: $2) }
        table.on(M.getAppointment) { body, incoming in try await appointments.get(id: body.id, headers: incoming.headers) }
        table.on(M.listAppointments) { body, incoming in try await appointments.list(body, headers: incoming.headers) }
        table.write(M.updateAppointment) { try await appointments.save($0, creating: false, headers: $1, requestId: $2) }
        table.write(M.cancelAppointment) { try await appointments.cancel($0, headers: $1, requestId: $2) }
        table.write(M.sendInvitations) { try await appointments.sendInvitations($0, headers: $1, requestId: $2) }
        table.on(M.appointmentICS) { body, incoming in try await appointments.ics(id: body.id, headers: incoming.headers) }
        table.on(M.calendar) { body, incoming in try await appointments.calendar(body, headers: incoming.headers) }

        table.on(M.listFeeds) { _, incoming in try await feeds.list(headers: incoming.headers) }
        table.write(M.createFeed) { try await feeds.create($0, headers: $1, requestId: $2) }
        table.write(M.rotateFeed) { body, headers, requestId in
            try await feeds.change(body.id, revoke: false, headers: headers, requestId: requestId)
        }
        table.write(M.revokeFeed) { body, headers, requestId in
            try await feeds.change(body.id, revoke: true, headers: headers, requestId: requestId)
        }
        table.on(M.readFeed) { body, _ in try await feeds.read(token: body.token) }
        table.write(M.rsvpView) { body, _, requestId in try await feeds.rsvp(body, answer: false, requestId: requestId) }
        table.write(M.rsvpAnswer) { body, _, requestId in try await feeds.rsvp(body, answer: true, requestId: requestId) }

        table.on(M.referenceUsage, openToServices: true) { body, _ in
            try await database.read { db in ReferenceCount(count: try CategoryUse.count(db, kind: body.kind, id: body.id)) }
        }
        table.write(M.referenceMove, openToServices: true) { body, headers, requestId in
            try await database.idempotentWrite(requestId: requestId, method: M.referenceMove) { db, outbox in
                ReferenceCount(count: try CategoryUse.move(db, outbox, body, actor: headers.actor))
            }
        }
        return table
    }
}
