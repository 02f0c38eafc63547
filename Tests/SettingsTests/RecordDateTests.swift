import Contracts
import GRDB
import Storage
import TestKit
import Testing

@testable import SettingsService

@Suite("Settings: record dates")
struct RecordDateTests {
    // GRDB writes a record's dates with a DateFormatter unless the record says otherwise, which
    // loads ICU into the process (issue 20: 5-6 MB of every service's memory) and is slow.
    @Test("every record with dates writes them as DatabaseDate text, not through GRDB's DateFormatter")
    func ownText() {
        #expect(
            RecordDates.formattedByGRDB([
                User.self, ReferenceItem.self, CustomField.self, SalesBudget.self, GroupRecord.self, ProcessRecord.self,
            ]).isEmpty)
    }
}
