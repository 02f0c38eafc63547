import Bus
import Contracts
import Foundation

/// Decodes a request body with the wire decoder, turning failures into a `bad_request` error
/// that names the field at fault. An empty body reads as `{}`.
public func decodeBody<T: Decodable>(_ type: T.Type, _ request: IncomingRequest) throws -> T {
    let data = request.body.isEmpty ? Data("{}".utf8) : request.body
    do {
        return try Wire.decode(T.self, from: data)
    } catch let error as DecodingError {
        if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
            throw BusError.badRequest("the body is not valid JSON")
        }
        throw BusError.badRequest(BusWorker.describe(error))
    }
}
