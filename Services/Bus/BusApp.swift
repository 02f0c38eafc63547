import ArgumentParser
import Bus
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// The bus process: the request broker and the event forwarder. It keeps nothing durable, so it
/// can be killed and restarted at any time; services and the gateway reconnect by themselves.
@main
struct BusApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bus", abstract: "The CRM's message bus.")

    @OptionGroup var options: CommonOptions

    @Option(name: .customLong("curve-secret"), help: "CURVE secret key (Z85) to encrypt tcp:// traffic (CRM_BUS_CURVE_SECRET).")
    var curveSecret: String?

    func run() async throws {
        let config = try ServiceConfig.load(options: options)
        LogSetup.bootstrap(level: config.logLevel)
        let secret = curveSecret ?? ProcessInfo.processInfo.environment["CRM_BUS_CURVE_SECRET"]
        let service = BusProcess(config: config, curveSecret: secret, logger: Logger(label: "bus"))
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "bus")))
        try await group.run()
    }
}

/// Runs the broker and the forwarder until graceful shutdown.
struct BusProcess: Service {
    let config: ServiceConfig
    let curveSecret: String?
    let logger: Logger

    func run() async throws {
        let context = ZMQContext()
        let broker = try Broker(context: context, config: BrokerConfig(
            endpoint: config.busEndpoint, heartbeatIntervalMs: config.heartbeat.wholeMilliseconds,
            defaultTimeoutMs: config.requestTimeout.wholeMilliseconds, curveSecretKey: curveSecret), logger: logger)
        let forwarder = try EventForwarder(
            context: context, publishersEndpoint: config.eventsPublishEndpoint,
            subscribersEndpoint: config.eventsSubscribeEndpoint, curveSecretKey: curveSecret, logger: logger)
        logger.info("bus ready", metadata: [
            "requests": "\(broker.endpoint)", "events_publish": "\(forwarder.publishersEndpoint)",
            "events_subscribe": "\(forwarder.subscribersEndpoint)"])
        try? await gracefulShutdown()
        broker.stop()
        forwarder.stop()
        context.terminate()
        logger.info("bus stopped")
    }
}
