import Foundation
import Testing

@testable import Bus

@Suite("CURVE and ZAP on the bus", .serialized)
struct CurveTests {
    @Test("an allowed client key gets through an encrypted broker; an unknown key is refused")
    func allowList() async throws {
        let server = try CurveKeyPair.generate()
        let allowed = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let context = ZMQContext()
        let zap = try ZapAuthenticator(context: context, roster: [allowed.publicKey: "vault"])
        let broker = try Broker(
            context: context,
            config: BrokerConfig(
                endpoint: "tcp://127.0.0.1:*", heartbeatIntervalMs: 100, curveSecretKey: server.secretKey))
        func keys(_ pair: CurveKeyPair) -> CurveClientKeys {
            CurveClientKeys(serverKey: server.publicKey, publicKey: pair.publicKey, secretKey: pair.secretKey)
        }
        let worker = BusWorker(
            context: context, endpoint: broker.endpoint, service: "vault",
            handlers: ["vault.open": { _ in Data("\"opened\"".utf8) }],
            heartbeat: .milliseconds(100), curve: keys(allowed))
        let task = Task { try await worker.run() }
        let client = try BusClient(context: context, endpoint: broker.endpoint, retryInterval: .milliseconds(100), curve: keys(allowed))
        var reply: Data?
        for _ in 0..<50 where reply == nil {
            reply = try? await client.call(service: "vault", method: "vault.open", body: Data(), timeout: .milliseconds(200))
        }
        #expect(reply == Data("\"opened\"".utf8))

        let intruder = try BusClient(context: context, endpoint: broker.endpoint, retryInterval: .milliseconds(100), curve: keys(stranger))
        do {
            _ = try await intruder.call(service: "vault", method: "vault.open", body: Data(), timeout: .milliseconds(800))
            Issue.record("a client with an unknown key must not get an answer")
        } catch let error as BusError {
            #expect(error.code == .timeout)
        }
        // A plain (unencrypted) client does not get in either.
        let plain = try BusClient(context: context, endpoint: broker.endpoint, retryInterval: .milliseconds(100))
        await #expect(throws: BusError.self) {
            _ = try await plain.call(service: "vault", method: "vault.open", body: Data(), timeout: .milliseconds(500))
        }
        task.cancel()
        _ = await task.result
        client.close(); intruder.close(); plain.close()
        broker.stop()
        zap.stop()
        context.terminate()
    }
}
