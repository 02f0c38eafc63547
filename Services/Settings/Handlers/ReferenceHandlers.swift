import Bus
import Contracts
import Foundation
import ServiceKit

/// Reference data, CRM processes, custom fields and configuration.
struct ReferenceHandlers: Sendable {
    let store: SettingsStore

    var all: [String: BusMethodHandler] {
        let store = store
        typealias M = SettingsContract.Method
        return [
            M.listReference: jsonHandler(ListReferenceRequest.self) { body, _ in try await store.listReference(body) },
            M.getReference: jsonHandler(ReferenceIdRequest.self) { body, _ in
                try await store.referenceItem(kind: body.kind, id: body.id)
            },
            M.createReference: writeHandler(CreateReferenceRequest.self) {
                try await store.createReference($0, headers: $1, requestId: $2)
            },
            M.updateReference: writeHandler(UpdateReferenceRequest.self) {
                try await store.updateReference($0, headers: $1, requestId: $2)
            },
            M.deleteReference: writeHandler(DeleteReferenceRequest.self) {
                try await store.deleteReference($0, headers: $1, requestId: $2)
            },
            M.referenceUsage: jsonHandler(ReferenceIdRequest.self) { body, _ in try await store.usage(kind: body.kind, id: body.id) },
            M.moveCustomers: jsonHandler(MoveCustomersRequest.self) { body, request in
                try await store.moveCustomers(body, headers: request.headers, requestId: request.requestId)
            },
            M.listProcesses: jsonHandler(NoParameters.self) { _, _ in try await store.listProcesses() },
            M.getProcess: jsonHandler(IdRequest.self) { body, _ in try await store.process(id: body.id) },
            M.createProcess: writeHandler(CreateProcessRequest.self) { try await store.createProcess($0, headers: $1, requestId: $2) },
            M.updateProcess: writeHandler(UpdateProcessRequest.self) { try await store.updateProcess($0, headers: $1, requestId: $2) },
            M.deleteProcess: writeHandler(IdRequest.self) { try await store.deleteProcess(id: $0.id, headers: $1, requestId: $2) },
            M.listFields: jsonHandler(ListFieldsRequest.self) { body, _ in try await store.listFields(body) },
            M.getField: jsonHandler(IdRequest.self) { body, _ in try await store.field(id: body.id) },
            M.createField: writeHandler(CreateFieldRequest.self) { try await store.createField($0, headers: $1, requestId: $2) },
            M.updateField: writeHandler(UpdateFieldRequest.self) { try await store.updateField($0, headers: $1, requestId: $2) },
            M.deleteField: writeHandler(IdRequest.self) { try await store.deleteField(id: $0.id, headers: $1, requestId: $2) },
            M.getConfiguration: { request in
                let body = try decodeBody(ConfigurationRequest.self, request)
                if let section = body.section { return try Wire.encode(try await store.configuration(section)) }
                return try Wire.encode(try await store.configuration())
            },
            M.setConfiguration: writeHandler(ConfigurationRequest.self) {
                try await store.setConfiguration($0, headers: $1, requestId: $2)
            },
        ]
    }
}
