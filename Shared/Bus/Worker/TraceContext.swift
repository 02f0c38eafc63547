import Logging

/// The trace id of the request a task is working on, for its log lines: the bus worker sets it
/// from the request's headers while a handler runs, the gateway for each HTTP request (from
/// `X-Request-Id`, or one it makes), and `metadataProvider` puts it on every line logged meanwhile.
public enum TraceContext {
    @TaskLocal public static var traceId: String?

    public static let metadataProvider = Logger.MetadataProvider {
        traceId.map { ["trace_id": .string($0)] } ?? [:]
    }
}
