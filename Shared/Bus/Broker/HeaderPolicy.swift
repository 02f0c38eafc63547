import Foundation

/// What the broker lets through in a request's headers frame, by the sender's role:
/// - the frame must be a JSON object of at most `BusProtocol.maxHeaderBytes`; anything else is
///   refused (never read as "no headers", which would make the request the system's own);
/// - a user's identity (`actor`, `user_id`, `rank`, `scopes`) only from `gateway` and `crm-admin`;
/// - `caller` is the broker's to set: the sender's role goes in front, and a client that sets
///   it is refused.
public enum HeaderPolicy {
    static let userFields = ["actor", "user_id", "rank", "scopes", "token_id"]

    /// The headers as the worker gets them, or the error the client gets. `role` nil means the
    /// bus runs without identities: the frame is only checked to be a JSON object.
    public static func admit(_ headers: Data, role: String?) -> Result<Data, BusError> {
        guard headers.count <= BusProtocol.maxHeaderBytes else {
            return .failure(.badRequest("the headers frame is larger than \(BusProtocol.maxHeaderBytes) bytes"))
        }
        guard let object = (try? JSONSerialization.jsonObject(with: headers)) as? [String: Any] else {
            return .failure(.badRequest("the headers frame must be a JSON object ({} when there is nothing to say)"))
        }
        guard let role else { return .success(headers) }
        if object["caller"] != nil {
            return .failure(.forbidden("'caller' is set by the bus from the sender's identity, not by the sender"))
        }
        if !BusRole.carriesUsers(role), let field = userFields.first(where: { object[$0] != nil }) {
            return .failure(
                .forbidden("'\(role)' may not send a user's identity ('\(field)'); only the gateway and crm-admin speak for users"))
        }
        return .success(withCaller(role, headers))
    }

    /// `{"caller":"<role>", ...the rest}`. The role is a checked name (`BusRole.isValidName`),
    /// so it needs no escaping; the object is known to be valid JSON.
    private static func withCaller(_ role: String, _ headers: Data) -> Data {
        let bytes = [UInt8](headers)
        guard let open = bytes.firstIndex(of: UInt8(ascii: "{")) else { return headers }
        let rest = bytes[(open + 1)...]
        let isEmpty = rest.first { !isWhitespace($0) } == UInt8(ascii: "}")
        var out = Data("{\"caller\":\"\(role)\"".utf8)
        if isEmpty {
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: rest)
        }
        return out
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
