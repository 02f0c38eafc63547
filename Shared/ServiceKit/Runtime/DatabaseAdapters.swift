import Bus
import Foundation
import GRDB
import Storage

/// Serves a service's outbox to its event publisher.
public struct OutboxEventSource: EventSource {
    public let source: String
    public let database: ServiceDatabase
    /// How stale a subscriber's stored position may be before an `events.since` writes it again:
    /// a tenth of the outbox retention period, at most 10 s.
    public var positionRefresh: TimeInterval = 10

    public init(source: String, database: ServiceDatabase, retention: TimeInterval? = nil) {
        self.source = source
        self.database = database
        if let retention { positionRefresh = min(10, retention / 10) }
    }

    public func events(after: Int64, limit: Int) async throws -> [BusEvent] {
        try await database.outboxEvents(after: after, limit: limit).map {
            BusEvent(source: source, sequence: $0.seq ?? 0, type: $0.type, occurredAt: $0.occurredAt, payload: $0.payload)
        }
    }

    public func lastSequence() async throws -> Int64 {
        try await database.lastOutboxSequence()
    }

    /// The `events.since` handler every service with an outbox answers.
    public var sinceHandler: BusMethodHandler {
        let positionRefresh = positionRefresh
        return { request in
            let ask: EventsSince.Request
            do {
                ask = try JSONDecoder().decode(EventsSince.Request.self, from: request.body)
            } catch {
                throw BusError.badRequest("events.since needs {\"after\": <sequence>, \"limit\": <n>}")
            }
            let limit = min(max(1, ask.limit ?? 500), EventsSince.maxLimit)
            // Who asks from where: the outbox keeps what a subscriber has not passed yet.
            if let caller = request.headers.caller {
                try await database.recordPosition(caller: caller, after: ask.after, refresh: positionRefresh)
            }
            let events = try await events(after: ask.after, limit: limit)
            return EventsSince.encodeReply(
                events, lastSequence: try await lastSequence(), prunedThrough: try await database.prunedThrough())
        }
    }

    /// The `events.snapshot` handler: pages of `producer`'s state, each read in one transaction.
    public func snapshotHandler(_ producer: @escaping SnapshotProducer) -> BusMethodHandler {
        let database = database, source = source
        return { request in
            let ask = try decodeBody(EventsSnapshot.Request.self, request)
            let limit = min(max(1, ask.limit ?? 500), EventsSince.maxLimit)
            let (events, next, asOf) = try await database.read { db in
                let asOf = try ask.asOf ?? Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") ?? 0
                let page = try producer(db, ask.cursor, limit)
                return (page.events, page.next, asOf)
            }
            let state = events.map { BusEvent(source: source, sequence: 0, type: $0.type, occurredAt: "", payload: $0.payload) }
            return EventsSnapshot.encodeReply(state, nextCursor: next, asOf: asOf)
        }
    }
}

/// A service's current state as the events it publishes, one page after `cursor` (nil: the
/// first), for subscribers that rebuild (`events.snapshot`); `next` is nil on the last page.
public typealias SnapshotProducer =
    @Sendable (_ db: Database, _ cursor: String?, _ limit: Int) throws -> (
        events: [(type: String, payload: Data)], next: String?
    )

/// What a service does with one event from another service, inside the transaction that also
/// moves the checkpoint. Unknown event types should be ignored quietly.
public typealias EventHandler = @Sendable (BusEvent, Database, Outbox) throws -> Void

/// Applies events through the storage kit: handler and checkpoint in one transaction.
public struct DatabaseEventApplier: EventApplier {
    public let database: ServiceDatabase
    public let handler: EventHandler

    public init(database: ServiceDatabase, handler: @escaping EventHandler) {
        self.database = database
        self.handler = handler
    }

    public func checkpoint(for source: String) async throws -> Int64 {
        try await database.checkpoint(source: source)
    }

    public func apply(_ event: BusEvent) async throws {
        try await apply([event])
    }

    /// A run of one source's events in one transaction: a flood of events (a hundred thousand
    /// `call.logged` after a burst of calls, `contact.created` after an import) costs a commit per
    /// run instead of one per event.
    public func apply(_ events: [BusEvent]) async throws {
        guard let last = events.last else { return }
        precondition(events.allSatisfy { $0.source == last.source }, "a run of events comes from one source")
        let handler = self.handler
        try await database.applyEvents(source: last.source, through: last.sequence) { db, outbox, checkpoint in
            for event in events where event.sequence > checkpoint { try handler(event, db, outbox) }
        }
    }

    /// A snapshot page through the same handler: `snapshot.reset` first on the first page.
    public func rebuild(source: String, events: [BusEvent], reset: Bool, through: Int64?) async throws {
        let handler = self.handler
        try await database.applySnapshot(source: source, through: through) { db, outbox in
            if reset {
                try handler(
                    BusEvent(source: source, sequence: 0, type: EventsSnapshot.resetType, occurredAt: "", payload: Data("{}".utf8)), db,
                    outbox)
            }
            for event in events { try handler(event, db, outbox) }
        }
    }
}
