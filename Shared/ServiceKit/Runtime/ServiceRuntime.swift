import Bus
import Contracts
import Foundation
import GRDB
import Logging
import Metrics
import ServiceLifecycle
import Storage

/// What one service process runs, composed in one place: a bus worker (its methods, plus
/// `<service>.health` and `events.since`), an event publisher draining its outbox, subscribers
/// for the events it consumes, and any other long-running parts (the gateway's HTTP server).
/// `run()` starts them in a `ServiceGroup` and shuts them down in reverse order on SIGTERM/SIGINT.
public final class ServiceRuntime: Sendable {
    public let name: String
    public let config: ServiceConfig
    public let logger: Logger
    /// The process's ZeroMQ context.
    public let context: ZMQContext
    /// For requests to other services (and catch-up of events).
    public let client: BusClient
    /// CURVE keys for every connection to the bus, when it is encrypted.
    public let curve: CurveClientKeys?
    private let startedAt = Date()
    private let queueReaders = LockedValue<[@Sendable () async -> [String: Int64]]>([])
    private let subscriber = LockedValue<EventSubscriber?>(nil)

    public init(name: String, config: ServiceConfig) throws {
        self.name = name
        self.config = config
        var logger = Logger(label: name)
        logger[metadataKey: "instance"] = "\(config.instance)"
        self.logger = logger
        Telemetry.bootstrap()
        context = ZMQContext()
        curve = try config.busKeys(role: name)
        client = try BusClient(
            context: context, endpoint: config.busEndpoint, defaultTimeout: config.requestTimeout,
            curve: curve, logger: Logger(label: "\(name).bus-client"))
    }

    /// Adds queues of the service's own (messages waiting to be sent, say) to its metrics
    /// (`crm_queue_depth{queue}`) and health report: `read` answers their depths by name.
    public func reportQueues(_ read: @escaping @Sendable () async -> [String: Int64]) {
        queueReaders.withValue { $0.append(read) }
    }

    /// The depth of every queue reported with `reportQueues`.
    func queueDepths() async -> [String: Int64] {
        var depths: [String: Int64] = [:]
        for read in queueReaders.get() { depths.merge(await read()) { $1 } }
        return depths
    }

    /// Runs until SIGTERM or SIGINT.
    /// - Parameters:
    ///   - methods: the service's bus methods; nil runs no worker (the gateway).
    ///   - database: the service's database, whose outbox is published and served by `events.since`.
    ///   - subscriptions: sources to follow and what to do with their events.
    ///   - services: other parts to run alongside.
    public func run(
        methods: MethodTable?,
        database: ServiceDatabase? = nil,
        subscriptions: (sources: [String], handler: EventHandler)? = nil,
        snapshot: SnapshotProducer? = nil,
        services extra: [any Service] = []
    ) async throws {
        var parts: [any Service] = [HeapTrimmer()]
        if let database {
            let source = OutboxEventSource(source: name, database: database)
            let publisher = EventPublisher(
                context: context, endpoint: config.eventsPublishEndpoint, source: source,
                curve: curve, logger: Logger(label: "\(name).publisher"))
            database.outbox.onCommit { publisher.notify() }
            parts.append(publisher)
            parts.append(
                Housekeeper(
                    database: database, interval: .seconds(3600), replyRetention: 24 * 3600,
                    logger: Logger(label: "\(name).housekeeping")))
            parts.append(OutboxPruner(database: database, retention: config.outboxRetention, logger: Logger(label: "\(name).outbox")))
            if let subscriptions {
                let follower = EventSubscriber(
                    context: context, endpoint: config.eventsSubscribeEndpoint, client: client,
                    sources: subscriptions.sources,
                    applier: DatabaseEventApplier(database: database, handler: subscriptions.handler),
                    curve: curve, logger: Logger(label: "\(name).subscriber"))
                subscriber.set(follower)
                parts.append(follower)
            }
            Telemetry.onScrape { [weak self, weak database] in
                guard let self, let database else { return }
                Telemetry.recordFileSizes(database: database.writer.path)
                guard let outbox = try? await self.outboxStatus(database) else { return }
                Gauge(label: "crm_outbox_sequence").record(outbox.sequence)
                Gauge(label: "crm_outbox_events").record(outbox.kept)
                for (caller, behind) in outbox.behind {
                    Gauge(label: "crm_outbox_subscriber_behind", dimensions: [("subscriber", caller)]).record(behind)
                }
            }
        }
        Telemetry.onScrape { [weak self] in
            guard let self else { return }
            for (queue, depth) in await self.queueDepths() {
                Gauge(label: "crm_queue_depth", dimensions: [("queue", queue)]).record(depth)
            }
        }
        if let address = config.metricsAddress {
            parts.append(MetricsServer(host: address.host, port: address.port, logger: Logger(label: "\(name).metrics")))
        }
        parts.append(contentsOf: extra)
        if var methods {
            // What every service answers, open to the others: its health and its events.
            methods.add(CommonMethods.health(of: name).name, service: name, open: true, healthHandler(database: database))
            if let database {
                let source = OutboxEventSource(source: name, database: database, retention: config.outboxRetention)
                methods.add(EventsSince.method(of: name), service: name, open: true, source.sinceHandler)
                if let snapshot {
                    methods.add(EventsSnapshot.method(of: name), service: name, open: true, source.snapshotHandler(snapshot))
                }
            }
            // Listed last so it stops first: no new requests while the rest winds down.
            parts.append(
                BusWorker(
                    context: context, endpoint: config.busEndpoint, service: name, handlers: methods.handlers,
                    openToServices: methods.openToServices,
                    capacity: config.workerConcurrency, instance: config.instance, heartbeat: config.heartbeat, curve: curve,
                    logger: Logger(label: "\(name).worker")))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: parts.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info("starting", metadata: ["bus": "\(config.busEndpoint)", "data": "\(config.dataDirectory)"])
        defer {
            client.close()
            context.terminate()
            logger.info("stopped")
        }
        try await group.run()
    }

    private func healthHandler(database: ServiceDatabase?) -> BusMethodHandler {
        let name = name, instance = config.instance, startedAt = startedAt
        let metrics = config.metricsAddress.map { "\($0.host):\($0.port)" }
        return { [self] request in
            var databaseStatus = "none"
            if let database {
                do {
                    _ = try await database.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
                    databaseStatus = "ok"
                } catch {
                    databaseStatus = "error: \(error)"
                }
            }
            var health = HealthReport(
                service: name, instance: instance, status: databaseStatus.hasPrefix("error") ? "degraded" : "ok",
                pid: Int(ProcessInfo.processInfo.processIdentifier), startedAt: startedAt,
                uptimeSeconds: Int(Date().timeIntervalSince(startedAt)), database: databaseStatus)
            // The lags, outbox, queues and memory only when asked (`crm status`): `/readyz` asks
            // every service's health often and without a token, and must stay cheap.
            guard Self.wantsDetail(request.body) else { return try Wire.encode(health) }
            if let positions = self.subscriber.get()?.positions {
                health.lags = positions.mapValues { max(0, $0.seen - $0.applied) }
            }
            if let database, let outbox = try? await self.outboxStatus(database) {
                health.outboxSequence = outbox.sequence
                health.subscribersBehind = outbox.behind
            }
            let queues = await self.queueDepths()
            health.queues = queues.isEmpty ? nil : queues
            health.residentBytes = ProcessMetrics.residentBytes()
            health.metrics = metrics
            return try Wire.encode(health)
        }
    }

    /// Whether a health request's body is `{"detail": true}`.
    static func wantsDetail(_ body: Data) -> Bool {
        guard !body.isEmpty, let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return false }
        return object["detail"] as? Bool == true
    }

    /// The outbox's newest sequence, how many events it keeps, and per subscriber (bus role)
    /// how far behind the newest the last position it asked for is.
    func outboxStatus(_ database: ServiceDatabase) async throws -> (sequence: Int64, kept: Int64, behind: [String: Int64]) {
        try await database.read { db in
            // The last sequence handed out (kept by AUTOINCREMENT even when pruning emptied the table).
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) AS newest,
                        (SELECT min(seq) FROM outbox) AS oldest
                    """)
            let newest: Int64 = row?["newest"] ?? 0
            let oldest: Int64? = row?["oldest"]
            var behind: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT caller, after FROM subscriber_position") {
                let caller: String = row["caller"], after: Int64 = row["after"]
                behind[caller] = max(0, newest - after)
            }
            return (newest, oldest.map { newest - $0 + 1 } ?? 0, behind)
        }
    }
}
