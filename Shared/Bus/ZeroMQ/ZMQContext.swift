import CZeroMQ
import Synchronization

/// A libzmq context. Unlike sockets, a context is thread-safe (libzmq documents it so), which is
/// what makes the `@unchecked Sendable` honest.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    /// Whether `terminate()` has run.
    private let terminated = Mutex(false)

    /// Creates a context with `ioThreads` background I/O threads.
    public init(ioThreads: Int32 = 1) {
        guard let ctx = zmq_ctx_new() else {
            preconditionFailure("zmq_ctx_new failed: out of memory")
        }
        zmq_ctx_set(ctx, ZMQ_IO_THREADS, ioThreads)
        handle = ctx
    }

    /// Makes every blocking call on this context's sockets return ETERM, without waiting.
    /// The owners of the sockets then close them; `terminate()` waits for that.
    public func shutdown() {
        terminated.withLock { terminated in if !terminated { _ = zmq_ctx_shutdown(handle) } }
    }

    /// Destroys the context. Blocks until every socket has been closed; call it last.
    public func terminate() {
        let shouldTerm = terminated.withLock { terminated -> Bool in
            if terminated { return false }
            terminated = true
            return true
        }
        guard shouldTerm else { return }
        while zmq_ctx_term(handle) != 0 && czmq_errno() == EINTR {}
    }

    deinit { terminate() }
}
