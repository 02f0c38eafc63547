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
        /// A write: the decoded body, the headers and the request id (the idempotency key).
        func write<T: Decodable & Sendable>(
            _ type: T.Type, _ body: @escaping @Sendable (T, BusHeaders, String) async throws -> Data
        ) -> BusMethodHandler {
            { request in try await body(try decodeBody(T.self, request), request.headers, request.requestId) }
        }
        return [
            M.create: write(CreateContactRequest.self) { try await store.create($0, headers: $1, requestId: $2) },
            M.update: write(UpdateContactRequest.self) { try await store.update($0, headers: $1, requestId: $2) },
            M.delete: write(ContactIdRequest.self) { try await store.delete(id: $0.id, headers: $1, requestId: $2) },
            M.restore: write(ContactIdRequest.self) { try await store.restore(id: $0.id, headers: $1, requestId: $2) },
            M.setCategories: write(SetCategoriesRequest.self) { try await store.setCategories($0, headers: $1, requestId: $2) },
            M.get: jsonHandler(ContactIdRequest.self) { body, request in try await store.get(id: body.id, headers: request.headers) },
            M.list: jsonHandler(ListContactsRequest.self) { body, request in try await store.list(body, headers: request.headers) },
            M.history: jsonHandler(HistoryRequest.self) { body, request in try await store.history(body, headers: request.headers) },

            M.createCompany: write(CompanyInput.self) { try await store.createCompany($0, headers: $1, requestId: $2) },
            M.updateCompany: write(CompanyInput.self) { try await store.updateCompany($0, headers: $1, requestId: $2) },
            M.deleteCompany: write(ContactIdRequest.self) {
                try await store.setCompanyDeleted(id: $0.id, deleted: true, headers: $1, requestId: $2)
            },
            M.restoreCompany: write(ContactIdRequest.self) {
                try await store.setCompanyDeleted(id: $0.id, deleted: false, headers: $1, requestId: $2)
            },
            M.setCompanyCategories: write(SetCategoriesRequest.self) {
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

            M.anonymize: write(ContactIdRequest.self) { try await store.anonymize(id: $0.id, headers: $1, requestId: $2) },
            M.touch: write(ContactIdRequest.self) { try await store.touch(id: $0.id, headers: $1, requestId: $2) },
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
            M.merge: write(MergeRequest.self) { try await store.merge($0, headers: $1, requestId: $2) },
            M.mergeCompanies: write(MergeRequest.self) { try await store.mergeCompanies($0, headers: $1, requestId: $2) },
            M.purge: jsonHandler(PurgeRequest.self) { body, request in try await store.purge(body, headers: request.headers) },
            M.createNote: write(CreateNoteRequest.self) { try await store.createNote($0, headers: $1, requestId: $2) },
            M.updateNote: write(UpdateNoteRequest.self) { try await store.updateNote($0, headers: $1, requestId: $2) },
            M.deleteNote: write(ContactIdRequest.self) { try await store.deleteNote(id: $0.id, headers: $1, requestId: $2) },
            M.listNotes: jsonHandler(ListNotesRequest.self) { body, request in try await store.notes(body, headers: request.headers) },

            M.link: write(LinkRequest.self) { try await store.link($0, headers: $1, requestId: $2) },
            M.unlink: write(LinkRequest.self) { try await store.unlink($0, headers: $1, requestId: $2) },
            M.links: jsonHandler(LinksRequest.self) { body, request in try await store.links(body, headers: request.headers) },

            M.referenceUsage: jsonHandler(ReferenceIdRequest.self) { body, _ in try await store.referenceUsage(kind: body.kind, id: body.id)
            },
            M.referenceMove: { request in
                try await store.moveReference(
                    try decodeBody(ReferenceMoveRequest.self, request), actor: request.headers.actor, requestId: request.requestId)
            },
        ]
    }
}
