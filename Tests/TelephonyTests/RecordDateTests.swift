import GRDB
import Testing

@testable import TelephonyService

@Suite("Telephony: record dates")
struct RecordDateTests {
    // GRDB writes a record's dates with a DateFormatter unless the record says otherwise, which
    // loads ICU into the process (issue 20: 5-6 MB of every service's memory) and is slow.
    @Test("every record with dates writes them as DatabaseDate text, not through GRDB's DateFormatter")
    func ownText() {
        for type in [CallEventRecord.self] as [any EncodableRecord.Type] {
            guard case .custom = type.databaseDateEncodingStrategy(for: "updated_at") else {
                Issue.record("\(type) writes its dates with GRDB's DateFormatter")
                continue
            }
        }
    }
}
