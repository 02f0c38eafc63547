import Synchronization

/// A value shared between threads behind a lock (`Mutex`, the one lock type of the tree), as a
/// reference that several parts hold (a bound endpoint the broker's thread fills in, a counter
/// a worker's thread bumps).
public final class LockedValue<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    public init(_ value: Value) { self.value = Mutex(value) }

    public func get() -> Value { value.withLock { $0 } }
    public func set(_ newValue: Value) { value.withLock { $0 = newValue } }

    /// Changes the value in place under the lock and returns what the closure returns.
    @discardableResult
    public func withValue<T: Sendable>(_ body: (inout sending Value) throws -> sending T) rethrows -> T {
        try value.withLock { try body(&$0) }
    }
}
