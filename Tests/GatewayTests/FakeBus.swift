import Bus
import Contracts
import Foundation
import Synchronization

/// A bus that answers from a table, for the gateway's routes run in process: each method name
/// maps to an answer (a reply body or a bus error), and every request is recorded so a test can
/// see what the gateway sent, to whom and as whom.
final class FakeBus: BusRequester {
    struct Sent: Sendable {
        let service: String
        let method: String
        let body: Data
        let headers: BusHeaders
        let requestId: String

        /// The body as a JSON object.
        var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    }

    typealias Answer = @Sendable (Sent) throws -> Data

    private let answers = Mutex<[String: Answer]>([:])
    private let log = Mutex<[Sent]>([])

    /// A bus on which `token` is a session of `principal` (settings' `auth.verify`).
    init(token: String = "good-token", principal: Principal = FakeBus.boss) {
        answer(SettingsContract.Method.verify) { sent in
            guard sent.object["token"] as? String == token else { throw BusError.unauthorized("the token is not valid") }
            return principal
        }
    }

    static let boss = Principal(userId: 1, username: "admin", rank: .boss, scopes: ["*"], tokenId: 7, expiresAt: nil)

    /// Answers `method` with `reply` encoded as the contract says.
    func answer<Request, Reply: Encodable>(_ method: BusMethod<Request, Reply>, _ reply: @escaping @Sendable (Sent) throws -> Reply) {
        answers.withLock { $0[method.name] = { sent in try Wire.reply(try reply(sent)) } }
    }

    /// Answers `method` with an error.
    func fail<Request, Reply>(_ method: BusMethod<Request, Reply>, with error: BusError) {
        answers.withLock { $0[method.name] = { _ in throw error } }
    }

    /// What was sent, in order, leaving out the token checks.
    var sent: [Sent] { log.withLock { $0 }.filter { $0.method != SettingsContract.Method.verify.name } }

    func send(
        service: String, method: String, body: Data, headers: BusHeaders, timeout: Duration?, requestId: String
    ) async throws -> BusReply {
        let sent = Sent(service: service, method: method, body: body, headers: headers, requestId: requestId)
        log.withLock { $0.append(sent) }
        guard let answer = answers.withLock({ $0[method] }) else {
            return Self.reply(requestId, BusError.badRequest("service '\(service)' has no method '\(method)'"))
        }
        do {
            return BusReply(requestId: requestId, status: BusProtocol.ok, body: try answer(sent))
        } catch let error as BusError {
            return Self.reply(requestId, error)
        }
    }

    private static func reply(_ requestId: String, _ error: BusError) -> BusReply {
        BusReply(requestId: requestId, status: error.code.rawValue, body: (try? JSONEncoder().encode(error)) ?? Data())
    }
}
