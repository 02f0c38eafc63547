import Bus
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Storage

/// Runs the ZeroMQ ingest engine on its own thread for the life of the service.
struct IngestEndpoint: Service {
    let context: ZMQContext
    let endpoint: String
    let database: ServiceDatabase
    let phones: PhoneNormalizer
    let projector: Projector
    /// Telephony's own key pair is the server's; producers are admitted from `producers/` of the
    /// key folder under their names. Nil: no identities (loopback benchmarks only).
    let identities: (secret: String, producers: KeyFolder)?
    let logger: Logger

    func run() async throws {
        let (context, endpoint, database, phones, projector, logger) = (context, endpoint, database, phones, projector, logger)
        var authenticator: ZapAuthenticator?
        if let identities {
            let producers = identities.producers
            authenticator = try ZapAuthenticator(context: context, roster: { producers.roster() }, logger: logger)
        } else if !ServiceConfig.isLocal(endpoint) {
            throw ConfigError(
                "the ingest endpoint \(endpoint) can be reached from other machines; it needs identities (CRM_BUS_IDENTITIES)")
        }
        let secret = identities?.secret
        let thread = try await Rebinding.retry("the ingest endpoint \(endpoint)", logger: logger) {
            try await SocketThread.start(name: "telephony-ingest") {
                IngestEngine(
                    context: context, endpoint: endpoint, database: database, phones: phones, logger: logger, projector: projector,
                    serverSecret: secret)
            }
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
        await thread.shutdown()
        authenticator?.stop()
    }
}

/// Runs the projector's thread for the life of the service (listed before the endpoint, so it
/// stops after it).
struct ProjectorService: Service {
    let projector: Projector

    func run() async throws {
        projector.start()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
        // Blocks while the batch in hand finishes: off the cooperative pool.
        let projector = projector
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                projector.stop()
                done.resume()
            }.start()
        }
    }
}

/// Closes calls that never got their end, once their last event is older than the timeout.
struct StaleCallCloser: Service {
    let store: CallStore
    let timeout: TimeInterval
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    var closed = 0
                    repeat {
                        closed = try await store.closeStale(timeout: timeout)
                        if closed > 0 { logger.info("closed calls that never ended", metadata: ["count": "\(closed)"]) }
                    } while closed >= 1000
                } catch {
                    logger.warning("closing stale calls failed; will try again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(min(60, max(1, timeout / 10))))
            }
        }
    }
}
