import Foundation

/// Runs blocking work (waiting for a child process, reading its output to the end) on a thread of
/// its own and awaits its result, so the awaiting test does not hold one of Swift's cooperative
/// threads meanwhile: on a 2-core machine there are two, shared by every test running at once,
/// and an in-process bus test's 3 s deadline once ran out while they waited on child processes.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result(catching: work)) }.start()
    }
}

extension ProcessHarness {
    /// `run` on a thread of its own (see `offThePool`).
    @discardableResult
    public func run(
        _ name: String, _ arguments: [String], without removed: [String] = [], mustSucceed: Bool = false
    ) async throws
        -> String
    {
        try await offThePool { try self.run(name, arguments, without: removed, mustSucceed: mustSucceed) }
    }

    /// `terminate` on a thread of its own (see `offThePool`).
    public func terminate(_ label: String, grace: TimeInterval = 10) async {
        _ = try? await offThePool { self.terminate(label, grace: grace) }
    }

    /// `ensureKeys` on a thread of its own (see `offThePool`).
    public func ensureKeys() async throws {
        try await offThePool { try self.ensureKeys() }
    }
}

/// The threads `ProcessHarness.shutdown` leaves waiting for processes to exit. The test binary
/// waits for them when it exits (at most 15 s), so nothing it started outlives it.
enum BackgroundReaper {
    private static let running = DispatchGroup()
    private static let waitsAtExit: Void = {
        atexit { _ = BackgroundReaper.running.wait(timeout: .now() + 15) }
    }()

    static func run(_ work: @escaping @Sendable () -> Void) {
        _ = waitsAtExit
        running.enter()
        Thread {
            work()
            running.leave()
        }.start()
    }
}
