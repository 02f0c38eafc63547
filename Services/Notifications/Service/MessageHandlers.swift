import Bus
import Contracts
import Foundation
import NotificationsCore
import ServiceKit

/// The notifications service's bus methods.
struct MessageHandlers: Sendable {
    let store: MessageStore
    let sms: SMSStore
    let batches: BatchStore

    var methods: MethodTable {
        let (store, sms, batches) = (store, sms, batches)
        var table = MethodTable(service: NotificationsContract.service)
        typealias M = NotificationsContract.Method
        // Open to services: the tasks service sends meeting invitations as itself.
        table.write(M.sendEmail, openToServices: true) { try await store.sendEmail($0, headers: $1, requestId: $2) }
        table.on(M.getMessage) { body, _ in try await store.get(id: body.id) }
        table.on(M.listMessages) { body, _ in try await store.list(body) }
        table.on(M.smsPreview) { body, _ in
            guard body.text.count <= 1600 else { throw BusError.invalid("an SMS text is at most 1,600 characters") }
            let text = SMSText(body.text)
            return SMSPreview(
                encoding: text.encoding.rawValue, units: text.units, segments: text.segments, perSegment: text.perSegment,
                forcingUcs2: text.forcingUCS2.map { String($0) })
        }
        table.write(M.sendSMS) { try await sms.send($0, headers: $1, requestId: $2) }
        // Receipts are safe to repeat: a state only moves forward.
        table.write(M.webhook) { body, _, requestId in try await sms.webhook(body, requestId: requestId) }
        table.write(M.createBatch) { try await batches.create($0, headers: $1, requestId: $2) }
        table.on(M.getBatch) { body, _ in try await batches.get(id: body.id) }
        table.on(M.listBatches) { body, _ in try await batches.list(body) }
        table.on(M.customerBatches) { body, _ in try await batches.ofCustomer(body) }
        table.on(M.startBatch) { body, _ in try await batches.change(body.id, to: "start") }
        table.on(M.pauseBatch) { body, _ in try await batches.change(body.id, to: "pause") }
        table.on(M.resumeBatch) { body, _ in try await batches.change(body.id, to: "resume") }
        table.on(M.cancelBatch) { body, _ in try await batches.change(body.id, to: "cancel") }
        table.on(M.setConsent) { body, incoming in
            try await sms.database.write { db, outbox in try Consents.set(db, outbox, body, actor: incoming.headers.actor, now: Date()) }
        }
        table.on(M.consents) { body, _ in try await sms.database.read { db in try Consents.state(db, contactId: body.contactId) } }
        return table
    }
}
