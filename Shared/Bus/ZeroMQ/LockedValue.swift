/// A value shared between threads behind a lock.
public final class LockedValue<Value: Sendable>: @unchecked Sendable {
    // Every access to `value` goes through `lock`.
    private let lock = Lock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func get() -> Value { lock.withLock { value } }
    public func set(_ newValue: Value) { lock.withLock { value = newValue } }

    /// Changes the value in place under the lock and returns what the closure returns.
    @discardableResult
    public func withValue<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        try lock.withLock { try body(&value) }
    }
}
