import Bus
import Foundation

/// Through the broker with the async Swift API that services use: `BusClient.call` from tasks,
/// answered by a `BusWorker`.
enum SwiftRoundTrip {
    static func latency(client: BusClient, body: Data, count: Int) async throws -> LatencyResult {
        var samples: [UInt64] = []
        samples.reserveCapacity(count)
        for _ in 0..<count {
            let start = nanoseconds()
            _ = try await client.call(service: "bench-swift", method: "bench.echo", body: body)
            samples.append(nanoseconds() - start)
        }
        return LatencyResult(samples: samples)
    }

    static func throughput(client: BusClient, body: Data, count: Int, callers: Int) async throws -> Double {
        let start = nanoseconds()
        let perCaller = count / callers
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    for _ in 0..<perCaller {
                        _ = try await client.call(service: "bench-swift", method: "bench.echo", body: body)
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(perCaller * callers) / (Double(nanoseconds() - start) / 1e9)
    }
}
