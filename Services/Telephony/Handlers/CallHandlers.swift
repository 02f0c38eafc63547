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
                try await store.ingest(try CallEventJSON.request(request.body), requestId: request.requestId)
            },
            TelephonyContract.Method.ingestQueued: { request in
                try await store.ingestQueued(request.body, requestId: request.requestId)
            },
            TelephonyContract.Method.ingestFormat: { request in
                try await store.ingestFormat(try decodeBody(FormatIngestRequest.self, request), requestId: request.requestId)
            },
            TelephonyContract.Method.listCalls: jsonHandler(ListCallsRequest.self) { body, incoming in
                try await store.list(body, headers: incoming.headers)
            },
            TelephonyContract.Method.getCall: jsonHandler(CallIdRequest.self) { body, incoming in
                try await store.get(id: body.id, headers: incoming.headers)
            },
            TelephonyContract.Method.unmatched: jsonHandler(UnmatchedRequest.self) { body, _ in try await store.unmatched(body) },
            TelephonyContract.Method.speakers: jsonHandler(SpeakersRequest.self) { body, incoming in
                try await store.speakers(body, headers: incoming.headers)
            },
        ]
    }
}
