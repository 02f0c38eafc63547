import GRDB
import Storage

/// Holds records to `DatabaseDate` (ADR 017) in tests.
public enum RecordDates {
    /// The names of the record types among `types` whose dates GRDB would still write with its
    /// DateFormatter (their `databaseDateEncodingStrategy(for:)` is not a custom one).
    public static func formattedByGRDB(_ types: [any EncodableRecord.Type]) -> [String] {
        types.filter { type in
            if case .custom = type.databaseDateEncodingStrategy(for: "created_at") { return false }
            return true
        }.map { "\($0)" }
    }
}
