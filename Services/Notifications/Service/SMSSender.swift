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

    /// A message as the provider is asked to send it (and looked up by).
    static func submission(_ message: Message, _ options: SMSOptions) -> SMSSubmission {
        SMSSubmission(
            reference: message.id, to: message.to.first ?? "", from: message.from, text: message.text,
            callbackURL: options.callbackURL(for: message.id))
    }

    /// A token bucket per sender profile (the rate is per sender, as providers count it). A
    /// hundredth of a second saved up at most: a provider's limit at the configured rate sees
    /// the rate, not bursts above it (each 429 costs the second it asks us to wait).
    final class Buckets: Sendable {
        let rate: Double
        private let buckets = LockedValue<[String: TokenBucket]>([:])

        init(rate: Double) { self.rate = rate }

        func reserve(_ segments: Int, sender: String) -> TimeInterval {
            let now = SMSSender.clock()
            return buckets.withValue { all in
                all[sender, default: bucket(now)].reserve(segments, now: now)
            }
        }

        func block(sender: String, until: TimeInterval, now: TimeInterval) {
            buckets.withValue { all in all[sender, default: bucket(now)].block(until: until, now: now) }
        }

        private func bucket(_ now: TimeInterval) -> TokenBucket { TokenBucket(rate: rate, burst: max(1, rate / 100), now: now) }
    }

    func run() async throws {
        guard let provider else {
            logger.notice("no CRM_SMS_PROVIDER: SMS are queued and wait for a provider")
            try? await gracefulShutdown()
            return
        }
        let buckets = Buckets(rate: options.rate)
        let busy = LockedValue<Set<Int64>>([])
        let settler = Settler()
        let (store, options, logger) = (store, options, logger)
        let round = Int(max(1, min(500, options.rate / 2)))
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await Self.settleLoop(store: store, settler: settler, busy: busy, logger: logger) }
                group.addTask { await Self.reconcileLoop(store: store, provider: provider, options: options, busy: busy, logger: logger) }
                var outstanding = 0
                // The next round is taken while this one is paced out, so the time a round's
                // transaction takes is not time the rate loses.
                var upcoming: Task<[Message], Never>? = nil
                func fetch() -> Task<[Message], Never> {
                    Task {
                        do {
                            let due = try await store.due(limit: round)
                            let taken = due.isEmpty ? [] : try await store.take(due)
                            busy.withValue { $0.formUnion(taken.map(\.id)) }
                            return taken
                        } catch {
                            logger.warning("taking SMS to send failed; will try again", metadata: ["error": "\(error)"])
                            try? await Task.sleep(for: .seconds(1))
                            return []
                        }
                    }
                }
                while !Task.isCancelled {
                    let taken = await (upcoming ?? fetch()).value
                    upcoming = nil
                    if taken.isEmpty {
                        try? await Task.sleep(for: .milliseconds(200))
                        continue
                    }
                    upcoming = fetch()
                    let batches = Set(taken.compactMap(\.batchId))
                    var skipped = Set<Int64>()
                    var checked = Self.clock()
                    for (index, message) in taken.enumerated() {
                        // A batch paused or cancelled while its round is paced out sends no more of it.
                        if !batches.isEmpty, Self.clock() - checked > 0.2 {
                            checked = Self.clock()
                            let stopped = (try? await store.stoppedBatches(batches)) ?? []
                            let rest = taken[index...].filter { $0.batchId.map(stopped.contains) == true && !skipped.contains($0.id) }
                            await Self.putBack(rest, store: store, busy: busy, logger: logger)
                            skipped.formUnion(rest.map(\.id))
                        }
                        if skipped.contains(message.id) { continue }
                        let wait = buckets.reserve(message.segments ?? 1, sender: message.from)
                        if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
                        if Task.isCancelled {
                            // Stopping: what was taken but never sent goes back to the queue.
                            await Self.putBack(Array(taken[index...]), store: store, busy: busy, logger: logger)
                            break
                        }
                        if outstanding >= Self.maxInFlight {
                            _ = await group.next()
                            outstanding -= 1
                        }
                        outstanding += 1
                        group.addTask {
                            let sms = Self.submission(message, options)
                            let outcome = await provider.send(sms, unicode: SMSText(message.text).encoding == .ucs2)
                            if case .throttled(let retryAfter, _) = outcome {
                                let now = Self.clock()
                                let delay = Backoff.delay(attempt: 1, retryAfter: retryAfter)
                                buckets.block(sender: message.from, until: now + delay, now: now)
                            }
                            await settler.add(message, outcome)
                        }
                    }
                }
                if let upcoming { await Self.putBack(await upcoming.value, store: store, busy: busy, logger: logger) }
                group.cancelAll()
            }
        }
        // Answers that came in while stopping are kept; what was still out is looked up next time.
        let left = await settler.drain()
        try? await store.settle(left)
        await provider.shutdown()
    }

    /// Messages taken (committed as `sending`) that never went out: queued again, as they were.
    static func putBack(_ messages: [Message], store: SMSStore, busy: LockedValue<Set<Int64>>, logger: Logger) async {
        guard !messages.isEmpty else { return }
        do {
            try await store.putBack(messages)
        } catch {
            logger.warning("could not put back SMS that were never sent; they will be looked up", metadata: ["error": "\(error)"])
        }
        busy.withValue { $0.subtract(messages.map(\.id)) }
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
                    let sms = Self.submission(message, options)
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
