import Bus
import Contracts
import Foundation
import Logging
import NotificationsCore
import ServiceLifecycle

/// Sends queued SMS at the configured rate: takes a round of due messages (committed as
/// `sending` first), paces each by the token bucket in segments, keeps up to `maxInFlight`
/// requests out, and settles the answers in small transactions. A second loop looks up at the
/// provider every message whose answer never came, before anything is sent again.
struct SMSSender: Service {
    let store: SMSStore
    let provider: SMSProvider?
    let options: SMSOptions
    let logger: Logger
    static let maxInFlight = 256

    /// Answers waiting to be committed, settled together every few milliseconds.
    actor Settler {
        var pending: [(Message, SMSSendOutcome)] = []
        func add(_ message: Message, _ outcome: SMSSendOutcome) { pending.append((message, outcome)) }
        func drain() -> [(Message, SMSSendOutcome)] {
            defer { pending = [] }
            return pending
        }
    }

    static func clock() -> TimeInterval { ProcessInfo.processInfo.systemUptime }

    func run() async throws {
        guard let provider else {
            logger.notice("no CRM_SMS_PROVIDER: SMS are queued and wait for a provider")
            try? await gracefulShutdown()
            return
        }
        let bucket = LockedValue(TokenBucket(rate: options.rate, burst: max(1, options.rate / 4), now: Self.clock()))
        let busy = LockedValue<Set<Int64>>([])
        let settler = Settler()
        let (store, options, logger) = (store, options, logger)
        let round = Int(max(1, min(500, options.rate / 2)))
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await Self.settleLoop(store: store, settler: settler, busy: busy, logger: logger) }
                group.addTask { await Self.reconcileLoop(store: store, provider: provider, options: options, busy: busy, logger: logger) }
                var outstanding = 0
                while !Task.isCancelled {
                    let taken: [Message]
                    do {
                        let due = try await store.due(limit: round)
                        taken = due.isEmpty ? [] : try await store.take(due)
                    } catch {
                        logger.warning("taking SMS to send failed; will try again", metadata: ["error": "\(error)"])
                        try? await Task.sleep(for: .seconds(1))
                        continue
                    }
                    if taken.isEmpty {
                        try? await Task.sleep(for: .milliseconds(200))
                        continue
                    }
                    busy.withValue { $0.formUnion(taken.map(\.id)) }
                    for message in taken {
                        let wait = bucket.withValue { $0.reserve(message.segments ?? 1, now: Self.clock()) }
                        if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
                        if outstanding >= Self.maxInFlight {
                            _ = await group.next()
                            outstanding -= 1
                        }
                        outstanding += 1
                        group.addTask {
                            let sms = SMSSubmission(
                                reference: message.id, to: message.to.first ?? "", from: message.from, text: message.text,
                                callbackURL: options.callbackURL(for: message.id))
                            let outcome = await provider.send(sms, unicode: SMSText(message.text).encoding == .ucs2)
                            if case .throttled(let retryAfter, _) = outcome {
                                let now = Self.clock()
                                let delay = Backoff.delay(attempt: 1, retryAfter: retryAfter)
                                bucket.withValue { $0.block(until: now + delay, now: now) }
                            }
                            await settler.add(message, outcome)
                        }
                    }
                }
                group.cancelAll()
            }
        }
        // Answers that came in while stopping are kept; what was still out is looked up next time.
        let left = await settler.drain()
        try? await store.settle(left)
        await provider.shutdown()
    }

    static func settleLoop(store: SMSStore, settler: Settler, busy: LockedValue<Set<Int64>>, logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
            let answers = await settler.drain()
            guard !answers.isEmpty else { continue }
            do {
                try await store.settle(answers)
            } catch {
                // Left `sending`: looked up at the provider later, never sent blindly again.
                logger.warning("recording SMS answers failed", metadata: ["error": "\(error)", "count": "\(answers.count)"])
            }
            busy.withValue { $0.subtract(answers.map { $0.0.id }) }
        }
    }

    static func reconcileLoop(
        store: SMSStore, provider: SMSProvider, options: SMSOptions, busy: LockedValue<Set<Int64>>, logger: Logger
    ) async {
        while !Task.isCancelled {
            do {
                let open = try await store.ambiguous(limit: 50, excluding: busy.get())
                for message in open {
                    busy.withValue { _ = $0.insert(message.id) }
                    defer { busy.withValue { _ = $0.remove(message.id) } }
                    let sms = SMSSubmission(
                        reference: message.id, to: message.to.first ?? "", from: message.from, text: message.text,
                        callbackURL: options.callbackURL(for: message.id))
                    let since = message.updatedAt.addingTimeInterval(-options.reconcileAfter - 3600)
                    let lookup: Result<SMSProvider.Lookup, any Error>
                    do { lookup = .success(try await provider.lookup(sms, since: since)) } catch { lookup = .failure(error) }
                    try await store.reconcile(message, lookup)
                }
                if open.count == 50 { continue }
            } catch {
                logger.warning("reconciling SMS failed; will try again", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
