import Foundation

/// Paces sends in SMS segments: `rate` tokens a second, at most `burst` saved up. `reserve`
/// takes the tokens a message needs and answers how long to wait before sending it (zero when
/// they were there); tokens taken ahead of time put later callers further back, so the rate
/// holds on average and never above `burst` at once. A provider's slow-down (429) empties it
/// until the time the provider asked for.
public struct TokenBucket: Sendable {
    public private(set) var rate: Double
    public let burst: Double
    private var tokens: Double
    private var updated: TimeInterval
    private var blockedUntil: TimeInterval = 0

    public init(rate: Double, burst: Double? = nil, now: TimeInterval) {
        precondition(rate > 0, "a token bucket needs a positive rate")
        self.rate = rate
        self.burst = max(1, burst ?? max(1, rate / 10))
        // One to begin with: a start is not a burst.
        self.tokens = 1
        self.updated = now
    }

    private mutating func refill(_ now: TimeInterval) {
        guard now > updated else { return }
        tokens = min(burst, tokens + (now - updated) * rate)
        updated = now
    }

    /// Takes `cost` tokens; answers the seconds to wait before the message may go.
    public mutating func reserve(_ cost: Int, now: TimeInterval) -> TimeInterval {
        refill(now)
        tokens -= Double(max(1, cost))
        let wait = tokens >= 0 ? 0 : -tokens / rate
        return max(wait, blockedUntil - now, 0)
    }

    /// The provider said slow down: nothing goes before `until`, and the saved tokens are gone.
    public mutating func block(until: TimeInterval, now: TimeInterval) {
        refill(now)
        blockedUntil = max(blockedUntil, until)
        tokens = min(tokens, 0)
    }
}

/// How long to wait after a provider's slow-down: its Retry-After when it gave one (at most an
/// hour), else an exponential step with jitter from one second up to a minute.
public enum Backoff {
    public static func delay(attempt: Int, retryAfter: TimeInterval?, jitter: Double = Double.random(in: 0...1)) -> TimeInterval {
        if let retryAfter, retryAfter.isFinite, retryAfter >= 0 { return min(retryAfter, 3600) }
        let step = min(60, pow(2, Double(min(max(attempt, 1), 8) - 1)))
        return step * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }

    /// `Retry-After` as seconds or an HTTP date.
    public static func retryAfter(_ header: String?, now: Date = Date()) -> TimeInterval? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = Int(header), seconds >= 0 { return TimeInterval(min(seconds, 86_400)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: header) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
