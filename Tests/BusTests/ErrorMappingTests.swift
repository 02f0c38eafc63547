import Foundation
import Testing

@testable import Bus

private struct Refused: BusErrorConvertible {
    var busError: BusError { .conflict("already done differently") }
}

@Suite("Error replies")
struct ErrorMappingTests {
    @Test("an error that knows its bus error is answered with that code, not 'internal'")
    func convertibleErrors() async throws {
        let request = IncomingRequest(
            service: "s", method: "s.do", requestId: "r", headers: BusHeaders(), body: Data(), deadline: 0, client: Data())
        let (status, body) = await BusWorker.answer(
            request, handlers: ["s.do": { _ in throw Refused() }], openToServices: [], logger: .init(label: "t"))
        #expect(status == "conflict")
        #expect(try JSONDecoder().decode(BusError.self, from: body) == .conflict("already done differently"))
    }
}
