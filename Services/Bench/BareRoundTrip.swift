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

    private var load: DealerLoad {
        let body = self.body
        return DealerLoad(context: context, endpoint: endpoint, request: { _ in [body] })
    }

    func latency(count: Int) throws -> LatencyResult { try load.latency(count: count) }

    func throughput(count: Int, window: Int) throws -> Double { try load.throughput(count: count, window: window) }

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
