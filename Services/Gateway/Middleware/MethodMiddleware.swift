import HTTPTypes
import Hummingbird
import Synchronization

/// Answers 405 Method Not Allowed, with `Allow`, for a method the API does not have on a path it
/// knows (Hummingbird's router says 404 for both); an unknown path stays 404. The routes are
/// given once they are all registered (`AllowedMethods.set`).
struct MethodMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    let allowed: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let methods = allowed.methods(for: request.uri.path)
            guard !methods.isEmpty, !methods.contains(request.method) else { throw error }
            var response = ErrorMiddleware.response(
                status: .methodNotAllowed, code: "method_not_allowed",
                message:
                    "\(request.method) is not a method of \(request.uri.path); it takes \(methods.map(\.rawValue).sorted().joined(separator: ", "))"
            )
            response.headers[.allow] = methods.map(\.rawValue).sorted().joined(separator: ", ")
            return response
        }
    }
}

/// Which methods each route pattern (`/api/v1/contacts/:id`) takes.
final class AllowedMethods: Sendable {
    private let patterns = Mutex<[(segments: [Substring], methods: Set<HTTPRequest.Method>)]>([])

    func set(_ routes: [APIRoute]) {
        var byPath: [String: Set<HTTPRequest.Method>] = [:]
        for route in routes { byPath[route.path, default: []].insert(route.method) }
        patterns.withLock { $0 = byPath.map { (Self.segments($0.key), $0.value) } }
    }

    func methods(for path: String) -> Set<HTTPRequest.Method> {
        let parts = Self.segments(path)
        // The router takes the most specific route (`/contacts/duplicates` over `/contacts/:id`):
        // only the patterns with the most literal segments count.
        return patterns.withLock { patterns in
            var found: Set<HTTPRequest.Method> = []
            var best = -1
            for pattern in patterns where pattern.segments.count == parts.count {
                guard zip(pattern.segments, parts).allSatisfy({ $0.hasPrefix(":") || $0 == $1 }) else { continue }
                let literal = pattern.segments.filter { !$0.hasPrefix(":") }.count
                if literal > best {
                    best = literal
                    found = pattern.methods
                } else if literal == best {
                    found.formUnion(pattern.methods)
                }
            }
            return found
        }
    }

    private static func segments(_ path: String) -> [Substring] { path.split(separator: "/") }
}
