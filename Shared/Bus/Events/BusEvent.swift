import Foundation

/// One event as it travels on the bus: a past-tense fact from one source service, numbered by
/// the source's outbox so that subscribers can tell when they missed one.
public struct BusEvent: Sendable, Equatable {
    /// The service that published it (`contacts`); also the PUB/SUB topic frame.
    public let source: String
    /// The outbox row id at the source: increases by one per event, per source.
    public let sequence: Int64
    /// What happened (`contact.created`).
    public let type: String
    /// When it happened, ISO 8601 UTC.
    public let occurredAt: String
    /// The event's JSON body.
    public let payload: Data

    public init(source: String, sequence: Int64, type: String, occurredAt: String, payload: Data) {
        self.source = source
        self.sequence = sequence
        self.type = type
        self.occurredAt = occurredAt
        self.payload = payload
    }

    /// The multipart message on the PUB socket: source, sequence, type, time, payload.
    var frames: [Data] {
        [Data(source.utf8), Data(String(sequence).utf8), Data(type.utf8), Data(occurredAt.utf8), payload]
    }

    init?(frames: [Data]) {
        guard frames.count == 5, let sequence = Int64(frames[1].text) else { return nil }
        self.init(
            source: frames[0].text, sequence: sequence, type: frames[2].text,
            occurredAt: frames[3].text, payload: frames[4])
    }
}

/// The `events.since` method every service answers from its outbox, so a subscriber that missed
/// events (PUB/SUB drops them) can fetch them: request `{"after": N, "limit": M}`, reply
/// `{"events": [{"seq", "type", "at", "payload"}], "last_seq": L}`.
public enum EventsSince {
    /// The method's name on `service` (`contacts.events.since`).
    public static func method(of service: String) -> String { "\(service).events.since" }
    /// The most events one reply carries.
    public static let maxLimit = 1000

    /// The request body.
    public struct Request: Codable, Sendable {
        public var after: Int64
        public var limit: Int?
        public init(after: Int64, limit: Int? = nil) {
            self.after = after
            self.limit = limit
        }
    }

    /// Builds the reply body. Payloads are embedded as JSON objects, byte for byte as stored.
    /// `prunedThrough`: the highest sequence the source no longer keeps (a subscriber whose
    /// checkpoint is below it has missed events for good and rebuilds from `events.snapshot`).
    public static func encodeReply(_ events: [BusEvent], lastSequence: Int64, prunedThrough: Int64 = 0) -> Data {
        var out = Data("{".utf8)
        appendEvents(events, to: &out)
        out.append(contentsOf: ",\"last_seq\":\(lastSequence),\"pruned_through\":\(prunedThrough)}".utf8)
        return out
    }

    /// `"events":[{"seq", "type", "at", "payload"}, ...]`, payloads as stored (shared with `events.snapshot`).
    static func appendEvents(_ events: [BusEvent], to out: inout Data) {
        out.append(contentsOf: "\"events\":[".utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(
                contentsOf: "{\"seq\":\(event.sequence),\"type\":\(quoted(event.type)),\"at\":\(quoted(event.occurredAt)),\"payload\":".utf8
            )
            out.append(event.payload.isEmpty ? Data("null".utf8) : event.payload)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// The events of a reply's `events` member, as events of `source`.
    static func readEvents(_ object: [String: Any], source: String, method: String) throws -> [BusEvent] {
        guard let items = object["events"] as? [[String: Any]] else { throw BusError.badRequest("\(method) reply has no events") }
        return try items.map { item in
            guard let seq = (item["seq"] as? NSNumber)?.int64Value, let type = item["type"] as? String else {
                throw BusError.badRequest("\(method) reply has an event without seq or type")
            }
            let payload = try JSONSerialization.data(withJSONObject: item["payload"] ?? NSNull(), options: [.fragmentsAllowed])
            return BusEvent(source: source, sequence: seq, type: type, occurredAt: item["at"] as? String ?? "", payload: payload)
        }
    }

    /// Reads a reply body back into events of `source`.
    public static func decodeReply(
        _ body: Data, source: String
    ) throws -> (
        events: [BusEvent], lastSequence: Int64, prunedThrough: Int64
    ) {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw BusError.badRequest("events.since reply is not {\"events\": [...]}")
        }
        let events = try readEvents(object, source: source, method: method(of: source))
        let last = (object["last_seq"] as? NSNumber)?.int64Value ?? events.last?.sequence ?? 0
        return (events, last, (object["pruned_through"] as? NSNumber)?.int64Value ?? 0)
    }

    static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// `events.snapshot`: the source's current state as events of the types it publishes (a
/// `contact.created` per contact, ...), page by page, for a subscriber that is further behind
/// than the outbox keeps. `as_of` is the last sequence when the first page was read: the
/// subscriber applies the pages, then the events after `as_of`.
public enum EventsSnapshot {
    /// The method's name on `service` (`contacts.events.snapshot`).
    public static func method(of service: String) -> String { "\(service).events.snapshot" }
    /// The synthetic event a subscriber's handler gets first, in the transaction of the first
    /// page: forget what was derived from this source, the snapshot brings it back.
    public static let resetType = "snapshot.reset"

    public struct Request: Codable, Sendable {
        public var cursor: String?
        public var limit: Int?
        public var asOf: Int64?
        public init(cursor: String? = nil, limit: Int? = nil, asOf: Int64? = nil) {
            self.cursor = cursor
            self.limit = limit
            self.asOf = asOf
        }
        enum CodingKeys: String, CodingKey {
            case cursor, limit
            case asOf = "as_of"
        }
    }

    /// One page: events (`seq` 0: state, not history), the cursor of the next page (nil on the
    /// last) and `as_of`; the events are written as `events.since` writes them.
    public static func encodeReply(_ events: [BusEvent], nextCursor: String?, asOf: Int64) -> Data {
        var out = Data("{".utf8)
        EventsSince.appendEvents(events, to: &out)
        out.append(contentsOf: ",\"next_cursor\":\(nextCursor.map(EventsSince.quoted) ?? "null"),\"as_of\":\(asOf)}".utf8)
        return out
    }

    public static func decodeReply(_ body: Data, source: String) throws -> (events: [BusEvent], nextCursor: String?, asOf: Int64) {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any],
            let asOf = (object["as_of"] as? NSNumber)?.int64Value
        else {
            throw BusError.badRequest("events.snapshot reply is not {\"events\": [...], \"as_of\": n}")
        }
        return (try EventsSince.readEvents(object, source: source, method: method(of: source)), object["next_cursor"] as? String, asOf)
    }
}
