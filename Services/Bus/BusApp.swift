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
    static let configuration = CommandConfiguration(
        commandName: "bus", abstract: "The CRM's message bus.",
        discussion: ServiceEnvironment.discussion(
            [("CRM_BUS_CURVE_SECRET", "the bus's own secret key, instead of <keys>/bus.key")]))

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try ServiceConfig.load(options: options)
        LogSetup.bootstrap(config, service: "bus")
        Telemetry.bootstrap()
        var services: [any Service] = [BusProcess(config: config, logger: Logger(label: "bus")), HeapTrimmer()]
        if let address = config.metricsAddress {
            services.append(MetricsServer(host: address.host, port: address.port, logger: Logger(label: "bus.metrics")))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "bus")))
        try await group.run()
    }
}

/// Runs the broker and the forwarder until graceful shutdown.
struct BusProcess: Service {
    let config: ServiceConfig
    let logger: Logger

    func run() async throws {
        let context = ZMQContext()
        // The ZAP handler must be in place before the CURVE sockets accept anyone. It reads the
        // roster (the .pub files of the key folder) for each new connection.
        var authenticator: ZapAuthenticator?
        let secret = try config.busServerSecret()
        if secret != nil {
            let folder = config.keyFolder
            let roster = folder.roster()
            if roster.isEmpty {
                logger.warning("no identities in \(folder.path) (no <role>.pub files): nobody can reach the bus; run `crm keys init`")
            }
            logger.info("bus identities", metadata: ["roles": "\(Set(roster.values).sorted().joined(separator: ","))"])
            authenticator = try ZapAuthenticator(context: context, roster: { folder.roster() }, logger: logger)
        } else {
            logger.warning("CRM_BUS_IDENTITIES=off: no encryption and no identities; any local process is trusted (benchmarks only)")
        }
        let broker = try Broker(
            context: context,
            config: BrokerConfig(
                endpoint: config.busEndpoint, heartbeatIntervalMs: config.heartbeat.wholeMilliseconds,
                defaultTimeoutMs: config.requestTimeout.wholeMilliseconds, curveSecretKey: secret, enforceRoles: secret != nil),
            logger: logger)
        let forwarder = try EventForwarder(
            context: context, publishersEndpoint: config.eventsPublishEndpoint,
            subscribersEndpoint: config.eventsSubscribeEndpoint, curveSecretKey: secret, enforceSources: secret != nil, logger: logger)
        Telemetry.onScrape {
            let snapshot = await broker.snapshot()
            for service in snapshot.services {
                BusMetrics.broker(service: service.name, workers: service.workers, queued: service.queued, inFlight: service.inFlight)
            }
            BusMetrics.routed(total: snapshot.requestsRouted)
        }
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
