import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NotificationsCore

/// Talks to the configured provider over HTTP: sends one SMS, and looks one up when we cannot
/// tell whether a send was taken (a lost response, a crash between request and commit).
struct SMSProvider: Sendable {
    let provider: SMSOptions.Provider
    let client: HTTPClient
    static let timeout: TimeAmount = .seconds(20)

    /// What the lookup found for an ambiguous message.
    enum Lookup: Sendable, Equatable {
        case found(providerId: String, state: String)
        case notFound
    }

    init(provider: SMSOptions.Provider) {
        self.provider = provider
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(15))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async { try? await client.shutdown() }

    func send(_ sms: SMSSubmission, unicode: Bool) async -> SMSSendOutcome {
        var request: HTTPClientRequest
        let form: String
        switch provider {
        case .twilio(let api, let sid, let token):
            request = HTTPClientRequest(url: api + TwilioWire.messagesPath(account: sid))
            request.headers.add(name: "Authorization", value: Self.basic(sid, token))
            form = TwilioWire.form(sms)
        case .vonage(let api, _, let key, let secret):
            request = HTTPClientRequest(url: api + "/sms/json")
            form = VonageWire.form(sms, key: key, secret: secret, unicode: unicode)
        }
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: form))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: Self.timeout)
        } catch {
            // Refused before a byte went out: nothing was sent. Anything later is ambiguous.
            if Self.neverConnected(error) { return .temporary(code: "connect", text: "could not reach the provider: \(error)") }
            return .ambiguous(reason: "no answer from the provider: \(error)")
        }
        let retryAfter = Backoff.retryAfter(response.headers.first(name: "Retry-After"))
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            return .ambiguous(reason: "the provider's answer broke off: \(error)")
        }
        let data = Data(body.readableBytesView)
        switch provider {
        case .twilio: return TwilioWire.outcome(status: Int(response.status.code), body: data, retryAfter: retryAfter)
        case .vonage: return VonageWire.outcome(status: Int(response.status.code), body: data, retryAfter: retryAfter)
        }
    }

    /// Finds a message we may have sent at or after `since` (Twilio: the account's messages to
    /// that number from that sender with that text; Vonage: the Reports API's records for the
    /// number, matched by our `client_ref`). Throws when the provider cannot be asked.
    func lookup(_ sms: SMSSubmission, since: Date) async throws -> Lookup {
        let day = ISO8601DateFormatter.string(
            from: since.addingTimeInterval(-86_400), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        switch provider {
        case .twilio(let api, let sid, let token):
            let query = Self.query([("To", sms.to), ("From", sms.from), ("DateSent>", day), ("PageSize", "100")])
            var request = HTTPClientRequest(url: api + TwilioWire.messagesPath(account: sid) + "?" + query)
            request.headers.add(name: "Authorization", value: Self.basic(sid, token))
            let data = try await fetch(request)
            guard let match = TwilioWire.listed(data).first(where: { $0.body == sms.text }) else { return .notFound }
            return .found(providerId: match.sid, state: TwilioWire.state(match.status) ?? "sent")
        case .vonage(_, let reports, let key, let secret):
            let query = Self.query([
                ("account_id", key), ("product", "SMS"), ("direction", "outbound"), ("to", VonageWire.digits(sms.to)),
                ("date_start", day + "T00:00:00Z"),
            ])
            var request = HTTPClientRequest(url: reports + "/v2/reports/records?" + query)
            request.headers.add(name: "Authorization", value: Self.basic(key, secret))
            let data = try await fetch(request)
            let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            let records = json?["records"] as? [[String: Any]] ?? []
            guard let match = records.first(where: { ($0["client_ref"] as? String) == String(sms.reference) }) else { return .notFound }
            let id = match["message_id"] as? String ?? ""
            return .found(providerId: id, state: (match["status"] as? String).flatMap(VonageWire.state) ?? "sent")
        }
    }

    private func fetch(_ request: HTTPClientRequest) async throws -> Data {
        var request = request
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await client.execute(request, timeout: Self.timeout)
        let body = try await response.body.collect(upTo: 8 << 20)
        guard response.status.code == 200 else { throw LookupFailed(status: Int(response.status.code)) }
        return Data(body.readableBytesView)
    }

    struct LookupFailed: Error, CustomStringConvertible {
        let status: Int
        var description: String { "the provider answered the lookup with HTTP \(status)" }
    }

    /// A query string with every reserved character escaped: a `+` left bare reads as a space,
    /// and the lookup of `+4791234567` would find nothing (and the message be sent again).
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { TwilioWire.escape($0.0) + "=" + TwilioWire.escape($0.1) }.joined(separator: "&")
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    static func neverConnected(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? HTTPClientError, error == .connectTimeout { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) { return true }
        return false
    }
}
