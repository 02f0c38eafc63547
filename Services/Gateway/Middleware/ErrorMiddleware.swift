import Bus
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// Turns every error into the API's error shape, `{"error": {"code", "message"}}`, with the
/// status that fits: bus errors by code, Hummingbird's own (404 route, 413 body) by status.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The request's trace id (the client's X-Request-Id, or one of ours): on every log line
        // written for it here, and sent on to the services in the bus headers.
        let given = request.headers[HTTPField.Name("X-Request-Id")!].flatMap { $0.count <= 200 ? $0 : nil }
        return try await TraceContext.$traceId.withValue(given ?? UUID().uuidString) {
            let started = ContinuousClock.now
            let response = try await handleTraced(request, context: context, next: next)
            Self.record(request.method, route: context.endpointPath, status: response.status.code, elapsed: ContinuousClock.now - started)
            // The route's template, not the path (which can hold a feed's or an answer link's
            // secret), and no query (which can hold a phone number searched for).
            logger.debug(
                "http request",
                metadata: [
                    "method": "\(request.method)", "route": "\(context.endpointPath ?? "unmatched")", "status": "\(response.status.code)",
                ])
            return response
        }
    }

    /// Counts the request and its time by route template (never the path) and status. Methods
    /// outside HTTP's own are counted as `other`, so nobody makes up label values.
    static func record(_ method: HTTPRequest.Method, route: String?, status: Int, elapsed: Duration) {
        let known: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]
        let method = known.contains(method) ? method.rawValue : "other"
        let route = route ?? "unmatched"
        Counter(label: "crm_http_requests_total", dimensions: [("method", method), ("route", route), ("status", String(status))])
            .increment()
        Timer(label: "crm_http_request_duration_seconds", dimensions: [("method", method), ("route", route)]).record(duration: elapsed)
    }

    private func handleTraced(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as BusError {
            var response = Self.response(
                status: Self.status(for: error.code), code: error.code.rawValue, message: error.message, details: error.details ?? [:])
            if let seconds = error.details?["retry_after"] { response.headers[.retryAfter] = String(seconds) }
            if error.code == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"crm\"" }
            return response
        } catch let error as HTTPResponseError {
            let status = error.status
            let code: String
            switch status.code {
            case 404: code = "not_found"
            case 405: code = "method_not_allowed"
            case 413: code = "too_large"
            case 400: code = "bad_request"
            default: code = status.code >= 500 ? "internal" : "bad_request"
            }
            let message =
                (error as? HTTPError)?.body
                ?? (status.code == 404 ? "no such route: \(request.method) \(request.uri.path)" : status.reasonPhrase)
            return Self.response(status: status, code: code, message: message)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Self.response(status: .internalServerError, code: "internal", message: "the gateway failed; see its log")
        }
    }

    static func status(for code: BusErrorCode) -> HTTPResponse.Status {
        switch code {
        case .badRequest: return .badRequest
        case .invalid: return .unprocessableContent
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .tooLarge: return .contentTooLarge
        case .unauthorized: return .unauthorized
        case .forbidden: return .forbidden
        case .rateLimited: return .tooManyRequests
        case .unavailable: return .serviceUnavailable
        case .timeout: return .gatewayTimeout
        case .internal: return .internalServerError
        }
    }

    static func response(status: HTTPResponse.Status, code: String, message: String, details: [String: Int] = [:]) -> Response {
        var error: [String: Any] = ["code": code, "message": message]
        for (key, value) in details { error[key] = value }
        let body = (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys])) ?? Data()
        return APIForwarder.json(status: status, body: body)
    }
}
