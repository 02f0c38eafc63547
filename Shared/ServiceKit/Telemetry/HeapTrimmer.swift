import CHeap
import Dispatch
import ServiceLifecycle

/// Gives the allocator's freed pages back to the system when it keeps more than `threshold` of
/// them, checked every `interval`. glibc keeps what a thread frees in that thread's arena for
/// reuse and returns only the top of each heap, so after a busy spell a process stayed at its
/// peak resident size although what it held had gone back down (issue 20's soak). The trim runs
/// on a Dispatch thread: it walks and locks every arena, which is no work for the cooperative pool.
public struct HeapTrimmer: Service {
    let interval: Duration
    let threshold: UInt64

    public init(interval: Duration = .seconds(30), threshold: UInt64 = 2 << 20) {
        self.interval = interval
        self.threshold = threshold
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, crm_heap_usage_now().free > threshold else { continue }
                await Self.trim()
            }
        }
    }

    /// Trims now, off the cooperative pool; answers whether any memory was given back.
    @discardableResult
    public static func trim() async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(returning: crm_heap_trim() == 1) }
        }
    }
}
