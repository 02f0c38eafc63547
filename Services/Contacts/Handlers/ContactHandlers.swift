import Bus
import Contracts
import Foundation
import ServiceKit

/// The contacts service's bus methods: contacts, companies, links, and what settings asks.
struct ContactHandlers: Sendable {
    let store: ContactStore

    var all: [String: BusMethodHandler] {
        let store = store
        typealias M = ContactsContract.Method
        return [
            M.create: writeHandler(CreateContactRequest.self) { try await store.create($0, headers: $1, requestId: $2) },
            M.update: writeHandler(UpdateContactRequest.self) { try await store.update($0, headers: $1, requestId: $2) },
            M.delete: writeHandler(ContactIdRequest.self) { try await store.delete(id: $0.id, headers: $1, requestId: $2) },
            M.restore: writeHandler(ContactIdRequest.self) { try await store.restore(id: $0.id, headers: $1, requestId: $2) },
            M.setCategories: writeHandler(SetCategoriesRequest.self) { try await store.setCategories($0, headers: $1, requestId: $2) },
            M.get: jsonHandler(ContactIdRequest.self) { body, request in try await store.get(id: body.id, headers: request.headers) },
            M.list: jsonHandler(ListContactsRequest.self) { body, request in try await store.list(body, headers: request.headers) },
            M.history: jsonHandler(HistoryRequest.self) { body, request in try await store.history(body, headers: request.headers) },

            M.createCompany: writeHandler(CompanyInput.self) { try await store.createCompany($0, headers: $1, requestId: $2) },
            M.updateCompany: writeHandler(CompanyInput.self) { try await store.updateCompany($0, headers: $1, requestId: $2) },
            M.deleteCompany: writeHandler(ContactIdRequest.self) {
                try await store.setCompanyDeleted(id: $0.id, deleted: true, headers: $1, requestId: $2)
            },
            M.restoreCompany: writeHandler(ContactIdRequest.self) {
                try await store.setCompanyDeleted(id: $0.id, deleted: false, headers: $1, requestId: $2)
            },
            M.setCompanyCategories: writeHandler(SetCategoriesRequest.self) {
                try await store.setCompanyCategories($0, headers: $1, requestId: $2)
            },
            M.getCompany: jsonHandler(ContactIdRequest.self) { body, request in
                try await store.company(id: body.id, headers: request.headers)
            },
            M.listCompanies: jsonHandler(ListCompaniesRequest.self) { body, request in
                try await store.listCompanies(body, headers: request.headers)
            },
            M.companyHistory: jsonHandler(CompanyHistoryRequest.self) { body, request in
                try await store.companyHistory(body, headers: request.headers)
            },

            M.anonymize: writeHandler(ContactIdRequest.self) { try await store.anonymize(id: $0.id, headers: $1, requestId: $2) },
            M.touch: writeHandler(ContactIdRequest.self) { try await store.touch(id: $0.id, headers: $1, requestId: $2) },
            M.gdprReview: jsonHandler(ReviewRequest.self) { body, request in
                try await store.gdprReview(limit: body.limit, cursor: body.cursor, headers: request.headers)
            },
            M.exportPerson: { request in
                try await store.exportPerson(id: try decodeBody(ContactIdRequest.self, request).id, headers: request.headers)
            },
            M.importCSV: jsonHandler(ImportRequest.self) { body, request in try await store.importCSV(body, headers: request.headers) },
            M.importVCard: jsonHandler(ImportRequest.self) { body, request in try await store.importVCard(body, headers: request.headers) },
            M.exportCSV: jsonHandler(ListContactsRequest.self) { body, request in
                try await store.exportContactsCSV(body, headers: request.headers)
            },
            M.exportVCard: jsonHandler(ListContactsRequest.self) { body, request in
                try await store.exportVCards(body, headers: request.headers)
            },
            M.exportCompaniesCSV: jsonHandler(ListCompaniesRequest.self) { body, request in
                try await store.exportCompaniesCSV(body, headers: request.headers)
            },
            M.duplicates: jsonHandler(DuplicatesRequest.self) { body, request in
                try await store.duplicates(limit: body.limit, headers: request.headers)
            },
            M.companyDuplicates: jsonHandler(DuplicatesRequest.self) { body, request in
                try await store.companyDuplicates(limit: body.limit, headers: request.headers)
            },
            M.merge: writeHandler(MergeRequest.self) { try await store.merge($0, headers: $1, requestId: $2) },
            M.mergeCompanies: writeHandler(MergeRequest.self) { try await store.mergeCompanies($0, headers: $1, requestId: $2) },
            M.purge: jsonHandler(PurgeRequest.self) { body, request in try await store.purge(body, headers: request.headers) },
            M.createNote: writeHandler(CreateNoteRequest.self) { try await store.createNote($0, headers: $1, requestId: $2) },
            M.updateNote: writeHandler(UpdateNoteRequest.self) { try await store.updateNote($0, headers: $1, requestId: $2) },
            M.deleteNote: writeHandler(ContactIdRequest.self) { try await store.deleteNote(id: $0.id, headers: $1, requestId: $2) },
            M.listNotes: jsonHandler(ListNotesRequest.self) { body, request in try await store.notes(body, headers: request.headers) },

            M.link: writeHandler(LinkRequest.self) { try await store.link($0, headers: $1, requestId: $2) },
            M.unlink: writeHandler(LinkRequest.self) { try await store.unlink($0, headers: $1, requestId: $2) },
            M.links: jsonHandler(LinksRequest.self) { body, request in try await store.links(body, headers: request.headers) },

            M.referenceUsage: jsonHandler(ReferenceIdRequest.self) { body, _ in try await store.referenceUsage(kind: body.kind, id: body.id)
            },
            M.referenceMove: writeHandler(ReferenceMoveRequest.self) { try await store.moveReference($0, actor: $1.actor, requestId: $2) },
        ]
    }
}
