import Foundation
import Logging

/// The request broker: a ROUTER socket that clients and workers connect to, run on its own
/// thread. Start it, read `endpoint` for the address actually bound, and `stop()` it.
public final class Broker: Sendable {
    private let thread: SocketThread<BrokerEngine>
    /// The endpoint the broker is bound to (the real port when asked for port 0).
    public let endpoint: String

    /// Binds and starts routing at once; throws if the endpoint cannot be bound.
    public init(context: ZMQContext, config: BrokerConfig, logger: Logger = Logger(label: "bus.broker")) throws {
        let bound = LockedValue<String>("")
        thread = try SocketThread(name: "bus-broker") {
            BrokerEngine(context: context, config: config, logger: logger, boundEndpoint: bound)
        }
        // SocketThread.init returns after the engine's start(), so the endpoint is known here.
        endpoint = bound.get()
    }

    /// The services and workers the broker knows now.
    public func snapshot() async -> BrokerSnapshot {
        await withCheckedContinuation { continuation in
            let posted = thread.post(.snapshot { continuation.resume(returning: $0) })
            if !posted { continuation.resume(returning: BrokerSnapshot(services: [], requestsRouted: 0)) }
        }
    }

    /// Tells workers to disconnect, closes the socket and ends the thread.
    public func stop() {
        thread.stop()
    }
}
