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
    /// One query parameter: its name, whether it must be there, and its schema.
    struct Parameter: @unchecked Sendable {
        let name: String
        let required: Bool
        let schema: [String: Any]
    }

    let parameters: [Parameter]
    /// The name of the body's schema in the document, if the route takes a JSON body.
    let body: String?
    /// The name of the form-encoded body's schema, if the route takes one.
    let form: String?
    let validator: SchemaValidator

    init(route: APIRoute, validator: SchemaValidator) {
        parameters = route.query.map { spec in
            let parameter = OpenAPIDocument.queryParameter(spec)
            return Parameter(
                name: parameter["name"] as! String, required: parameter["required"] as! Bool,
                schema: parameter["schema"] as! [String: Any])
        }
        body = route.body
        form = route.form
        self.validator = validator.compiling(parameters.map(\.schema))
    }

    /// Throws `invalid` (422) for the first query parameter the document refuses.
    func checkQuery(_ request: Request) throws {
        let query = request.uri.queryParameters
        for parameter in parameters {
            guard let raw = query.get(parameter.name) else {
                if parameter.required { throw BusError.invalid("the query parameter \(parameter.name) is required") }
                continue
            }
            let value: JSONValue
            switch parameter.schema["type"] as? String {
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

    /// Throws `invalid` (422) for a form-encoded body the document's schema refuses (every
    /// field is text; a repeated name counts once, as the services read it).
    func checkForm(_ data: Data) throws {
        guard let form else { return }
        let fields = FormEncoding.fields(String(decoding: data, as: UTF8.self)).mapValues { JSONValue.string($0) }
        if let problem = validator.problem(with: .object(fields), against: ["$ref": "#/components/schemas/\(form)"]) {
            throw BusError.invalid(problem)
        }
    }

    /// Throws `bad_request` (400) for a body that is not JSON and `invalid` (422) for one the
    /// document's schema refuses.
    func checkBody(_ data: Data) throws {
        guard let body else { return }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw BusError.badRequest("the body is not JSON")
        }
        if let problem = validator.problem(with: value, against: ["$ref": "#/components/schemas/\(body)"]) {
            throw BusError.invalid(problem)
        }
    }
}
