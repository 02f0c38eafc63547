/// Who a process is on the bus. Every admitted key maps to one role: `gateway`, `crm-admin`, or
/// the name of one service. The role decides what the broker lets the process do:
/// - only a service's own role may register as its worker and publish events of that source;
/// - only `gateway` and `crm-admin` may send requests that carry a user's identity;
/// - any other role calls as itself, and services answer it only the methods they open to services.
public enum BusRole {
    /// The HTTP gateway: speaks for the users it authenticated.
    public static let gateway = "gateway"
    /// The operator's command line (`crm user`, `crm token`, `crm status`).
    public static let admin = "crm-admin"
    /// The bus itself (its key is the CURVE server key; it is never a client).
    public static let bus = "bus"

    /// The roles allowed to put a user's identity (actor, user id, rank, scopes) in the headers.
    public static func carriesUsers(_ role: String) -> Bool { role == gateway || role == admin }

    /// A role or producer name: 1-64 of a-z, 0-9, `-`, `_`, `.`, starting with a letter or digit.
    /// Names become file names and log fields, so nothing else is accepted.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
