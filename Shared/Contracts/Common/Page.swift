import Foundation

/// A page of results; `next_cursor` is nil on the last page.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var nextCursor: String?
    /// How many match, when asked; exact up to a cap, beyond it the cap with `count_exact` false.
    public var count: Int?
    public var countExact: Bool?
    public init(items: [Item], nextCursor: String?, count: Int? = nil, countExact: Bool? = nil) {
        self.items = items
        self.nextCursor = nextCursor
        self.count = count
        self.countExact = countExact
    }
}

extension Page: WireJSONEncodable where Item: WireJSONMembers {}

extension Page where Item: WireJSONMembers {
    /// The same JSON as `Wire.encode(self)`, written by hand (see `WireJSONMembers`).
    public var wireJSON: Data {
        var json = JSONWriter()
        json.integer("count", count)
        if let countExact { json.bool("count_exact", countExact) }
        json.objects("items", items) { json, item in item.write(&json) }
        json.string("next_cursor", nextCursor)
        return json.finish()
    }
}
