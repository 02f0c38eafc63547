import Foundation
import Synchronization

/// Holds a write (or any work on a thread of its own) at a known point until the test opens it,
/// so a test arranges what happens meanwhile instead of sleeping and hoping it did.
public final class Gate: Sendable {
    private let state = Mutex<(reached: Bool, open: Bool)>((false, false))
    private let opened = DispatchSemaphore(value: 0)

    public init() {}

    /// Called by the held work (never on Swift's cooperative pool): marks the point reached and
    /// blocks until `open`.
    public func hold() {
        let alreadyOpen = state.withLock { state -> Bool in
            state.reached = true
            return state.open
        }
        if !alreadyOpen { opened.wait() }
    }

    /// Lets the held work go on.
    public func open() {
        let wasOpen = state.withLock { state -> Bool in
            defer { state.open = true }
            return state.open
        }
        if !wasOpen { opened.signal() }
    }

    /// Returns once the work has reached `hold`.
    public func reached() async {
        await Self.until { self.state.withLock { $0.reached } }
    }

    /// Returns once `condition` holds, looking again every millisecond. What a test then asserts
    /// is decided by the condition, never by how long it waited.
    public static func until(_ condition: @Sendable () -> Bool) async {
        while !condition() { try? await Task.sleep(for: .milliseconds(1)) }
    }

    /// `until`, giving up after `limit` with an error that fails the test (a condition that
    /// never comes true is a failure, not a hang).
    public static func within(_ limit: Duration, _ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else { throw HarnessError("the condition did not hold within \(limit)") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
