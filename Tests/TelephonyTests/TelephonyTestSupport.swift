import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage

@testable import TelephonyService

/// A call log on an in-memory database, with helpers to feed it the way each input does.
struct TestCallLog {
    let database: ServiceDatabase
    let store: CallStore

    init(country: String = "NO") throws {
        database = try ServiceDatabase(inMemory: TelephonyMigrations.register)
        store = CallStore(database: database, phones: PhoneNormalizer(defaultCountry: country))
    }

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)"))
    }

    @discardableResult
    func ingest(format: String, _ content: Data, columns: [String]? = nil, timeZone: String? = nil) async throws -> IngestReport {
        let reply = try await store.ingestFormat(
            FormatIngestRequest(format: format, producer: "test", content: content, columns: columns, timeZone: timeZone),
            requestId: UUID().uuidString)
        return try Wire.decode(IngestReport.self, from: reply)
    }

    @discardableResult
    func ingest(_ events: [CallEventInput], producer: String = "test") async throws -> IngestReply {
        try Wire.decode(
            IngestReply.self, from: try await store.ingest(IngestRequest(producer: producer, events: events), requestId: UUID().uuidString))
    }

    func calls(_ configure: (inout ListCallsRequest) -> Void = { _ in }) async throws -> [Call] {
        var request = ListCallsRequest()
        request.limit = 200
        configure(&request)
        return try await store.list(request).items
    }

    func call(_ externalId: String) async throws -> Call? {
        try await calls().first { $0.externalId == externalId }
    }

    /// Event types in the outbox, oldest first.
    func published() async throws -> [String] {
        try await database.read { db in try String.fetchAll(db, sql: "SELECT type FROM outbox ORDER BY seq") }
    }

    /// Puts a number in the phone index as the contacts service's events would.
    func index(_ kind: PartyIndex.Kind, _ id: Int64, _ numbers: [String]) async throws {
        let phones = store.phones
        try await database.write { db, outbox in
            let keys = numbers.compactMap { PartyIndex.key(for: $0, phones: phones) }
            let added = try PartyIndex.replace(db, kind, id: id, keys: keys)
            try CallLog(db: db, outbox: outbox, phones: phones).rematch(keys: added)
        }
    }
}
