import Bus
import Testing

/// Expects `body` to throw a bus error with `code` (`invalid`, `conflict`, `not_found`, ...):
/// the one way every test target says it.
public func expectBusError(
    _ code: BusErrorCode, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        try await body()
        Issue.record("expected \(code), got success", sourceLocation: sourceLocation)
    } catch let error as BusError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
