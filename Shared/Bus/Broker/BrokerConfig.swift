/// How the broker behaves: where it listens and how quickly it gives up on silent workers.
public struct BrokerConfig: Sendable {
    /// Where clients and workers connect (one ROUTER socket for both).
    public var endpoint: String
    /// How often the broker and the workers send heartbeats, in milliseconds.
    public var heartbeatIntervalMs: Int64
    /// How many heartbeats a worker may miss before the broker drops it.
    public var heartbeatLiveness: Int64
    /// Longest time a request waits in a service queue when the client asked for no deadline.
    public var defaultTimeoutMs: Int64
    /// CURVE secret key (Z85) when the endpoint is a tcp:// port other machines can reach.
    public var curveSecretKey: String?
    /// Whether senders are told apart by their ZAP role (CURVE with a `ZapAuthenticator` roster):
    /// workers register only for their own service, and user headers come only from `gateway`
    /// and `crm-admin`. Off only for a bus without identities (loopback benchmarks).
    public var enforceRoles: Bool

    public init(
        endpoint: String,
        heartbeatIntervalMs: Int64 = 1000,
        heartbeatLiveness: Int64 = 3,
        defaultTimeoutMs: Int64 = 30_000,
        curveSecretKey: String? = nil,
        enforceRoles: Bool = false
    ) {
        self.enforceRoles = enforceRoles
        self.endpoint = endpoint
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.heartbeatLiveness = heartbeatLiveness
        self.defaultTimeoutMs = defaultTimeoutMs
        self.curveSecretKey = curveSecretKey
    }
}

/// A snapshot of the broker's state, for `bus.health` and tests.
public struct BrokerSnapshot: Codable, Sendable, Equatable {
    /// One service as the broker sees it.
    public struct ServiceState: Codable, Sendable, Equatable {
        public var name: String
        public var workers: Int
        public var queued: Int
        public var inFlight: Int
        /// One entry per connected worker.
        public var instances: [WorkerState]

        enum CodingKeys: String, CodingKey {
            case name, workers, queued, instances
            case inFlight = "in_flight"
        }
    }

    /// One worker as the broker sees it.
    public struct WorkerState: Codable, Sendable, Equatable {
        /// The instance name it announced (CRM_INSTANCE), empty when it gave none.
        public var instance: String
        public var capacity: Int
        public var inFlight: Int

        enum CodingKeys: String, CodingKey {
            case instance, capacity
            case inFlight = "in_flight"
        }
    }

    public var services: [ServiceState]
    public var requestsRouted: Int
    /// Messages refused for who sent them: READY for another role's service, user headers from
    /// a role that may not send them. (Unreadable headers are answered `bad_request`, not counted.)
    public var refused: Int

    public init(services: [ServiceState], requestsRouted: Int, refused: Int = 0) {
        self.services = services
        self.requestsRouted = requestsRouted
        self.refused = refused
    }

    enum CodingKeys: String, CodingKey {
        case services, refused
        case requestsRouted = "requests_routed"
    }
}
