import Bus
import Contracts
import Foundation
import ServiceKit

/// Reference data, CRM processes, custom fields and configuration.
struct ReferenceHandlers: Sendable {
    let store: SettingsStore

    var methods: MethodTable {
        let store = store
        typealias M = SettingsContract.Method
        var table = MethodTable(service: SettingsContract.service)
        table.on(M.listReference) { body, _ in try await store.listReference(body) }
        table.on(M.getReference) { body, _ in
            try await store.referenceItem(kind: body.kind, id: body.id)
        }
        table.write(M.createReference) {
            try await store.createReference($0, headers: $1, requestId: $2)
        }
        table.write(M.updateReference) {
            try await store.updateReference($0, headers: $1, requestId: $2)
        }
        table.write(M.deleteReference) {
            try await store.deleteReference($0, headers: $1, requestId: $2)
        }
        table.on(M.referenceUsage) { body, _ in try await store.usage(kind: body.kind, id: body.id) }
        table.on(M.moveCustomers) { body, request in
            try await store.moveCustomers(body, headers: request.headers, requestId: request.requestId)
        }
        table.on(M.listProcesses) { _, _ in try await store.listProcesses() }
        table.on(M.getProcess) { body, _ in try await store.process(id: body.id) }
        table.write(M.createProcess) { try await store.createProcess($0, headers: $1, requestId: $2) }
        table.write(M.updateProcess) { try await store.updateProcess($0, headers: $1, requestId: $2) }
        table.write(M.deleteProcess) { try await store.deleteProcess(id: $0.id, headers: $1, requestId: $2) }
        table.on(M.listFields) { body, _ in try await store.listFields(body) }
        table.on(M.getField) { body, _ in try await store.field(id: body.id) }
        table.write(M.createField) { try await store.createField($0, headers: $1, requestId: $2) }
        table.write(M.updateField) { try await store.updateField($0, headers: $1, requestId: $2) }
        table.write(M.deleteField) { try await store.deleteField(id: $0.id, headers: $1, requestId: $2) }
        table.raw(M.getConfiguration) { request in
            let body = try decodeBody(ConfigurationRequest.self, request)
            if let section = body.section { return try Wire.encode(try await store.configuration(section)) }
            return try Wire.encode(try await store.configuration())
        }
        table.write(M.setConfiguration) {
            try await store.setConfiguration($0, headers: $1, requestId: $2)
        }
        return table
    }
}
