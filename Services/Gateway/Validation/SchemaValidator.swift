import Contracts
import Foundation

/// Checks a value against the part of JSON Schema (2020-12) that the API's OpenAPI document
/// uses, so that what the document says a request may hold and what the gateway lets through
/// are one definition: `type`, `properties`, `required`, `additionalProperties`, `items`,
/// `minItems`/`maxItems`, `uniqueItems`, `contains`, `enum`, `minLength`/`maxLength` (in code
/// points), `pattern`, `minimum`/`maximum`, `format` (`date-time`, `date`), `anyOf`, `oneOf`,
/// `allOf`, `if`/`then`/`else` and `$ref` into the document's schemas. A keyword it does not
/// know is a mistake in the document, and a test walks the document for them.
///
/// The document's schemas are compiled once, when the gateway starts, into `Schema` nodes, so
/// a request costs no dictionary lookups or casts; a place in the value (`phones[1].number`)
/// is spelled out only when something there is wrong.
struct SchemaValidator: Sendable {
    /// The keywords this validator enforces; any other in a request schema is refused by the tests.
    static let keywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "enum", "minLength",
        "maxLength", "pattern", "minimum", "maximum", "format", "anyOf", "oneOf", "allOf", "$ref", "description", "contains",
        "if", "then", "else", "uniqueItems",
    ]

    /// One schema, compiled. Built by `SchemaValidator.init` and `compile`, never changed after
    /// (`@unchecked`: the nodes of the document's schemas refer to each other, so they are
    /// classes filled in after they are made).
    final class Schema: @unchecked Sendable {
        fileprivate var type: String?
        fileprivate var reference: Schema?
        fileprivate var unknownReference: String?
        fileprivate var allOf: [Schema] = []
        fileprivate var anyOf: [Schema] = []
        fileprivate var oneOf: [Schema] = []
        fileprivate var condition: Schema?
        fileprivate var then: Schema?
        fileprivate var otherwise: Schema?
        fileprivate var values: [JSONValue]?
        fileprivate var minLength: Int?
        fileprivate var maxLength: Int?
        fileprivate var pattern: String?
        fileprivate var expression: NSRegularExpression?
        fileprivate var format: String?
        fileprivate var minimum: Double?
        fileprivate var maximum: Double?
        fileprivate var minItems: Int?
        fileprivate var maxItems: Int?
        fileprivate var uniqueItems = false
        fileprivate var contains: Schema?
        fileprivate var items: Schema?
        fileprivate var properties: [String: Schema] = [:]
        fileprivate var required: [String] = []
        fileprivate var closed = false
        fileprivate var additional: Schema?
        /// What `contains` asks for, in words (its fields and their allowed values).
        fileprivate var summary = ""
    }

    /// A problem and where it is, innermost place first (built only on failure).
    private struct Problem {
        var places: [String] = []
        let message: String

        func at(_ place: String) -> Problem {
            var copy = self
            copy.places.append(place)
            return copy
        }

        var text: String {
            var path = ""
            for place in places.reversed() {
                if !place.hasPrefix("["), !path.isEmpty { path += "." }
                path += place
            }
            return path.isEmpty ? message : path + ": " + message
        }
    }

    /// The document's `components.schemas`, compiled, by name.
    private let named: [String: Schema]

    init(schemas: [String: Any]) {
        let definitions = schemas.compactMapValues { $0 as? [String: Any] }
        var named: [String: Schema] = [:]
        for name in definitions.keys { named[name] = Schema() }
        for (name, definition) in definitions { Self.fill(named[name]!, from: definition, named: named) }
        self.named = named
    }

    /// Compiles a schema outside the document (a query parameter's) against its schemas.
    func compile(_ schema: [String: Any]) -> Schema {
        let node = Schema()
        Self.fill(node, from: schema, named: named)
        return node
    }

    /// The first way `value` breaks `schema`, as "where: what" (`phones[0].number: ...`), or nil.
    func problem(with value: JSONValue, against schema: Schema, at path: String = "") -> String? {
        guard let problem = Self.check(value, schema) else { return nil }
        return (path.isEmpty ? problem : problem.at(path)).text
    }

    /// `problem` against a schema given as the document writes it (compiled for this one check).
    func problem(with value: JSONValue, against schema: [String: Any], at path: String = "") -> String? {
        problem(with: value, against: compile(schema), at: path)
    }

    // MARK: - Compiling

    private static func fill(_ node: Schema, from schema: [String: Any], named: [String: Schema]) {
        func compile(_ value: Any?) -> Schema? {
            guard let schema = value as? [String: Any] else { return nil }
            let child = Schema()
            fill(child, from: schema, named: named)
            return child
        }
        func compileAll(_ value: Any?) -> [Schema] { ((value as? [Any]) ?? []).compactMap(compile) }
        if let reference = schema["$ref"] as? String {
            let name = String(reference.split(separator: "/").last ?? "")
            node.reference = named[name]
            if named[name] == nil { node.unknownReference = name }
        }
        node.type = schema["type"] as? String
        node.allOf = compileAll(schema["allOf"])
        node.anyOf = compileAll(schema["anyOf"])
        node.oneOf = compileAll(schema["oneOf"])
        node.condition = compile(schema["if"])
        node.then = compile(schema["then"])
        node.otherwise = compile(schema["else"])
        node.values = (schema["enum"] as? [Any])?.map { value in
            switch value {
            case let text as String: return .string(text)
            case let flag as Bool: return .bool(flag)
            case let number as Int: return .int(Int64(number))
            default: return .null
            }
        }
        node.minLength = schema["minLength"] as? Int
        node.maxLength = schema["maxLength"] as? Int
        node.pattern = schema["pattern"] as? String
        node.expression = node.pattern.flatMap { try? NSRegularExpression(pattern: $0) }
        node.format = schema["format"] as? String
        node.minimum = number(schema["minimum"])
        node.maximum = number(schema["maximum"])
        node.minItems = schema["minItems"] as? Int
        node.maxItems = schema["maxItems"] as? Int
        node.uniqueItems = schema["uniqueItems"] as? Bool ?? false
        node.contains = compile(schema["contains"])
        node.items = compile(schema["items"])
        node.properties = ((schema["properties"] as? [String: Any]) ?? [:]).compactMapValues(compile)
        node.required = schema["required"] as? [String] ?? []
        node.closed = schema["additionalProperties"] as? Bool == false
        node.additional = compile(schema["additionalProperties"])
        node.summary = describe(schema)
    }

    private static func number(_ value: Any?) -> Double? {
        switch value {
        case let value as Int: return Double(value)
        case let value as Int64: return Double(value)
        case let value as Int32: return Double(value)
        case let value as Double: return value
        default: return nil
        }
    }

    /// A short account of a schema for a message: its fields and their allowed values.
    private static func describe(_ schema: [String: Any]) -> String {
        let properties = (schema["properties"] as? [String: Any]) ?? [:]
        let parts = properties.keys.sorted().map { name -> String in
            let property = properties[name] as? [String: Any] ?? [:]
            if let values = property["enum"] as? [Any] { return "\(name) " + values.map { "\($0)" }.joined(separator: " or ") }
            if property["type"] as? String == "null" { return "no \(name)" }
            return name
        }
        return parts.joined(separator: ", ")
    }

    // MARK: - Checking

    private static func check(_ value: JSONValue, _ schema: Schema) -> Problem? {
        if let name = schema.unknownReference { return Problem(message: "the document names an unknown schema \(name)") }
        if let target = schema.reference, let problem = check(value, target) { return problem }
        for part in schema.allOf { if let problem = check(value, part) { return problem } }
        if !schema.anyOf.isEmpty {
            var problems: [Problem?] = []
            for form in schema.anyOf {
                let problem = check(value, form)
                if problem == nil { break }
                problems.append(problem)
            }
            if problems.count == schema.anyOf.count { return closest(problems, schema.anyOf, value) }
        }
        if !schema.oneOf.isEmpty {
            let problems = schema.oneOf.map { check(value, $0) }
            let matches = problems.filter { $0 == nil }.count
            if matches == 0 { return closest(problems, schema.oneOf, value) }
            if matches > 1 { return Problem(message: "matches more than one of the forms it may take") }
        }
        if let condition = schema.condition {
            let branch = check(value, condition) == nil ? schema.then : schema.otherwise
            if let branch, let problem = check(value, branch) { return problem }
        }
        if let type = schema.type, !has(type: type, value) {
            return Problem(message: "must be \(article(type)), not \(typeName(value))")
        }
        if let values = schema.values, !values.contains(where: { same($0, value) }) {
            return Problem(message: "must be one of " + values.map(show).joined(separator: ", "))
        }
        switch value {
        case .string(let text): return check(text, schema)
        case .int(let number): return check(Double(number), schema)
        case .double(let number): return check(number, schema)
        case .array(let items): return check(items, schema)
        case .object(let fields): return check(fields, schema)
        case .null, .bool: return nil
        }
    }

    private static func check(_ text: String, _ schema: Schema) -> Problem? {
        if schema.minLength != nil || schema.maxLength != nil {
            // JSON Schema counts code points, not what Swift calls characters.
            let count = text.unicodeScalars.count
            if let min = schema.minLength, count < min {
                return Problem(message: min == 1 ? "must not be empty" : "must have at least \(min) characters")
            }
            if let max = schema.maxLength, count > max { return Problem(message: "must have at most \(max) characters") }
        }
        if let pattern = schema.pattern {
            guard let expression = schema.expression else {
                return Problem(message: "the document's pattern \(pattern) does not compile")
            }
            if expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                return Problem(message: "must match \(pattern)")
            }
        }
        switch schema.format {
        case "date-time":
            if !isDateTime(text) { return Problem(message: "must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z") }
        case "date":
            if !isDate(text) { return Problem(message: "must be a date such as 2026-01-31") }
        default: break
        }
        return nil
    }

    private static func check(_ number: Double, _ schema: Schema) -> Problem? {
        if let min = schema.minimum, number < min { return Problem(message: "must be at least \(show(min))") }
        if let max = schema.maximum, number > max { return Problem(message: "must be at most \(show(max))") }
        return nil
    }

    private static func check(_ items: [JSONValue], _ schema: Schema) -> Problem? {
        if let min = schema.minItems, items.count < min { return Problem(message: "needs at least \(min) item(s)") }
        if let max = schema.maxItems, items.count > max { return Problem(message: "takes at most \(max) items") }
        if schema.uniqueItems {
            for (index, item) in items.enumerated() where items[..<index].contains(item) {
                return Problem(message: "lists an item twice")
            }
        }
        if let wanted = schema.contains, !items.contains(where: { check($0, wanted) == nil }) {
            return Problem(message: "lacks an item of the kind it needs (\(wanted.summary))")
        }
        if let itemSchema = schema.items {
            for (index, item) in items.enumerated() {
                if let problem = check(item, itemSchema) { return problem.at("[\(index)]") }
            }
        }
        return nil
    }

    private static func check(_ fields: [String: JSONValue], _ schema: Schema) -> Problem? {
        for name in schema.required where fields[name] == nil { return Problem(places: [name], message: "is required") }
        func check(_ name: String, _ value: JSONValue) -> Problem? {
            if let property = schema.properties[name] { return Self.check(value, property)?.at(name) }
            if schema.closed { return Problem(places: [name], message: "is not a field of this request") }
            if let extra = schema.additional { return Self.check(value, extra)?.at(name) }
            return nil
        }
        guard fields.contains(where: { check($0.key, $0.value) != nil }) else { return nil }
        // Something is wrong: name the first field, in a stable order, so the same body always
        // gets the same message.
        for name in fields.keys.sorted() { if let problem = check(name, fields[name]!) { return problem } }
        return nil
    }

    // MARK: - Helpers

    /// Of the forms a value failed, the problem with the one of its own type (an array's item,
    /// not "must be an object"), else the first.
    private static func closest(_ problems: [Problem?], _ forms: [Schema], _ value: JSONValue) -> Problem? {
        for (problem, form) in zip(problems, forms) {
            if let type = form.type, has(type: type, value) { return problem }
        }
        return problems.compactMap { $0 }.first
    }

    static func has(type: String, _ value: JSONValue) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .int),
            ("number", .double), ("integer", .int):
            return true
        case ("integer", .double(let number)): return number.rounded() == number
        default: return false
        }
    }

    private static func same(_ allowed: JSONValue, _ value: JSONValue) -> Bool {
        switch (allowed, value) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        default: return allowed == value
        }
    }

    private static func show(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .bool(let flag): return String(flag)
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        default: return "null"
        }
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "a whole number"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    private static func article(_ type: String) -> String {
        switch type {
        case "integer": return "a whole number"
        case "array", "object": return "an \(type)"
        case "null": return "null"
        default: return "a \(type)"
        }
    }

    private static func show(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 9.2e18 ? String(Int64(value)) : String(value)
    }

    /// RFC 3339's date-time (`full-date "T" full-time`, upper-case `T` and `Z` as the services
    /// write them), a day the calendar has, and one the services' parser reads.
    static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40, isDate(String(decoding: bytes[0..<10], as: UTF8.self)),
            bytes[10] == UInt8(ascii: "T")
        else { return false }
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let hour = digits(11..<13), hour < 24, bytes[13] == UInt8(ascii: ":"), let minute = digits(14..<16), minute < 60,
            bytes[16] == UInt8(ascii: ":"), let second = digits(17..<19), second < 60
        else { return false }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            guard index > start, index < bytes.count else { return false }
        }
        let rest = bytes[index...]
        if rest.count == 1 {
            guard rest.first == UInt8(ascii: "Z") else { return false }
        } else {
            guard rest.count == 6, rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-"),
                let offsetHour = digits((index + 1)..<(index + 3)), offsetHour < 24, bytes[index + 3] == UInt8(ascii: ":"),
                let offsetMinute = digits((index + 4)..<(index + 6)), offsetMinute < 60
            else { return false }
        }
        return Timestamp.parse(text) != nil
    }

    /// RFC 3339's full-date: `YYYY-MM-DD`, a day of the calendar, year 0001 or later.
    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        for index in [0, 1, 2, 3, 5, 6, 8, 9] where !(48...57).contains(bytes[index]) { return false }
        guard text.prefix(4) != "0000" else { return false }
        return Timestamp.dayExists(text)
    }
}
