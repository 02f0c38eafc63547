import Contracts
import Foundation

/// Checks a value against the part of JSON Schema (2020-12) that the API's OpenAPI document
/// uses, so that what the document says a request may hold and what the gateway lets through
/// are one definition: `type`, `properties`, `required`, `additionalProperties`, `items`,
/// `minItems`/`maxItems`, `enum`, `minLength`/`maxLength` (in characters), `pattern`,
/// `minimum`/`maximum`, `format` (`date-time`, `date`), `anyOf`, `oneOf`, `allOf`, `contains`,
/// `if`/`then`/`else` and `$ref`
/// into the document's schemas. A keyword it does not know is a mistake in the document, and
/// a test walks the document for them (`SchemaValidatorTests`).
/// Unchecked: everything it holds is built in `init` and only read after.
struct SchemaValidator: @unchecked Sendable {
    /// The keywords this validator enforces; any other in a request schema is refused by the tests.
    static let keywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "enum", "minLength",
        "maxLength", "pattern", "minimum", "maximum", "format", "anyOf", "oneOf", "allOf", "$ref", "description", "contains",
        "if", "then", "else", "uniqueItems",
    ]

    /// The document's `components.schemas`, which `$ref`s name.
    let schemas: [String: [String: Any]]
    /// Compiled `pattern`s, built once: the document is fixed when the gateway starts.
    private let patterns: [String: NSRegularExpression]

    init(schemas: [String: Any]) {
        self.init(schemas: schemas.compactMapValues { $0 as? [String: Any] }, patterns: Self.compile(schemas, into: [:]))
    }

    /// This validator with the patterns of `extra` schemas (query parameters) compiled too.
    func compiling(_ extra: [[String: Any]]) -> SchemaValidator {
        SchemaValidator(schemas: schemas, patterns: Self.compile(extra, into: patterns))
    }

    /// Every `pattern` anywhere in `value`, compiled (a pattern that does not compile is left out,
    /// and a value checked against it is refused; `SchemaValidatorTests` holds there is none).
    private static func compile(_ value: Any, into known: [String: NSRegularExpression]) -> [String: NSRegularExpression] {
        var patterns = known
        func collect(_ value: Any) {
            if let schema = value as? [String: Any] {
                if let pattern = schema["pattern"] as? String, patterns[pattern] == nil {
                    patterns[pattern] = try? NSRegularExpression(pattern: pattern)
                }
                schema.values.forEach(collect)
            } else if let list = value as? [Any] {
                list.forEach(collect)
            }
        }
        collect(value)
        return patterns
    }

    private init(schemas: [String: [String: Any]], patterns: [String: NSRegularExpression]) {
        self.schemas = schemas
        self.patterns = patterns
    }

    /// The first way `value` breaks `schema`, as "where: what" (`phones[0].number: ...`), or nil.
    func problem(with value: JSONValue, against schema: [String: Any], at path: String = "") -> String? {
        if let reference = schema["$ref"] as? String {
            let name = String(reference.split(separator: "/").last ?? "")
            guard let target = schemas[name] else { return "\(label(path))the document names an unknown schema \(name)" }
            if let problem = problem(with: value, against: target, at: path) { return problem }
        }
        if let all = schema["allOf"] as? [[String: Any]] {
            for part in all { if let problem = problem(with: value, against: part, at: path) { return problem } }
        }
        if let any = schema["anyOf"] as? [[String: Any]] {
            let problems = any.map { problem(with: value, against: $0, at: path) }
            if !problems.contains(where: { $0 == nil }) { return closest(problems, any, value) }
        }
        if let one = schema["oneOf"] as? [[String: Any]] {
            let problems = one.map { problem(with: value, against: $0, at: path) }
            let matches = problems.filter { $0 == nil }.count
            if matches == 0 { return closest(problems, one, value) }
            if matches > 1 { return "\(label(path))matches more than one of the forms it may take" }
        }
        if let condition = schema["if"] as? [String: Any] {
            let branch = problem(with: value, against: condition, at: path) == nil ? schema["then"] : schema["else"]
            if let branch = branch as? [String: Any], let problem = problem(with: value, against: branch, at: path) { return problem }
        }
        if let type = schema["type"] as? String, !Self.has(type: type, value) {
            return "\(label(path))must be \(Self.article(type)), not \(Self.typeName(value))"
        }
        if let values = schema["enum"] as? [Any], !values.contains(where: { Self.equal($0, value) }) {
            let names = values.map { "\($0)" }.joined(separator: ", ")
            return "\(label(path))must be one of \(names)"
        }
        switch value {
        case .string(let text): return problem(with: text, against: schema, at: path)
        case .int(let number): return problem(with: Double(number), against: schema, at: path)
        case .double(let number): return problem(with: number, against: schema, at: path)
        case .array(let items): return problem(with: items, against: schema, at: path)
        case .object(let fields): return problem(with: fields, against: schema, at: path)
        case .null, .bool: return nil
        }
    }

    private func problem(with text: String, against schema: [String: Any], at path: String) -> String? {
        // JSON Schema counts code points, not what Swift calls characters.
        let count = text.unicodeScalars.count
        if let min = schema["minLength"] as? Int, count < min {
            return min == 1 ? "\(label(path))must not be empty" : "\(label(path))must have at least \(min) characters"
        }
        if let max = schema["maxLength"] as? Int, count > max { return "\(label(path))must have at most \(max) characters" }
        if let pattern = schema["pattern"] as? String {
            guard let expression = patterns[pattern] else { return "\(label(path))the document's pattern \(pattern) does not compile" }
            let range = NSRange(text.startIndex..., in: text)
            if expression.firstMatch(in: text, range: range) == nil { return "\(label(path))must match \(pattern)" }
        }
        switch schema["format"] as? String {
        case "date-time":
            if !Self.isDateTime(text) { return "\(label(path))must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z" }
        case "date":
            if !Self.isDate(text) { return "\(label(path))must be a date such as 2026-01-31" }
        default: break
        }
        return nil
    }

    private func problem(with number: Double, against schema: [String: Any], at path: String) -> String? {
        if let min = Self.double(schema["minimum"]), number < min { return "\(label(path))must be at least \(Self.show(min))" }
        if let max = Self.double(schema["maximum"]), number > max { return "\(label(path))must be at most \(Self.show(max))" }
        return nil
    }

    private func problem(with items: [JSONValue], against schema: [String: Any], at path: String) -> String? {
        if let min = schema["minItems"] as? Int, items.count < min { return "\(label(path))needs at least \(min) item(s)" }
        if let max = schema["maxItems"] as? Int, items.count > max { return "\(label(path))takes at most \(max) items" }
        if schema["uniqueItems"] as? Bool == true, Set(items.map { "\($0)" }).count != items.count {
            return "\(label(path))lists an item twice"
        }
        if let wanted = schema["contains"] as? [String: Any],
            !items.contains(where: { problem(with: $0, against: wanted, at: path) == nil })
        {
            return "\(label(path))lacks an item of the kind it needs (\(Self.describe(wanted)))"
        }
        if let itemSchema = schema["items"] as? [String: Any] {
            for (index, item) in items.enumerated() {
                if let problem = problem(with: item, against: itemSchema, at: "\(path)[\(index)]") { return problem }
            }
        }
        return nil
    }

    private func problem(with fields: [String: JSONValue], against schema: [String: Any], at path: String) -> String? {
        for name in (schema["required"] as? [String]) ?? [] where fields[name] == nil {
            return "\(label(join(path, name)))is required"
        }
        let properties = (schema["properties"] as? [String: Any]) ?? [:]
        // Fields in a stable order, so the same body always gets the same message.
        for name in fields.keys.sorted() {
            let value = fields[name]!
            if let property = properties[name] as? [String: Any] {
                if let problem = problem(with: value, against: property, at: join(path, name)) { return problem }
            } else if let extra = schema["additionalProperties"] {
                if let allowed = extra as? Bool, !allowed { return "\(label(join(path, name)))is not a field of this request" }
                if let extraSchema = extra as? [String: Any],
                    let problem = problem(with: value, against: extraSchema, at: join(path, name))
                {
                    return problem
                }
            }
        }
        return nil
    }

    // MARK: - Helpers

    /// Of the forms a value failed, the problem with the one of its own type (an array's item,
    /// not "must be an object"), else the first.
    private func closest(_ problems: [String?], _ forms: [[String: Any]], _ value: JSONValue) -> String? {
        for (problem, form) in zip(problems, forms) {
            if let type = form["type"] as? String, Self.has(type: type, value) { return problem }
        }
        return problems.compactMap { $0 }.first
    }

    private func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : path + "." + name }
    private func label(_ path: String) -> String { path.isEmpty ? "" : path + ": " }

    static func has(type: String, _ value: JSONValue) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .int),
            ("number", .double), ("integer", .int):
            return true
        case ("integer", .double(let number)): return number.rounded() == number
        default: return false
        }
    }

    /// A short account of a schema for a message: its required fields and their allowed values.
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

    private static func equal(_ allowed: Any, _ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return (allowed as? String) == text
        case .int(let number): return double(allowed) == Double(number)
        case .double(let number): return double(allowed) == number
        case .bool(let flag): return (allowed as? Bool) == flag
        case .null: return allowed is NSNull
        default: return false
        }
    }

    private static func double(_ value: Any?) -> Double? {
        switch value {
        case let value as Int: return Double(value)
        case let value as Int64: return Double(value)
        case let value as Double: return value
        default: return nil
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
