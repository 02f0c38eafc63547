import Foundation

extension String {
    /// The text without surrounding whitespace, as every field a user types is stored.
    public var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    /// nil for an empty string: optional fields store "nothing", never "".
    public var nilIfEmpty: String? { isEmpty ? nil : self }
}
