import Bus
import Contracts
import Foundation
import ServiceKit

/// The contacts service's bus methods: contacts, companies, links, and what settings asks.
struct ContactHandlers: Sendable {
    let store: ContactStore

    var methods: MethodTable {
        let store = store
        typealias M = ContactsContract.Method
        var table = MethodTable(service: ContactsContract.service)
        table.write(M.create) { try await store.create($0, headers: $1, requestId: $2) }
        table.write(M.update) { try await store.update($0, headers: $1, requestId: $2) }
        table.write(M.delete) { try await store.delete(id: $0.id, headers: $1, requestId: $2) }
        table.write(M.restore) { try await store.restore(id: $0.id, headers: $1, requestId: $2) }
        table.write(M.setCategories) { try await store.setCategories($0, headers: $1, requestId: $2) }
        table.on(M.get) { body, request in try await store.get(id: body.id, headers: request.headers) }
        table.on(M.list) { body, request in try await store.list(body, headers: request.headers) }
        table.on(M.history) { body, request in try await store.history(body, headers: request.headers) }
        table.write(M.createCompany) { try await store.createCompany($0, headers: $1, requestId: $2) }
        table.write(M.updateCompany) { try await store.updateCompany($0, headers: $1, requestId: $2) }
        table.write(M.deleteCompany) {
            try await store.setCompanyDeleted(id: $0.id, deleted: true, headers: $1, requestId: $2)
        }
        table.write(M.restoreCompany) {
            try await store.setCompanyDeleted(id: $0.id, deleted: false, headers: $1, requestId: $2)
        }
        table.write(M.setCompanyCategories) {
            try await store.setCompanyCategories($0, headers: $1, requestId: $2)
        }
        table.on(M.getCompany) { body, request in
            try await store.company(id: body.id, headers: request.headers)
        }
        table.on(M.listCompanies) { body, request in
            try await store.listCompanies(body, headers: request.headers)
        }
        table.on(M.companyHistory) { body, request in
            try await store.companyHistory(body, headers: request.headers)
        }
        table.write(M.anonymize) { try await store.anonymize(id: $0.id, headers: $1, requestId: $2) }
        table.write(M.touch) { try await store.touch(id: $0.id, headers: $1, requestId: $2) }
        table.on(M.cities) { body, request in try await store.cities(body, headers: request.headers) }
        table.on(M.gdprReview) { body, request in
            try await store.gdprReview(limit: body.limit, cursor: body.cursor, headers: request.headers)
        }
        table.on(M.exportPerson) { body, request in try await store.exportPerson(id: body.id, headers: request.headers) }
        table.write(M.addPhone) { try await store.addPhone($0, headers: $1, requestId: $2) }
        table.on(M.importCSV) { body, request in try await store.importCSV(body, headers: request.headers) }
        table.on(M.importVCard) { body, request in try await store.importVCard(body, headers: request.headers) }
        table.on(M.exportCSV) { body, request in
            try await store.exportContactsCSV(body, headers: request.headers)
        }
        table.on(M.exportVCard) { body, request in
            try await store.exportVCards(body, headers: request.headers)
        }
        table.on(M.exportCompaniesCSV) { body, request in
            try await store.exportCompaniesCSV(body, headers: request.headers)
        }
        table.on(M.duplicates) { body, request in
            try await store.duplicates(limit: body.limit, headers: request.headers)
        }
        table.on(M.companyDuplicates) { body, request in
            try await store.companyDuplicates(limit: body.limit, headers: request.headers)
        }
        table.write(M.merge) { try await store.merge($0, headers: $1, requestId: $2) }
        table.write(M.mergeCompanies) { try await store.mergeCompanies($0, headers: $1, requestId: $2) }
        table.on(M.purge) { body, request in try await store.purge(body, headers: request.headers) }
        table.write(M.createNote) { try await store.createNote($0, headers: $1, requestId: $2) }
        table.write(M.updateNote) { try await store.updateNote($0, headers: $1, requestId: $2) }
        table.write(M.deleteNote) { try await store.deleteNote(id: $0.id, headers: $1, requestId: $2) }
        table.on(M.listNotes) { body, request in try await store.notes(body, headers: request.headers) }
        table.write(M.link) { try await store.link($0, headers: $1, requestId: $2) }
        table.write(M.unlink) { try await store.unlink($0, headers: $1, requestId: $2) }
        table.on(M.links) { body, request in try await store.links(body, headers: request.headers) }
        table.on(M.referenceUsage, openToServices: true) { body, _ in try await store.referenceUsage(kind: body.kind, id: body.id)
        }
        table.write(M.referenceMove, openToServices: true) { try await store.moveReference($0, actor: $1.actor, requestId: $2) }
        return table
    }
}
