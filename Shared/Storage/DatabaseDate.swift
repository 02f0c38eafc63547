import Contracts
import Foundation
import GRDB

/// Dates as GRDB stores them (`2026-01-31 09:30:00.123`, UTC), written by hand: GRDB formats a
/// `Date` argument with a DateFormatter, which was 5% of a 100,000-row import (perf) and is what
/// loads ICU into a process (its locale and calendar data: 5-6 MB of every service's resident
/// memory, issue 20). Pass `string(date)` instead of a `Date` in statement arguments and filters,
/// and give records with dates `encoding`; GRDB reads the text back as the same `Date`.
public enum DatabaseDate {
    public static func string(_ date: Date) -> String { Timestamp.utcString(date, separator: " ", suffix: "") }

    /// `string(_:)` of a date that may be missing (NULL stays NULL).
    public static func string(_ date: Date?) -> String? { date.map { string($0) } }

    /// What a record answers from `databaseDateEncodingStrategy(for:)`: its dates stored as
    /// `string(_:)` stores them.
    public static let encoding = DatabaseDateEncodingStrategy.custom { string($0) }
}
