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

    func run() async throws {
        let config = try ServiceConfig.load(options: options)
        LogSetup.bootstrap(level: config.logLevel)
        let service = BusProcess(config: config, logger: Logger(label: "bus"))
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "bus")))
        try await group.run()
    }
}

/// Runs the broker and the forwarder until graceful shutdown.
struct BusProcess: Service {
    let config: ServiceConfig
    let logger: Logger

    func run() async throws {
        let context = ZMQContext()
        let curveSecret = config.busCurveSecret
        // The ZAP handler must be in place before the CURVE sockets accept anyone.
        var authenticator: ZapAuthenticator?
        if curveSecret != nil {
            if config.busCurveAllowedKeys.isEmpty {
                logger.warning(
                    "CURVE without CRM_BUS_CURVE_ALLOWED_KEYS: traffic is encrypted, but any client that knows the bus's public key gets in"
                )
            } else {
                authenticator = try ZapAuthenticator(context: context, allowedKeys: config.busCurveAllowedKeys, logger: logger)
            }
        }
        let broker = try Broker(
            context: context,
            config: BrokerConfig(
                endpoint: config.busEndpoint, heartbeatIntervalMs: config.heartbeat.wholeMilliseconds,
                defaultTimeoutMs: config.requestTimeout.wholeMilliseconds, curveSecretKey: curveSecret), logger: logger)
        let forwarder = try EventForwarder(
            context: context, publishersEndpoint: config.eventsPublishEndpoint,
            subscribersEndpoint: config.eventsSubscribeEndpoint, curveSecretKey: curveSecret, logger: logger)
        logger.info(
            "bus ready",
            metadata: [
                "requests": "\(broker.endpoint)", "events_publish": "\(forwarder.publishersEndpoint)",
                "events_subscribe": "\(forwarder.subscribersEndpoint)",
            ])
        try? await gracefulShutdown()
        broker.stop()
        forwarder.stop()
        authenticator?.stop()
        context.terminate()
        logger.info("bus stopped")
    }
}
