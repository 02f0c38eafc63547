import Bus
import Contracts
import Foundation
import NotificationsCore
import ServiceKit

/// The notifications service's bus methods.
struct MessageHandlers: Sendable {
    let store: MessageStore

    var methods: MethodTable {
        let store = store
        var table = MethodTable(service: NotificationsContract.service)
        table.write(NotificationsContract.Method.sendEmail) { try await store.sendEmail($0, headers: $1, requestId: $2) }
        table.on(NotificationsContract.Method.getMessage) { body, _ in try await store.get(id: body.id) }
        table.on(NotificationsContract.Method.listMessages) { body, _ in try await store.list(body) }
        table.on(NotificationsContract.Method.smsPreview) { body, _ in
            guard body.text.count <= 1600 else { throw BusError.invalid("an SMS text is at most 1,600 characters") }
            let sms = SMSText(body.text)
            return SMSPreview(
                encoding: sms.encoding.rawValue, units: sms.units, segments: sms.segments, perSegment: sms.perSegment,
                forcingUcs2: sms.forcingUCS2.map { String($0) })
        }
        return table
    }
}
