import Bus
import Contracts
import Foundation
import ServiceKit

/// The telephony service's bus methods.
struct CallHandlers: Sendable {
    let store: CallStore

    var methods: MethodTable {
        let store = store
        var table = MethodTable(service: TelephonyContract.service)
        table.raw(TelephonyContract.Method.ingest) { request in
            try await store.ingest(try CallEventJSON.request(request.body), requestId: request.requestId)
        }
        table.raw(TelephonyContract.Method.ingestQueued) { request in
            try await store.ingestQueued(request.body, requestId: request.requestId)
        }
        table.raw(TelephonyContract.Method.ingestFormat) { request in
            try await store.ingestFormat(try decodeBody(FormatIngestRequest.self, request), requestId: request.requestId)
        }
        table.on(TelephonyContract.Method.listCalls) { body, incoming in
            try await store.list(body, headers: incoming.headers)
        }
        table.on(TelephonyContract.Method.getCall) { body, incoming in
            try await store.get(id: body.id, headers: incoming.headers)
        }
        table.on(TelephonyContract.Method.unmatched) { body, _ in try await store.unmatched(body) }
        table.on(TelephonyContract.Method.speakers) { body, incoming in
            try await store.speakers(body, headers: incoming.headers)
        }
        table.on(TelephonyContract.Method.callsOfPerson, openToServices: true) { body, incoming in
            guard body.contactId != nil else { throw BusError.invalid("name the person: contact_id") }
            guard incoming.headers.userId == nil || incoming.headers.isBoss else {
                throw BusError.forbidden("only a boss exports a person's calls")
            }
            return try await store.list(body, headers: incoming.headers)
        }
        return table
    }
}
