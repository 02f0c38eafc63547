/// One method on the bus: the service that serves it, its name, and (as types) what it takes
/// and what it answers. Clients call it (`BusClient.call(_:_:)` in ServiceKit), workers register
/// a handler for it (`MethodTable`), the gateway forwards through it; a request or reply of the
/// wrong type, or a method sent to a service that does not serve it, does not compile.
///
/// The name always starts with the service: `contacts.companies.create` is served by `contacts`.
public struct BusMethod<Request: Sendable, Reply: Sendable>: Sendable, Hashable, CustomStringConvertible {
    /// The service that serves it (`contacts`).
    public let service: String
    /// The full method name (`contacts.companies.create`).
    public let name: String

    /// The method `service.suffix`.
    public init(service: String, _ suffix: String) {
        self.service = service
        self.name = service + "." + suffix
    }

    public var description: String { name }
}

/// A service's contract: the name it serves under, from which its methods' names are made.
public protocol ServiceContract {
    static var service: String { get }
}

extension ServiceContract {
    /// A method of this service: `method("companies.create")` is `contacts.companies.create`.
    public static func method<Request, Reply>(
        _ suffix: String, _ request: Request.Type = Request.self, _ reply: Reply.Type = Reply.self
    ) -> BusMethod<Request, Reply> {
        BusMethod(service: service, suffix)
    }
}

/// What every service answers: `<service>.health`.
public enum CommonMethods {
    public static func health(of service: String) -> BusMethod<NoParameters, HealthReport> { BusMethod(service: service, "health") }
}
