import Foundation

/// Where a service reads the time for rules that depend on it (sign-in throttling, token and
/// session expiry): the system clock in the service, a clock a test moves by hand (TestKit's
/// `ManualClock`) so no test waits for real time to pass.
public protocol WallClock: Sendable {
    var now: Date { get }
}

/// The system's clock.
public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}
