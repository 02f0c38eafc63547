import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Serves `GET /metrics` (Prometheus text) on the process's metrics address, apart from any
/// API: no token, so bind it where only the monitoring network reaches (CRM_METRICS_ADDRESS).
public struct MetricsServer: Service {
    let host: String
    let port: Int
    let logger: Logger

    public init(host: String, port: Int, logger: Logger) {
        self.host = host
        self.port = port
        self.logger = logger
    }

    public func run() async throws {
        let (host, port, logger) = (host, port, logger)
        // Metrics are not worth the service: an address that stays taken is logged and tried
        // again now and then, never the end of the process.
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await Rebinding.retry("the metrics address \(host):\(port)", logger: logger) {
                    try await Self.serve(host: host, port: port, logger: logger)
                }
                return
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                logger.error("no /metrics: \(host):\(port) stays taken; trying again in 10 s", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(10))
            }
        }
    }

    private static func serve(host: String, port: Int, logger: Logger) async throws {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let bytes = await Telemetry.exposition()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "crm-metrics"),
            onServerRunning: { [logger] channel in
                logger.info("metrics at /metrics", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            },
            logger: logger)
        try await app.run()
    }
}
