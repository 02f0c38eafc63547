import Bus
import Contracts
import Foundation
import ServiceKit

/// Where a person's calls come from for their export: telephony over the bus in the service, a
/// stand-in in tests.
protocol PersonCalls: Sendable {
    /// One page of the calls with contact `contactId`, newest first.
    func page(contactId: Int64, cursor: String?) async throws -> Page<Call>
}

/// Telephony's `telephony.calls.of_person`, asked as the contacts service itself.
struct BusPersonCalls: PersonCalls {
    let client: BusClient
    let timeout: Duration

    func page(contactId: Int64, cursor: String?) async throws -> Page<Call> {
        var request = ListCallsRequest()
        request.contactId = contactId
        request.cursor = cursor
        request.limit = 200
        return try await client.call(TelephonyContract.Method.callsOfPerson, request, timeout: timeout)
    }
}

/// A contacts store run without telephony (tests of contacts alone): nobody logged any calls.
struct NoTelephony: PersonCalls {
    func page(contactId: Int64, cursor: String?) async throws -> Page<Call> { Page(items: [], nextCursor: nil) }
}
