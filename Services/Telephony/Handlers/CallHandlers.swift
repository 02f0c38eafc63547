import Bus
import Contracts
import Foundation
import ServiceKit

/// The telephony service's bus methods.
struct CallHandlers: Sendable {
    let store: CallStore

    var all: [String: BusMethodHandler] {
        let store = store
        return [
            TelephonyContract.Method.ingest: { request in
                let body = try decodeBody(IngestRequest.self, request)
                return try await store.ingest(body, requestId: request.requestId)
            },
            TelephonyContract.Method.listCalls: jsonHandler(ListCallsRequest.self) { body, _ in try await store.list(body) },
            TelephonyContract.Method.getCall: jsonHandler(CallIdRequest.self) { body, _ in try await store.get(id: body.id) },
        ]
    }
}
