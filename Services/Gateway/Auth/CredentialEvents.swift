import Bus
import Contracts
import Foundation

/// Follows the settings service's events so that a token revoked, a password reset or a user
/// changed anywhere (another gateway, the command line) stops working here at once, not when
/// the `Authenticator`'s cache runs out. The gateway keeps no database, so the checkpoint lives
/// in memory and starts at settings' latest event: what happened before this process started
/// is not in its cache anyway.
actor CredentialEvents: EventApplier {
    private let client: any BusRequester
    private let authenticator: Authenticator
    private var applied: Int64?

    init(client: any BusRequester, authenticator: Authenticator) {
        self.client = client
        self.authenticator = authenticator
    }

    func checkpoint(for source: String) async throws -> Int64 {
        if let applied { return applied }
        // Settings may start after the gateway: wait for it a little rather than replay its
        // whole history from 0 (which the subscriber falls back to if this throws).
        var attempt = 0
        while true {
            do {
                let reply = try await client.call(
                    service: source, method: EventsSince.method(of: source),
                    body: try JSONEncoder().encode(EventsSince.Request(after: Int64.max - 1, limit: 1)), timeout: .seconds(5))
                let latest = try EventsSince.decodeReply(reply, source: source).lastSequence
                applied = latest
                return latest
            } catch let error as BusError where error.code == .unavailable && attempt < 40 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// Settings' events before `through` are gone: whatever was cached may be stale, so nothing is.
    func rebuild(source: String, events: [BusEvent], reset: Bool, through: Int64?) async throws {
        if reset { await authenticator.forget { _ in true } }
        if let through { applied = through }
    }

    func apply(_ event: BusEvent) async throws {
        if let applied, event.sequence <= applied { return }
        applied = event.sequence
        switch event.type {
        case SettingsContract.Event.tokenRevoked, SettingsContract.Event.signedOut:
            guard let id = try Wire.decode(SettingsChange.self, from: event.payload).id else { return }
            await authenticator.forget { $0.tokenId == id }
        case SettingsContract.Event.userUpdated, SettingsContract.Event.passwordChanged:
            guard let id = try Wire.decode(SettingsChange.self, from: event.payload).id else { return }
            await authenticator.forget { $0.userId == id }
        default:
            return
        }
    }
}
