import CZeroMQ
import Foundation
import Synchronization

/// The part of a bus component that owns ZeroMQ sockets. It is created, driven and destroyed on
/// its `SocketThread`, so it needs no locks and its sockets never change threads.
public protocol SocketEngine: AnyObject, SendableMetatype {
    /// What other threads can ask of the engine.
    associatedtype Command: Sendable

    /// Creates and connects the sockets; called once on the socket thread.
    func start() throws
    /// The sockets to wait on; read after every call into the engine, as they may change
    /// (a worker replaces its socket when it reconnects).
    var sockets: [ZMQSocket] { get }
    /// Carries out a command posted from another thread.
    func handle(_ command: Command)
    /// A socket in `sockets` (by index) has a message to read.
    func readable(_ index: Int)
    /// Called after every wake-up: heartbeats, retries and deadlines. Returns how long the thread
    /// may sleep before the next call, in milliseconds.
    func tick() -> Int
    /// Closes the sockets; called once on the socket thread when it stops.
    func stop()
}

/// A dedicated OS thread running one `SocketEngine`. Other threads (including Swift's
/// cooperative pool) post commands through a locked queue and an eventfd that wakes zmq_poll, so
/// nobody ever blocks on a ZeroMQ call except this thread.
public final class SocketThread<Engine: SocketEngine>: @unchecked Sendable {
    // Safe to share: `pending` and `running` are only touched under `lock`; `wakeFD` is an
    // eventfd whose reads and writes are atomic syscalls; the engine is only touched on the thread.
    private let lock = Mutex<Void>(())
    private var pending: [Engine.Command] = []
    private var running = true
    private let wakeFD: Int32
    private let finished = DispatchSemaphore(value: 0)
    private var hasFinished = false
    private var finishWaiters: [CheckedContinuation<Void, Never>] = []

    /// Starts the thread, builds the engine on it, and returns once the engine's sockets exist
    /// (or throws what `start()` threw). Blocks the caller for that moment: from async code use
    /// `SocketThread.start(name:makeEngine:)` instead.
    public convenience init(name: String, makeEngine: @escaping @Sendable () -> Engine) throws {
        let started = DispatchSemaphore(value: 0)
        let outcome = LockedValue<Error?>(nil)
        self.init(name: name, makeEngine: makeEngine) { error in
            outcome.set(error)
            started.signal()
        }
        started.wait()
        if let error = outcome.get() { throw error }
    }

    /// Starts the thread and suspends (without blocking a thread of the cooperative pool) until
    /// the engine's sockets exist.
    public static func start(name: String, makeEngine: @escaping @Sendable () -> Engine) async throws -> SocketThread {
        var thread: SocketThread?
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            thread = SocketThread(name: name, makeEngine: makeEngine) { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
        return thread!
    }

    private init(name: String, makeEngine: @escaping @Sendable () -> Engine, started: @escaping @Sendable (Error?) -> Void) {
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeFD >= 0, "eventfd failed")
        let thread = Thread { [self] in self.main(makeEngine, started: started) }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Queues a command for the engine and wakes the thread. Never blocks on ZeroMQ.
    /// Returns false when the thread has stopped (the command is dropped).
    @discardableResult
    public func post(_ command: Engine.Command) -> Bool {
        let accepted = lock.withLock { _ -> Bool in
            guard running else { return false }
            pending.append(command)
            return true
        }
        if accepted { wake() }
        return accepted
    }

    /// Stops the loop, lets the engine close its sockets, and waits for the thread to end.
    /// Blocks the caller: from async code use `shutdown()`.
    public func stop() {
        requestStop()
        finished.wait()
        finished.signal()  // let other waiters through too
    }

    /// Stops the loop and suspends until the thread has closed its sockets and ended.
    public func shutdown() async {
        requestStop()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = lock.withLock { _ -> Bool in
                if hasFinished { return true }
                finishWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func requestStop() {
        let wasRunning = lock.withLock { _ -> Bool in
            let was = running
            running = false
            return was
        }
        if wasRunning { wake() }
    }

    deinit { close(wakeFD) }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private func main(_ makeEngine: () -> Engine, started: @Sendable (Error?) -> Void) {
        let engine = makeEngine()
        do {
            try engine.start()
        } catch {
            lock.withLock { _ in running = false }
            engine.stop()
            finish()
            started(error)
            return
        }
        started(nil)
        var timeout = 0
        var sockets: [ZMQSocket] = []
        var poller = ZMQPoller()
        var wakeIndex = -1  // -1: the poll list is not built yet
        loop: while true {
            // The poll list is rebuilt only when the engine swaps a socket (a worker reconnecting).
            let current = engine.sockets
            if wakeIndex < 0 || current.count != sockets.count || zip(current, sockets).contains(where: { $0 !== $1 }) {
                poller = ZMQPoller()
                for socket in current { poller.add(socket) }
                wakeIndex = poller.add(fileDescriptor: wakeFD)
                sockets = current
            }
            do {
                _ = try poller.poll(timeoutMilliseconds: timeout)
            } catch {
                break loop  // ETERM: the context is going away
            }
            if poller.isReadable(wakeIndex) {
                var value: UInt64 = 0
                _ = read(wakeFD, &value, 8)
            }
            let (commands, keepRunning) = lock.withLock { _ -> ([Engine.Command], Bool) in
                defer { pending = [] }
                return (pending, running)
            }
            for command in commands { engine.handle(command) }
            if !keepRunning { break }
            for index in sockets.indices where poller.isReadable(index) {
                engine.readable(index)
            }
            timeout = max(0, engine.tick())
        }
        engine.stop()
        finish()
    }

    private func finish() {
        let waiters = lock.withLock { _ -> [CheckedContinuation<Void, Never>] in
            hasFinished = true
            defer { finishWaiters.removeAll() }
            return finishWaiters
        }
        finished.signal()
        for waiter in waiters { waiter.resume() }
    }
}
