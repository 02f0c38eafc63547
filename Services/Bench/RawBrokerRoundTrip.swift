import Bus
import Foundation

/// Through the broker with hand-made frames: a raw DEALER worker and a raw DEALER client, so the
/// broker's own cost shows apart from the async Swift API's.
final class RawBrokerRoundTrip {
    private let context: ZMQContext
    private let endpoint: String
    private let body: Data
    private let running = LockedValue(true)
    private let finished = DispatchSemaphore(value: 0)
    static let service = "bench-raw"

    init(context: ZMQContext, endpoint: String, body: Data) throws {
        self.context = context
        self.endpoint = endpoint
        self.body = body
        let ready = DispatchSemaphore(value: 0)
        let running = self.running, finished = self.finished
        Thread {
            let worker = try! ZMQSocket(context: context, type: .dealer)
            try! worker.setQueueLimits(send: 0, receive: 0)
            try! worker.connect(endpoint)
            try! worker.send([
                Data(), BusProtocol.workerHeader, Data([BusProtocol.Command.ready.rawValue]),
                Data(Self.service.utf8), Data("100000".utf8),
            ])
            ready.signal()
            var lastBeat = nanoseconds()
            while running.get() {
                var poller = ZMQPoller()
                poller.add(worker)
                _ = try? poller.poll(timeoutMilliseconds: 100)
                while let frames = try? worker.receive(dontWait: true) {
                    // "", header, REQUEST, client, request id, method, timeout, headers, body
                    guard frames.count == 9, frames[2].first == BusProtocol.Command.request.rawValue else { continue }
                    _ = try? worker.send([
                        Data(), BusProtocol.workerHeader, Data([BusProtocol.Command.reply.rawValue]),
                        frames[3], frames[4], Data("ok".utf8), frames[8],
                    ])
                }
                if nanoseconds() - lastBeat > 500_000_000 {
                    _ = try? worker.send([Data(), BusProtocol.workerHeader, Data([BusProtocol.Command.heartbeat.rawValue])])
                    lastBeat = nanoseconds()
                }
            }
            _ = try? worker.send([Data(), BusProtocol.workerHeader, Data([BusProtocol.Command.disconnect.rawValue])])
            worker.close()
            finished.signal()
        }.start()
        ready.wait()
        Thread.sleep(forTimeInterval: 0.2)  // let READY reach the broker
    }

    private func request(_ id: Int) -> [Data] {
        [
            Data(), BusProtocol.clientHeader, Data([BusProtocol.Command.request.rawValue]), Data(Self.service.utf8),
            Data(String(id).utf8), Data("bench.echo".utf8), Data("30000".utf8), Data("{}".utf8), body,
        ]
    }

    private var load: DealerLoad {
        DealerLoad(context: context, endpoint: endpoint, request: { [self] n in self.request(n) })
    }

    func latency(count: Int) throws -> LatencyResult { try load.latency(count: count) }

    func throughput(count: Int, window: Int) throws -> Double { try load.throughput(count: count, window: window) }

    func stop() {
        running.set(false)
        finished.wait()
    }
}
