import Foundation

/// A small mutual-exclusion lock (Foundation's NSLock) with a closure API.
final class Lock: @unchecked Sendable {
    // NSLock is itself thread-safe; this wrapper only adds withLock.
    private let lock = NSLock()

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
