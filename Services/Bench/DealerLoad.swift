import Bus
import Foundation

/// Drives a DEALER socket against an endpoint: sequential round trips for latency, a window of
/// requests in flight for throughput. Shared by the bare and the raw-broker measurements.
struct DealerLoad {
    let context: ZMQContext
    let endpoint: String
    /// The frames of request number `n`.
    let request: (Int) -> [Data]

    private func withDealer<T>(_ body: (ZMQSocket) throws -> T) throws -> T {
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.setQueueLimits(send: 0, receive: 0)
        try dealer.connect(endpoint)
        defer { dealer.close() }
        return try body(dealer)
    }

    func latency(count: Int) throws -> LatencyResult {
        try withDealer { dealer in
            var samples: [UInt64] = []
            samples.reserveCapacity(count)
            for n in 0..<count {
                let start = nanoseconds()
                try dealer.send(request(n))
                _ = try dealer.receive()
                samples.append(nanoseconds() - start)
            }
            return LatencyResult(samples: samples)
        }
    }

    func throughput(count: Int, window: Int) throws -> Double {
        try withDealer { dealer in
            let start = nanoseconds()
            var sent = 0
            var received = 0
            while sent < min(window, count) {
                try dealer.send(request(sent))
                sent += 1
            }
            while received < count {
                _ = try dealer.receive()
                received += 1
                if sent < count {
                    try dealer.send(request(sent))
                    sent += 1
                }
            }
            return Double(count) / (Double(nanoseconds() - start) / 1e9)
        }
    }
}
