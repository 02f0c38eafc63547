import Bus
import Contracts
import Foundation
import ServiceKit

/// The contacts service's bus methods.
struct ContactHandlers: Sendable {
    let store: ContactStore

    var all: [String: BusMethodHandler] {
        let store = store
        return [
            ContactsContract.Method.create: { request in
                let body = try decodeBody(CreateContactRequest.self, request)
                return try await store.create(body, actor: request.headers.actor, requestId: request.requestId)
            },
            ContactsContract.Method.update: { request in
                let body = try decodeBody(UpdateContactRequest.self, request)
                return try await store.update(body, actor: request.headers.actor, requestId: request.requestId)
            },
            ContactsContract.Method.delete: { request in
                let body = try decodeBody(ContactIdRequest.self, request)
                return try await store.delete(id: body.id, actor: request.headers.actor, requestId: request.requestId)
            },
            ContactsContract.Method.get: jsonHandler(ContactIdRequest.self) { body, _ in try await store.get(id: body.id) },
            ContactsContract.Method.list: jsonHandler(ListContactsRequest.self) { body, _ in try await store.list(body) },
            ContactsContract.Method.history: jsonHandler(HistoryRequest.self) { body, _ in try await store.history(body) },
            ContactsContract.Method.referenceUsage: jsonHandler(ReferenceIdRequest.self) { body, _ in
                try await store.referenceUsage(kind: body.kind, id: body.id)
            },
            ContactsContract.Method.referenceMove: { request in
                try await store.moveReference(
                    try decodeBody(ReferenceMoveRequest.self, request), actor: request.headers.actor, requestId: request.requestId)
            },
        ]
    }
}
