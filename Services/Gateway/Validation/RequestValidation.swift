import Bus
import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What a route's query string and JSON body must be, from the same schemas the OpenAPI document
/// publishes, checked before the handler runs: a request the document refuses gets 422 and
/// reaches no service; a request it allows gets past here (what the services then refuse
/// depends on what is stored: 404 or 409, ADR 008).
struct RequestValidation: Sendable {
    /// One query parameter: its name, whether it must be there, its type and compiled schema.
    struct Parameter: Sendable {
        let name: String
        let required: Bool
        let type: String?
        let schema: SchemaValidator.Schema
    }

    let parameters: [Parameter]
    /// The body's compiled schema, and whether it is form-encoded (a provider's webhook) rather than JSON.
    let body: SchemaValidator.Schema?
    let form: Bool

    init(route: APIRoute, validator: SchemaValidator) {
        parameters = route.query.map { spec in
            let parameter = OpenAPIDocument.queryParameter(spec)
            let schema = parameter["schema"] as? [String: Any] ?? [:]
            return Parameter(
                name: parameter["name"] as? String ?? spec, required: parameter["required"] as? Bool ?? false,
                type: schema["type"] as? String, schema: validator.compile(schema))
        }
        form = route.form != nil
        body = (route.form ?? route.body).map { validator.compile(["$ref": "#/components/schemas/\($0)"]) }
        self.validator = validator
    }

    private let validator: SchemaValidator

    /// Throws `invalid` (422) for the first query parameter the document refuses.
    func checkQuery(_ request: Request) throws {
        let query = request.uri.queryParameters
        for parameter in parameters {
            guard let raw = query.get(parameter.name) else {
                if parameter.required { throw BusError.invalid("the query parameter \(parameter.name) is required") }
                continue
            }
            let value: JSONValue
            switch parameter.type {
            case "integer":
                guard let number = Int64(raw) else { throw BusError.invalid("\(parameter.name) must be a whole number, not '\(raw)'") }
                value = .int(number)
            case "boolean":
                guard raw == "true" || raw == "false" else {
                    throw BusError.invalid("\(parameter.name) must be true or false, not '\(raw)'")
                }
                value = .bool(raw == "true")
            default:
                value = .string(String(raw))
            }
            if let problem = validator.problem(with: value, against: parameter.schema, at: parameter.name) {
                throw BusError.invalid(problem)
            }
        }
    }

    /// Throws `bad_request` (400) for a JSON body that is not JSON, and `invalid` (422) for a
    /// body the document's schema refuses. A form's fields are all text; a repeated name counts
    /// once, as the services read it.
    func checkBody(_ data: Data) throws {
        guard let body else { return }
        let value: JSONValue
        if form {
            value = .object(FormEncoding.fields(String(decoding: data, as: UTF8.self)).mapValues { JSONValue.string($0) })
        } else {
            guard let parsed = JSONValue.parse(data) else { throw BusError.badRequest("the body is not JSON") }
            value = parsed
        }
        if let problem = validator.problem(with: value, against: body) { throw BusError.invalid(problem) }
    }
}
