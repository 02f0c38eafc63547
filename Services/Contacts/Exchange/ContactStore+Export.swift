import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit

// CSV export of any search result, and vCard 4.0 export of contacts.
extension ContactStore {
    /// The most rows one export holds.
    static let exportCap = 100_000

    func exportContactsCSV(_ request: ListContactsRequest, headers: BusHeaders) async throws -> ExportFile {
        var text = CSVWriter.line([
            "id", "first_name", "last_name", "title", "email", "phone", "street", "postal_code", "city", "country", "birthday", "source",
            "role", "categories", "companies", "consumer", "customer_number", "owner_id", "created_at", "updated_at",
        ])
        var rows = 0
        try await eachContact(request, headers: headers) { contact, names, companies in
            text += CSVWriter.line([
                String(contact.id), contact.firstName, contact.lastName, contact.title ?? "",
                contact.emails.map(\.address).joined(separator: ", "), contact.phones.map(\.number).joined(separator: ", "),
                contact.address?.street ?? "", contact.address?.postalCode ?? "", contact.address?.city ?? "",
                contact.address?.country ?? "",
                contact.birthday ?? "", contact.sourceId.flatMap { names[$0] } ?? "", contact.roleId.flatMap { names[$0] } ?? "",
                contact.categoryIds.compactMap { names[$0] }.joined(separator: ", "), companies.joined(separator: ", "),
                contact.consumer ? "yes" : "", contact.customerNumber.map { String($0) } ?? "", contact.ownerId.map { String($0) } ?? "",
                Timestamp.string(from: contact.createdAt), Timestamp.string(from: contact.updatedAt),
            ])
            rows += 1
        }
        return ExportFile(contentType: "text/csv; charset=utf-8", filename: "contacts.csv", text: text, rows: rows)
    }

    func exportCompaniesCSV(_ request: ListCompaniesRequest, headers: BusHeaders) async throws -> ExportFile {
        var text = CSVWriter.line([
            "id", "name", "organisation_number", "customer_number", "kinds", "status", "industry", "source", "categories", "email",
            "phone", "website", "street", "postal_code", "city", "country", "owner_id", "created_at", "updated_at",
        ])
        var request = request
        request.limit = 200
        var rows = 0
        let names = try await database.read { db in try ReferenceRules.names(db) }
        repeat {
            let page = try await listCompanies(request, headers: headers)
            for company in page.items {
                let address = company.visitingAddress ?? company.postalAddress
                text += CSVWriter.line([
                    String(company.id), company.name, company.organisationNumber ?? "", company.customerNumber.map { String($0) } ?? "",
                    company.kinds.joined(separator: ", "), company.statusId.flatMap { names[$0] } ?? "",
                    company.industryId.flatMap { names[$0] } ?? "", company.sourceId.flatMap { names[$0] } ?? "",
                    company.categoryIds.compactMap { names[$0] }.joined(separator: ", "),
                    company.emails.map(\.address).joined(separator: ", "),
                    company.phones.map(\.number).joined(separator: ", "), company.website ?? "", address?.street ?? "",
                    address?.postalCode ?? "", address?.city ?? "", address?.country ?? "", company.ownerId.map { String($0) } ?? "",
                    Timestamp.string(from: company.createdAt), Timestamp.string(from: company.updatedAt),
                ])
                rows += 1
            }
            request.cursor = page.nextCursor
        } while request.cursor != nil && rows < Self.exportCap
        return ExportFile(contentType: "text/csv; charset=utf-8", filename: "companies.csv", text: text, rows: rows)
    }

    func exportVCards(_ request: ListContactsRequest, headers: BusHeaders) async throws -> ExportFile {
        var text = ""
        var rows = 0
        try await eachContact(request, headers: headers) { contact, _, companies in
            text += VCard.write(contact, companies: companies)
            rows += 1
        }
        return ExportFile(contentType: "text/vcard; charset=utf-8", filename: "contacts.vcf", text: text, rows: rows)
    }

    /// Every contact a list request finds (up to the export cap), with reference names and the
    /// names of its companies.
    private func eachContact(
        _ request: ListContactsRequest, headers: BusHeaders, _ body: (Contact, [Int64: String], [String]) throws -> Void
    ) async throws {
        var request = request
        request.limit = 200
        request.count = nil
        var rows = 0
        let names = try await database.read { db in try ReferenceRules.names(db) }
        repeat {
            let page = try await list(request, headers: headers)
            let ids = page.items.map(\.id)
            let companies = try await database.read { db in
                try Dictionary(
                    grouping: Row.fetchAll(
                        db,
                        sql: """
                            SELECT l.contact_id, k.name FROM contact_company l JOIN company k ON k.id = l.company_id
                            WHERE k.deleted_at IS NULL AND l.contact_id IN (\(ids.map { String($0) }.joined(separator: ",")))
                            ORDER BY k.name
                            """), by: { $0["contact_id"] as Int64 }
                ).mapValues { $0.map { $0["name"] as String } }
            }
            for contact in page.items {
                try body(contact, names, companies[contact.id] ?? [])
                rows += 1
            }
            request.cursor = page.nextCursor
        } while request.cursor != nil && rows < Self.exportCap
    }
}
