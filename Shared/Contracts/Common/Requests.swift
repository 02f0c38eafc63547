/// A request naming one thing by id.
public struct IdRequest: Codable, Sendable {
    public var id: Int64
    public init(id: Int64) { self.id = id }
}

/// A request that takes no parameters.
public struct NoParameters: Codable, Sendable {
    public init() {}
}

/// A reply with nothing to say but that it worked.
public struct Done: Codable, Sendable {
    public var ok = true
    public init() {}
}
