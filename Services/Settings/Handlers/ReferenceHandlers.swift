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
            M.createReference: { request in
                try await store.createReference(
                    try decodeBody(CreateReferenceRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.updateReference: { request in
                try await store.updateReference(
                    try decodeBody(UpdateReferenceRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.deleteReference: { request in
                try await store.deleteReference(
                    try decodeBody(DeleteReferenceRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.referenceUsage: jsonHandler(ReferenceIdRequest.self) { body, _ in try await store.usage(kind: body.kind, id: body.id) },
            M.moveCustomers: jsonHandler(MoveCustomersRequest.self) { body, request in
                try await store.moveCustomers(body, headers: request.headers, requestId: request.requestId)
            },
            M.listProcesses: jsonHandler(NoParameters.self) { _, _ in try await store.listProcesses() },
            M.getProcess: jsonHandler(IdRequest.self) { body, _ in try await store.process(id: body.id) },
            M.createProcess: { request in
                try await store.createProcess(
                    try decodeBody(CreateProcessRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.updateProcess: { request in
                try await store.updateProcess(
                    try decodeBody(UpdateProcessRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.deleteProcess: { request in
                try await store.deleteProcess(
                    id: try decodeBody(IdRequest.self, request).id, headers: request.headers, requestId: request.requestId)
            },
            M.listFields: jsonHandler(ListFieldsRequest.self) { body, _ in try await store.listFields(body) },
            M.getField: jsonHandler(IdRequest.self) { body, _ in try await store.field(id: body.id) },
            M.createField: { request in
                try await store.createField(
                    try decodeBody(CreateFieldRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.updateField: { request in
                try await store.updateField(
                    try decodeBody(UpdateFieldRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
            M.deleteField: { request in
                try await store.deleteField(
                    id: try decodeBody(IdRequest.self, request).id, headers: request.headers, requestId: request.requestId)
            },
            M.getConfiguration: { request in
                let body = try decodeBody(ConfigurationRequest.self, request)
                if let section = body.section { return try Wire.encode(try await store.configuration(section)) }
                return try Wire.encode(try await store.configuration())
            },
            M.setConfiguration: { request in
                try await store.setConfiguration(
                    try decodeBody(ConfigurationRequest.self, request), headers: request.headers, requestId: request.requestId)
            },
        ]
    }
}
