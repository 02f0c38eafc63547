/// The position a list hands out as `next_cursor` and takes back as `cursor`: the last row's id,
/// then the sort keys it was ordered by (each as the hexadecimal of its UTF-8), dot-separated:
/// `8120` or `8120.4f6c7361.4e6f726d616e6e`. Every string the published `pattern` admits is a
/// position (keys that are not UTF-8 are read with replacement characters, missing ones as
/// empty), so a cursor the document allows is never refused: the list continues after it.
public struct Cursor: Sendable, Equatable {
    /// The OpenAPI pattern of a cursor: an id of at most 18 digits (so it fits in an Int64),
    /// and at most two keys of at most 1,000 bytes each.
    public static let pattern = "^[1-9][0-9]{0,17}(\\.([0-9a-f][0-9a-f]){0,1000}){0,2}$"

    public let id: Int64
    public let keys: [String]

    public init(id: Int64, keys: [String] = []) {
        self.id = id
        self.keys = keys
    }

    /// The key at `index`, or empty when the cursor has fewer keys.
    public func key(_ index: Int) -> String { index < keys.count ? keys[index] : "" }

    /// The text form.
    public var text: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = Array(String(id).utf8)
        for key in keys {
            bytes.append(UInt8(ascii: "."))
            for byte in key.utf8 { bytes += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a cursor; nil when `text` is not of the published form.
    public init?(text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let first = parts.first, (1...18).contains(first.utf8.count), first.utf8.first != UInt8(ascii: "0"),
            let id = Int64(first), id > 0, parts.count <= 3
        else { return nil }
        var keys: [String] = []
        for part in parts.dropFirst() {
            let bytes = Array(part.utf8)
            guard bytes.count % 2 == 0, bytes.count <= 2000 else { return nil }
            var decoded: [UInt8] = []
            decoded.reserveCapacity(bytes.count / 2)
            var index = 0
            while index < bytes.count {
                guard let high = Self.nibble(bytes[index]), let low = Self.nibble(bytes[index + 1]) else { return nil }
                decoded.append(high << 4 | low)
                index += 2
            }
            keys.append(String(decoding: decoded, as: UTF8.self))
        }
        self.init(id: id, keys: keys)
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
