import Foundation
import ServiceKit
import Synchronization

/// A clock that stands still until a test moves it: rules about time are tested by advancing
/// it, not by sleeping.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    /// Starts at `start`, by default the current whole second (stored times keep milliseconds:
    /// a clock that stands still between two writes must read back as the same instant).
    public init(_ start: Date = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
