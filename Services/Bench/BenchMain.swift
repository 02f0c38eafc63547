import ArgumentParser
import Bus
import Foundation
import Logging
import ServiceKit

/// `crm-bench`: benchmarks, apart from the tests; each prints numbers and ratios against a
/// baseline measured in the same run on the same machine.
@main
struct BenchMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm-bench", abstract: "Benchmarks of the bus and the customer database.",
        subcommands: [BusBench.self, CustomerBench.self, TelephonyBench.self, HTTPLoad.self, SoakBench.self],
        defaultSubcommand: BusBench.self)
}

/// `crm-bench bus`: request round trips through the broker against a bare libzmq DEALER/ROUTER
/// round trip.
struct BusBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus", abstract: "Measure broker round trips against bare libzmq.")

    @Option(help: "Sequential round trips per path and round, for latency.")
    var latencyRequests = 5_000

    @Option(help: "Requests per path and round, for throughput.")
    var throughputRequests = 50_000

    @Option(help: "Rounds; the paths take turns in every round, so they see the same machine noise.")
    var rounds = 5

    @Option(help: "Requests kept in flight in the throughput runs.")
    var window = 128

    @Option(help: "Concurrent callers of the Swift client in its throughput run.")
    var callers = 128

    @Option(help: "Payload size in bytes.")
    var payload = 64

    @Flag(help: "Record the worker's request metrics into Prometheus, as the services do (else swift-metrics' no-op).")
    var prometheus = false

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        if prometheus { Telemetry.bootstrap() }
        let body = Data(repeating: UInt8(ascii: "x"), count: payload)
        let metrics = prometheus ? "into Prometheus" : "off (no-op)"
        say(
            "crm-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, payload \(payload) B, window \(window), "
                + "\(rounds) rounds, worker metrics \(metrics)")

        let bare = try BareRoundTrip(body: body)
        let context = ZMQContext()
        let broker = try Broker(context: context, config: BrokerConfig(endpoint: "tcp://127.0.0.1:*"))
        let raw = try RawBrokerRoundTrip(context: context, endpoint: broker.endpoint, body: body)
        let worker = BusWorker(
            context: context, endpoint: broker.endpoint, service: "bench-swift",
            handlers: ["bench.echo": { request in request.body }], capacity: 256)
        let workerTask = Task { try await worker.run() }
        let client = try BusClient(context: context, endpoint: broker.endpoint, defaultTimeout: .seconds(30))
        // The same path with identities, as the bus runs by default: CURVE on every socket, a ZAP
        // roster, roles enforced (headers checked and given their caller). Its own context, since
        // a context has one ZAP handler.
        let secure = ZMQContext()
        let server = try CurveKeyPair.generate(), gatewayPair = try CurveKeyPair.generate(), workerPair = try CurveKeyPair.generate()
        let zap = try ZapAuthenticator(context: secure, roster: [gatewayPair.publicKey: "gateway", workerPair.publicKey: "bench-swift"])
        let secureBroker = try Broker(
            context: secure, config: BrokerConfig(endpoint: "tcp://127.0.0.1:*", curveSecretKey: server.secretKey, enforceRoles: true))
        let secureWorker = BusWorker(
            context: secure, endpoint: secureBroker.endpoint, service: "bench-swift",
            handlers: ["bench.echo": { request in request.body }], capacity: 256,
            curve: CurveClientKeys(serverKey: server.publicKey, publicKey: workerPair.publicKey, secretKey: workerPair.secretKey))
        let secureWorkerTask = Task { try await secureWorker.run() }
        let secureClient = try BusClient(
            context: secure, endpoint: secureBroker.endpoint, defaultTimeout: .seconds(30),
            curve: CurveClientKeys(serverKey: server.publicKey, publicKey: gatewayPair.publicKey, secretKey: gatewayPair.secretKey))
        // Wait for the workers to register.
        for candidate in [client, secureClient] {
            for _ in 0..<500 {
                if (try? await candidate.call(service: "bench-swift", method: "bench.echo", body: body, timeout: .seconds(1))) != nil {
                    break
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }

        var results = [PathResults](repeating: PathResults(), count: 4)
        for round in 1...rounds {
            results[0].add(try bare.latency(count: latencyRequests), try bare.throughput(count: throughputRequests, window: window))
            results[1].add(try raw.latency(count: latencyRequests), try raw.throughput(count: throughputRequests, window: window))
            results[2].add(
                try await SwiftRoundTrip.latency(client: client, body: body, count: latencyRequests),
                try await SwiftRoundTrip.throughput(client: client, body: body, count: throughputRequests, callers: callers))
            results[3].add(
                try await SwiftRoundTrip.latency(client: secureClient, body: body, count: latencyRequests),
                try await SwiftRoundTrip.throughput(client: secureClient, body: body, count: throughputRequests, callers: callers))
            say("round \(round): p50 µs \(results.map { String(format: "%.0f", $0.p50s.last!) }.joined(separator: " / "))")
        }
        raw.stop()
        bare.stop()
        workerTask.cancel()
        _ = await workerTask.result
        client.close()
        broker.stop()
        context.terminate()
        secureWorkerTask.cancel()
        _ = await secureWorkerTask.result
        secureClient.close()
        secureBroker.stop()
        zap.stop()
        secure.terminate()

        let baseline = results[0]
        func row(_ name: String, _ path: PathResults) -> String {
            name.padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(
                    format: "%9.1f %9.1f %12.0f %10.2f %10.2f", path.median(path.p50s), path.median(path.p99s),
                    path.median(path.rates), path.median(path.p50s) / baseline.median(baseline.p50s),
                    baseline.median(baseline.rates) / path.median(path.rates))
        }
        say("")
        say(
            "medians of \(rounds) rounds".padding(toLength: 44, withPad: " ", startingAt: 0)
                + "  p50 µs    p99 µs        req/s  p50 ratio  rate ratio")
        say(row("bare DEALER -> ROUTER (baseline)", results[0]))
        say(row("broker, raw DEALER client and worker", results[1]))
        say(row("broker, BusClient -> BusWorker (async API)", results[2]))
        say(row("the same with identities (CURVE, roles)", results[3]))
        say("")
        say(
            String(
                format: "identities on vs off (async API): p50 %.2fx, req/s %.2fx",
                results[3].median(results[3].p50s) / results[2].median(results[2].p50s),
                results[3].median(results[3].rates) / results[2].median(results[2].rates)))
        say("ratios are against the baseline: p50 ratio = p50 / baseline p50; rate ratio = baseline req/s / req/s")
    }
}

/// One path's measurements over the rounds.
struct PathResults {
    var p50s: [Double] = []
    var p99s: [Double] = []
    var rates: [Double] = []

    mutating func add(_ latency: LatencyResult, _ rate: Double) {
        p50s.append(latency.p50)
        p99s.append(latency.p99)
        rates.append(rate)
    }

    func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}

/// Latency percentiles in microseconds.
struct LatencyResult {
    let p50: Double
    let p99: Double

    init(samples: [UInt64]) {
        let sorted = samples.sorted()
        p50 = Double(sorted[sorted.count / 2]) / 1000
        p99 = Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1000
    }
}

func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Writes a line to standard output at once (no stdio buffering), so progress shows when piped.
func say(_ line: String = "") {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
