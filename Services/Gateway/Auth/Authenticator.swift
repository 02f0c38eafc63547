import Bus
import Contracts
import Foundation

/// Checks tokens with the settings service and remembers the answer for a few seconds, so a busy
/// client costs one bus round trip per `ttl`, not one per request. A token revoked or a user
/// deactivated through another gateway stops working within `ttl`; through this one, at once.
actor Authenticator {
    private let client: any BusRequester
    private let timeout: Duration
    private let ttl: TimeInterval
    private var cache: [String: (principal: Principal, until: Date)] = [:]
    private static let maxEntries = 10_000

    init(client: any BusRequester, timeout: Duration, ttl: TimeInterval = 10) {
        self.client = client
        self.timeout = timeout
        self.ttl = ttl
    }

    /// Who the token speaks for; throws `unauthorized` for a bad token, `unavailable` or
    /// `timeout` when settings cannot answer.
    func principal(for token: String) async throws -> Principal {
        let now = Date()
        if let hit = cache[token], hit.until > now, hit.principal.expiresAt.map({ $0 > now }) ?? true {
            return hit.principal
        }
        let principal = try await client.call(SettingsContract.Method.verify, TokenRequest(token: token), timeout: timeout)
        if cache.count >= Self.maxEntries { cache.removeAll(keepingCapacity: true) }
        cache[token] = (principal, now.addingTimeInterval(ttl))
        return principal
    }

    /// Forgets a token (signed out or revoked here).
    func forget(token: String) { cache[token] = nil }

    /// Forgets every token of a token id (revoked by id) or of a user.
    func forget(where matches: (Principal) -> Bool) {
        cache = cache.filter { !matches($0.value.principal) }
    }
}
