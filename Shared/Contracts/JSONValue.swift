import Foundation

/// Any JSON value, for payloads whose shape depends on what they describe (the before and
/// after of an audit entry, a custom field's value, a configuration section).
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value as the wire encoder writes `value` (snake_case keys, ISO 8601 dates).
    public static func of<T: Encodable>(_ value: T) throws -> JSONValue {
        try Wire.decoderPlain.decode(JSONValue.self, from: Wire.encode(value))
    }

    /// Decodes the value into a type, with the wire decoder.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try Wire.decode(type, from: JSONEncoder().encode(self))
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

extension Wire {
    /// A decoder that keeps keys as they are (for `JSONValue`, whose keys are data).
    static let decoderPlain = JSONDecoder()
}
