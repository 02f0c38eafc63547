import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// The OpenAPI 3.1 document of the API, built from the routes as registered (so it cannot
/// leave one out): paths, parameters, bodies, who may call each route, and the error shape.
enum OpenAPIDocument {
    static func build(routes: [APIRoute]) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for route in routes {
            let path = route.path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .joined(separator: "/")
            let openPath = "/" + path
            var parameters: [[String: Any]] = route.path.split(separator: "/").filter { $0.hasPrefix(":") }.map {
                [
                    "name": String($0.dropFirst()), "in": "path", "required": true,
                    // Ids are whole numbers; a secret token (feeds, answer links) is text.
                    "schema": $0 == ":token"
                        ? ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9_-]+$"]
                        : ["type": "integer", "minimum": 1, "maximum": Int64.max] as [String: Any],
                ]
            }
            parameters += route.query.map(queryParameter)
            var operation: [String: Any] = [
                "summary": route.summary,
                "tags": [route.tag],
                "operationId": operationId(route),
                "responses": responses(route),
            ]
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if let body = route.body {
                operation["requestBody"] = [
                    "required": true,
                    "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(body)"]]],
                ]
            }
            if !route.files.isEmpty, var body = operation["requestBody"] as? [String: Any],
                var content = body["content"] as? [String: Any]
            {
                for type in route.files {
                    content[type] = [
                        "schema": type == "multipart/form-data"
                            ? ["$ref": "#/components/schemas/ImportForm"] : ["type": "string", "format": "binary", "minLength": 1]
                    ]
                }
                body["content"] = content
                operation["requestBody"] = body
            }
            if let form = route.form {
                operation["requestBody"] = [
                    "required": true,
                    "content": ["application/x-www-form-urlencoded": ["schema": ["$ref": "#/components/schemas/\(form)"]]],
                ]
            }
            switch route.policy {
            case .open:
                operation["security"] = [[String: Any]]()
            case .signedIn:
                operation["security"] = [["bearer": [String]()], ["session": [String]()]]
            case .scope(let scope), .boss(let scope):
                operation["security"] = [["bearer": [scope]], ["session": [scope]]]
                operation["x-required-scope"] = scope
            case .scopeOrSignature(let scope, let kind):
                operation["security"] = [["bearer": [scope]], ["session": [scope]]]
                operation["x-required-scope"] = scope
                operation["x-provider-signature"] = kind.header
            }
            operation["x-boss-only"] = route.policy.needsBoss
            if let permission = route.permission { operation["x-required-permission"] = permission }
            paths[openPath, default: [:]][route.method.rawValue.lowercased()] = operation
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "CRM API", "version": "1.0.0",
                "description":
                    "JSON with snake_case keys. Sign in with POST /api/v1/auth/login, then send Authorization: Bearer <token>. "
                    + "Errors are {\"error\": {\"code\", \"message\"}}. Writes accept an Idempotency-Key header.",
            ],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearer": [
                        "type": "http", "scheme": "bearer", "description": "A session token from login, or an API token with scopes",
                    ],
                    "session": ["type": "apiKey", "in": "cookie", "name": AuthMiddleware.cookieName],
                ],
                "schemas": APISchemas.all.merging([
                    "Error": [
                        "type": "object", "required": ["error"],
                        "properties": [
                            "error": [
                                "type": "object", "required": ["code", "message"],
                                "properties": [
                                    "code": ["type": "string"], "message": ["type": "string"],
                                    "count": ["type": "integer"], "retry_after": ["type": "integer"],
                                ],
                            ]
                        ],
                    ]
                ]) { $1 },
            ],
        ]
    }

    /// A query parameter as a route names it: `q` (optional; its type from `querySchema`),
    /// `name!` (required, not empty), `format!a,b,c` (required, one of those values), `sort:a,b`
    /// (optional, one of those values).
    static func queryParameter(_ spec: String) -> [String: Any] {
        if let bang = spec.firstIndex(of: "!") {
            let values = spec[spec.index(after: bang)...].split(separator: ",").map(String.init)
            let name = String(spec[..<bang])
            // A required `name` is a file's name (uploads).
            let text: [String: Any] = name == "name" ? APISchemas.name255 : ["type": "string", "minLength": 1]
            let schema: [String: Any] = values.isEmpty ? text : ["type": "string", "enum": values]
            return ["name": name, "in": "query", "required": true, "schema": schema]
        }
        if let colon = spec.firstIndex(of: ":") {
            let values = spec[spec.index(after: colon)...].split(separator: ",").map(String.init)
            return ["name": String(spec[..<colon]), "in": "query", "required": false, "schema": ["type": "string", "enum": values]]
        }
        return ["name": spec, "in": "query", "required": false, "schema": querySchema(spec)]
    }

    /// What an optional query parameter takes, by the gateway's conventions for its names: ids,
    /// `limit` and `year` are whole numbers, flags are true or false, `from`/`to` and `*_from`/
    /// `*_to` are times, `cursor` is what a list handed out (`Cursor`), `timezone` an IANA zone,
    /// `rank`, `sort`, a call's `direction` and `status` one of their values.
    static func querySchema(_ name: String) -> [String: Any] {
        let flags: Set<String> = [
            "active", "clear", "include_revoked", "all", "tree", "recursive", "count", "deleted", "consumer", "unmatched",
            "include_deleted", "dry_run", "private", "closed", "cancelled",
        ]
        // A folder of a file area, or 0 for its top.
        if name == "folder_id" || name == "parent_id" { return ["type": "integer", "minimum": 0, "maximum": Int64.max] }
        if name == "id" || name.hasSuffix("_id") || name == "contact" || name == "company" {
            return ["type": "integer", "minimum": 1, "maximum": Int64.max]
        }
        if name == "limit" { return ["type": "integer", "minimum": 1, "maximum": 200] }
        if name == "year" { return ["type": "integer", "minimum": 1970, "maximum": 2200] }
        if flags.contains(name) { return ["type": "boolean"] }
        // A deal filter's period: days.
        if name == "period_from" || name == "period_to" || name == "due_from" || name == "due_to" {
            return ["type": "string", "format": "date"]
        }
        // Task statuses: `open,in_progress`.
        if name == "statuses" {
            return ["type": "string", "pattern": "^(open|in_progress|done|cancelled)(,(open|in_progress|done|cancelled)){0,3}$"]
        }
        // Lists of ids: `1,2,3`.
        if name.hasSuffix("_ids") { return ["type": "string", "pattern": "^[1-9][0-9]{0,17}(,[1-9][0-9]{0,17}){0,499}$"] }
        if name == "version" { return ["type": "integer", "minimum": 1, "maximum": Int64.max] }
        // The board's extra columns, and one column's key for its next page.
        if name == "extra" {
            return ["type": "string", "pattern": "^(won|lost|postponed|unprocessed)(,(won|lost|postponed|unprocessed)){0,3}$"]
        }
        // A sales board's column.
        if name == "column" {
            return [
                "type": "string", "pattern": "^(status:[1-9][0-9]{0,17}|won|lost|postponed|unprocessed)$",
            ]
        }
        if ["from", "to"].contains(name) || name.hasSuffix("_from") || name.hasSuffix("_to") {
            return ["type": "string", "format": "date-time"]
        }
        if name == "cursor" { return ["type": "string", "pattern": Cursor.pattern] }
        if name == "timezone" { return ["type": "string", "enum": TimeZone.knownTimeZoneIdentifiers.sorted()] }
        if name == "rank" { return ["type": "string", "enum": ["boss", "user"]] }
        if name == "sort" { return ["type": "string", "enum": ["created", "name", "updated"]] }
        if name == "direction" { return ["type": "string", "enum": ["inbound", "outbound", "internal"]] }
        if name == "status" || name == "outcome" { return ["type": "string", "enum": TelephonyContract.states.sorted()] }
        return ["type": "string"]
    }

    private static func operationId(_ route: APIRoute) -> String {
        let words = route.path.split(separator: "/").filter { $0 != "api" && $0 != "v1" }
            .map { $0.hasPrefix(":") ? "by_" + $0.dropFirst() : String($0) }
        return route.method.rawValue.lowercased() + "_"
            + words.joined(separator: "_").replacingOccurrences(of: "-", with: "_")
            .replacingOccurrences(of: ".", with: "_")
    }

    private static func responses(_ route: APIRoute) -> [String: Any] {
        let error: [String: Any] = ["content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        // A reply named `media:<type>` is a file of that type, not JSON.
        let content: [String: Any]
        if let reply = route.reply, reply.hasPrefix("media:") {
            content = [String(reply.dropFirst(6)): ["schema": ["type": "string"]]]
        } else {
            content = ["application/json": ["schema": route.reply.map { ["$ref": "#/components/schemas/\($0)"] } ?? [String: Any]()]]
        }
        var responses: [String: Any] = [String(route.status.code): ["description": "Done", "content": content]]
        var codes = ["400": "Bad request", "503": "A service is unavailable", "504": "A service did not answer in time"]
        if route.policy != .open {
            codes["401"] = "No valid token"
            codes["403"] = "The token lacks the scope, or the user the rank"
        }
        if route.path.contains(":") || route.namesItems { codes["404"] = "No such item" }
        if route.method != .get || route.conflicts { codes["409"] = "Conflicts with the current state" }
        if route.method != .get || !route.query.isEmpty {
            codes["422"] = "Not acceptable (a value outside what the field takes, a cursor not from this list)"
        }
        if route.path == "/api/v1/auth/login" {
            codes["401"] = "Wrong username or password"
            codes["429"] = "Too many sign-in attempts; wait retry_after seconds"
        }
        for (code, description) in codes { responses[code] = error.merging(["description": description]) { $1 } }
        return responses
    }
}
