import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// `/healthz` (the gateway process is up) and `/readyz` (the bus and every service answer).
struct HealthRoutes: Sendable {
    let client: any BusRequester

    func register(on routes: inout APIRouter) {
        routes.add(.get, "/healthz", .open, tag: "health", summary: "The gateway process is up", alive)
        routes.add(.get, "/readyz", .open, tag: "health", summary: "The bus and every service answer", ready)
    }

    @Sendable func alive(_: Request, context _: GatewayContext) async throws -> Response {
        APIForwarder.json(status: .ok, body: Data("{\"status\":\"ok\"}".utf8))
    }

    @Sendable func ready(_: Request, context _: GatewayContext) async throws -> Response {
        var report: [String: String] = [:]
        var ready = true
        for service in [BusProtocol.brokerService] + SystemProcesses.services {
            let method = service == BusProtocol.brokerService ? "bus.health" : CommonMethods.health(of: service).name
            do {
                _ = try await client.call(service: service, method: method, body: Data("{}".utf8), timeout: .seconds(2))
                report[service] = "ok"
            } catch let error as BusError {
                report[service] = error.code.rawValue
                ready = false
            }
        }
        let body = try JSONSerialization.data(
            withJSONObject: ["status": ready ? "ready" : "not_ready", "services": report], options: [.sortedKeys])
        return APIForwarder.json(status: ready ? .ok : .serviceUnavailable, body: body)
    }
}
