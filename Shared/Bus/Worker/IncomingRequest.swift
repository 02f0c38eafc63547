import Foundation

/// A request as a worker receives it from the broker.
public struct IncomingRequest: Sendable {
    /// The service this worker serves.
    public let service: String
    /// The method asked for (`contacts.create`).
    public let method: String
    /// The client's request id; the same across retries, so it keys idempotent writes.
    public let requestId: String
    /// Actor and trace id.
    public let headers: BusHeaders
    /// The JSON body.
    public let body: Data
    /// When the caller stops waiting (monotonic milliseconds); work past it is wasted.
    public let deadline: Int64
    /// Opaque routing frame the reply must carry back.
    let client: Data

    /// Milliseconds left before the caller gives up.
    public var remainingMilliseconds: Int64 { max(0, deadline - monotonicMilliseconds()) }
}
