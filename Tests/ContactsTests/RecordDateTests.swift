import GRDB
import Storage
import TestKit
import Testing

@testable import ContactsService

@Suite("Contacts: record dates")
struct RecordDateTests {
    // GRDB writes a record's dates with a DateFormatter unless the record says otherwise, which
    // loads ICU into the process (issue 20: 5-6 MB of every service's memory) and is slow.
    @Test("every record with dates writes them as DatabaseDate text, not through GRDB's DateFormatter")
    func ownText() {
        #expect(RecordDates.formattedByGRDB([CompanyRecord.self, ContactRecord.self, HistoryRecord.self]).isEmpty)
    }
}
