/// What an owning service answers to settings: `<service>.reference.usage` with a
/// `ReferenceIdRequest`, `<service>.reference.move` with a `ReferenceMoveRequest`.
public enum ReferenceOwnerContract {
    public static func usage(of service: String) -> BusMethod<ReferenceIdRequest, ReferenceCount> {
        BusMethod(service: service, "reference.usage")
    }
    public static func move(of service: String) -> BusMethod<ReferenceMoveRequest, ReferenceCount> {
        BusMethod(service: service, "reference.move")
    }
}

/// `<owner>.reference.move`: move (or, with `to` nil, clear) every use of an item, in one
/// transaction; answers `ReferenceCount`.
public struct ReferenceMoveRequest: Codable, Sendable {
    public var kind: ReferenceKind
    public var from: Int64
    public var to: Int64?
    public init(kind: ReferenceKind, from: Int64, to: Int64?) {
        self.kind = kind
        self.from = from
        self.to = to
    }
}

/// An owner's answer: how many of its records use (or were moved from) an item.
public struct ReferenceCount: Codable, Sendable {
    public var count: Int
    public init(count: Int) { self.count = count }
}
