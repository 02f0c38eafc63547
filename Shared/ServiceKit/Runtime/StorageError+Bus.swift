import Bus
import Storage

/// A request id reused for another method is the caller's mistake: 409, not 500.
extension StorageError: BusErrorConvertible {
    public var busError: BusError {
        switch self {
        case .requestIdReused: return .conflict(description)
        }
    }
}
