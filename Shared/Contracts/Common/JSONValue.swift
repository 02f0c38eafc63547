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

    /// Parses JSON text. Through `JSONSerialization`, which reads a value once, where
    /// `init(from:)` tries each type in turn and pays for a thrown error per miss (a 100-event
    /// request body took 7 ms that way); nil for text that is not JSON.
    public static func parse(_ data: Data) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return JSONValue(foundation: object)
    }

    /// What `JSONSerialization` answers, as a `JSONValue`: booleans told from numbers by their
    /// Objective-C type (`c`), whole numbers that fit in 64 bits kept whole.
    init(foundation object: Any) {
        // Containers before numbers: asking whether a dictionary is an `NSNumber` bridges it (slow).
        switch object {
        case let text as String:
            self = .string(text)
        case let fields as [String: Any]:
            self = .object(fields.mapValues(JSONValue.init(foundation:)))
        case let list as [Any]:
            self = .array(list.map(JSONValue.init(foundation:)))
        case let number as NSNumber:
            switch UInt8(bitPattern: number.objCType.pointee) {
            case UInt8(ascii: "c"), UInt8(ascii: "B"): self = .bool(number.boolValue)
            case UInt8(ascii: "d"), UInt8(ascii: "f"): self = .double(number.doubleValue)
            case UInt8(ascii: "Q"):
                let value = number.uint64Value
                self = value <= UInt64(Int64.max) ? .int(Int64(value)) : .double(number.doubleValue)
            default: self = .int(number.int64Value)
            }
        default:
            self = .null
        }
    }
}

extension Wire {
    /// A decoder that keeps keys as they are (for `JSONValue`, whose keys are data).
    static let decoderPlain = JSONDecoder()
}
