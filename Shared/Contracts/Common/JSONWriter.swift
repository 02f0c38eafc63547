import Foundation

/// Writes one JSON object by hand, in the wire dialect (snake_case keys given as written, dates as
/// `Timestamp`), for the few payloads produced at high rates where JSONEncoder's reflection and
/// key conversion dominate (a call event per logged call). Keys must be written in sorted order
/// to match `Wire.encoder`'s output.
public struct JSONWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    public init() { bytes.reserveCapacity(512) }

    private mutating func key(_ name: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: "\":".utf8)
    }

    public mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        quoted(value)
    }

    private mutating func quoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): bytes.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): bytes.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                bytes.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func integer(_ name: String, _ value: Int64?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func integer(_ name: String, _ value: Int?) { integer(name, value.map(Int64.init)) }

    public mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func date(_ name: String, _ value: Date?) { string(name, value.map { Timestamp.string(from: $0) }) }

    public mutating func integers(_ name: String, _ values: [Int64]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        bytes.append(contentsOf: values.map(String.init).joined(separator: ",").utf8)
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func strings(_ name: String, _ values: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            quoted(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of objects, each written by `write`.
    public mutating func objects<Item>(_ name: String, _ items: [Item], _ write: (inout JSONWriter, Item) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            nested { write(&$0, item) }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A nested object written by `write` (`{}` when it writes nothing); nothing when `value` is nil.
    public mutating func object<Value>(_ name: String, _ value: Value?, _ write: (inout JSONWriter, Value) -> Void) {
        guard let value else { return }
        key(name)
        nested { write(&$0, value) }
    }

    /// `{`, the members `write` adds, `}`, in place (a page of contacts has a few hundred of these).
    private mutating func nested(_ write: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        first = true
        write(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    /// A value already in JSON (written by `Wire.encoder`, for the rare shapes this writer has no
    /// method for).
    public mutating func raw(_ name: String, _ json: Data) {
        key(name)
        bytes.append(contentsOf: json)
    }

    public mutating func finish() -> Data {
        bytes.append(UInt8(ascii: "}"))
        return Data(bytes)
    }
}

/// A value whose JSON is written by hand and means the same as `Wire.encode(self)` (a test holds
/// each to that); `jsonHandler` answers with it.
public protocol WireJSONEncodable {
    var wireJSON: Data { get }
}

/// An object that writes its members into a `JSONWriter`, so that a page of them can be
/// written by hand too.
public protocol WireJSONMembers {
    func write(_ json: inout JSONWriter)
}

extension WireJSONMembers {
    /// The object, written by hand: the same JSON as `Wire.encode(self)`.
    public var wireJSON: Data {
        var json = JSONWriter()
        write(&json)
        return json.finish()
    }
}
