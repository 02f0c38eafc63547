import Foundation
import GRDB

/// The durable ingest log (`ingest_log`): events as they came, acknowledged once stored here,
/// folded into the call log by the `Projector`. Written by the ZeroMQ endpoint and by queued
/// HTTP posts.
enum IngestLog {
    /// Stores an event unless its producer's event id is already waiting in the log; answers
    /// whether it was stored.
    @discardableResult
    static func append(_ db: Database, producer: String, event: CallStore.ValidEvent, payload: Data) throws -> Bool {
        try db.cachedStatement(
            sql: "INSERT INTO ingest_log (producer, event_id, at, payload) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
        ).execute(arguments: [producer, event.eventId, event.at.timeIntervalSince1970, payload])
        return db.changesCount > 0
    }
}
