import Foundation

/// An SMS text with the customer's fields: `{{first_name}}`, `{{last_name}}`, `{{name}}`,
/// `{{company}}` (the first company the contact is linked to), `{{owner}}` (their owner's name).
/// An unknown field is an error when the template is given (not a
/// blank in 10,000 messages); a field the customer lacks becomes empty, and runs of spaces it
/// leaves are folded.
public struct SMSTemplate: Sendable, Equatable {
    public static let fields = ["first_name", "last_name", "name", "company", "owner"]

    enum Piece: Sendable, Equatable {
        case text(String)
        case field(String)
    }

    let pieces: [Piece]

    public struct UnknownField: Error, CustomStringConvertible, Equatable {
        public let name: String
        public var description: String {
            "the template names {{\(name)}}; the fields are \(SMSTemplate.fields.map { "{{\($0)}}" }.joined(separator: ", "))"
        }
    }

    public init(_ text: String) throws {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
            guard Self.fields.contains(name) else { throw UnknownField(name: String(name.prefix(40))) }
            if open.lowerBound > rest.startIndex { pieces.append(.text(String(rest[..<open.lowerBound]))) }
            pieces.append(.field(name))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.pieces = pieces
    }

    public var usesFields: Bool { pieces.contains { if case .field = $0 { true } else { false } } }

    public func render(_ values: [String: String]) -> String {
        var out = ""
        var missing = false
        for piece in pieces {
            switch piece {
            case .text(let text): out += text
            case .field(let name):
                let value = values[name] ?? ""
                if value.isEmpty { missing = true }
                out += value
            }
        }
        guard missing else { return out }
        // A missing field must not leave "Hi  ," behind.
        while out.contains("  ") { out = out.replacingOccurrences(of: "  ", with: " ") }
        return out.replacingOccurrences(of: " ,", with: ",").trimmingCharacters(in: .whitespaces)
    }
}
