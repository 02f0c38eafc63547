import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// One configuration section (`/api/v1/settings/configuration/<section>`): read and replace.
struct ConfigurationRoutes: Sendable {
    typealias M = SettingsContract.Method

    let api: APIForwarder
    let section: ConfigurationSection

    func register(on routes: inout APIRouter) {
        let read = RoutePolicy.scope(Scope.settingsRead), write = RoutePolicy.boss(Scope.settingsWrite)
        let path = "/api/v1/settings/configuration/\(section.rawValue)"
        routes.add(.get, path, read, tag: "configuration", summary: "The \(section.rawValue) settings", get)
        routes.add(
            .put, path, write, tag: "configuration", summary: "Replace the \(section.rawValue) settings",
            body: APISchemas.configurationSchema(section), reply: APISchemas.configurationSchema(section), replace)
    }

    @Sendable func get(_ request: Request, context: GatewayContext) async throws -> Response {
        var query = QueryBody()
        query.set("section", section.rawValue)
        return try await api.forward(request, context: context, method: M.getConfiguration, query: query)
    }

    @Sendable func replace(_ request: Request, context: GatewayContext) async throws -> Response {
        let raw = try await api.body(of: request)
        guard let value = try? JSONSerialization.jsonObject(with: raw), value is [String: Any] else {
            throw BusError.badRequest("the body must be the \(section.rawValue) settings as a JSON object")
        }
        let body = try JSONSerialization.data(withJSONObject: ["section": section.rawValue, "value": value])
        return try await api.forward(request, context: context, method: M.setConfiguration, body: body)
    }
}
