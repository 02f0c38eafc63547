import Bus
import CZeroMQ
import Foundation

/// The baseline: a DEALER sends to a ROUTER echo server over loopback TCP, one hop each way.
final class BareRoundTrip {
    private let context = ZMQContext()
    private let endpoint: String
    private let server: Thread
    private let body: Data
    private let done = DispatchSemaphore(value: 0)

    init(body: Data) throws {
        self.body = body
        let ready = DispatchSemaphore(value: 0)
        let bound = LockedValue<String>("")
        let context = self.context
        let done = self.done
        server = Thread {
            let router = try! ZMQSocket(context: context, type: .router)
            try! router.setOption(ZMQ_SNDHWM, 0)
            try! router.setOption(ZMQ_RCVHWM, 0)
            try! router.bind("tcp://127.0.0.1:*")
            bound.set(router.lastEndpoint)
            ready.signal()
            while let frames = try? router.receive() {
                if frames.last == Data("stop".utf8) { break }
                _ = try? router.send(frames)
            }
            router.close()
            done.signal()
        }
        server.start()
        ready.wait()
        endpoint = bound.get()
    }

    private func withClient<T>(_ body: (ZMQSocket) throws -> T) throws -> T {
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.setOption(ZMQ_SNDHWM, 0)
        try dealer.setOption(ZMQ_RCVHWM, 0)
        try dealer.connect(endpoint)
        defer { dealer.close() }
        return try body(dealer)
    }

    func latency(count: Int) throws -> LatencyResult {
        try withClient { dealer in
            var samples: [UInt64] = []
            samples.reserveCapacity(count)
            for _ in 0..<count {
                let start = nanoseconds()
                try dealer.send([body])
                _ = try dealer.receive()
                samples.append(nanoseconds() - start)
            }
            return LatencyResult(samples: samples)
        }
    }

    func throughput(count: Int, window: Int) throws -> Double {
        try withClient { dealer in
            let start = nanoseconds()
            var sent = 0, received = 0
            while sent < min(window, count) { try dealer.send([body]); sent += 1 }
            while received < count {
                _ = try dealer.receive()
                received += 1
                if sent < count { try dealer.send([body]); sent += 1 }
            }
            return Double(count) / (Double(nanoseconds() - start) / 1e9)
        }
    }

    func stop() {
        // Linger so the stop message leaves before the socket closes.
        if let dealer = try? ZMQSocket(context: context, type: .dealer, linger: 2000) {
            try? dealer.connect(endpoint)
            _ = try? dealer.send(["stop"])
            dealer.close()
        }
        done.wait()
        context.terminate()
    }
}
