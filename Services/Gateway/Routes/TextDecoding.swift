import Foundation

/// The text of a file as people's programs save it, with the encoding it was read in: UTF-8
/// with or without a byte order mark, UTF-16 (Excel's "Unicode text" writes little-endian with
/// a mark; without one it is told by its zero bytes), and otherwise Windows-1252, the code page
/// of Excel's "CSV" on Western European Windows. Every byte sequence reads as some text: bytes
/// no encoding can place become U+FFFD. Fuzzed (target `import-file`).
enum TextDecoding {
    static func decode(_ data: Data) -> (text: String, encoding: String) {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return (String(decoding: bytes.dropFirst(3), as: UTF8.self), "UTF-8 with BOM")
        }
        if bytes.starts(with: [0xFF, 0xFE]) { return (utf16(bytes.dropFirst(2), littleEndian: true), "UTF-16LE") }
        if bytes.starts(with: [0xFE, 0xFF]) { return (utf16(bytes.dropFirst(2), littleEndian: false), "UTF-16BE") }
        if let littleEndian = utf16WithoutMark(bytes) {
            return (utf16(bytes[...], littleEndian: littleEndian), littleEndian ? "UTF-16LE" : "UTF-16BE")
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, "UTF-8") }
        return (windows1252(bytes), "Windows-1252")
    }

    /// Whether the bytes look like UTF-16 without a mark, and which way: text in Latin
    /// letters has a zero in every other byte, which UTF-8 text never has.
    static func utf16WithoutMark(_ bytes: [UInt8]) -> Bool? {
        let sample = bytes.prefix(4096)
        let pairs = sample.count / 2
        guard pairs >= 2 else { return nil }
        var evenZeros = 0, oddZeros = 0
        for (index, byte) in sample.prefix(pairs * 2).enumerated() where byte == 0 {
            if index % 2 == 0 { evenZeros += 1 } else { oddZeros += 1 }
        }
        if oddZeros * 10 >= pairs * 4, evenZeros * 10 < pairs { return true }
        if evenZeros * 10 >= pairs * 4, oddZeros * 10 < pairs { return false }
        return nil
    }

    static func utf16(_ bytes: ArraySlice<UInt8>, littleEndian: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let first = UInt16(bytes[index]), second = UInt16(bytes[index + 1])
            units.append(littleEndian ? first | second << 8 : first << 8 | second)
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Windows-1252: Latin-1 but for 0x80-0x9F, where it has the euro sign, curly quotes,
    /// dashes and a few letters (Š, Œ, Ž, Ÿ); the five bytes it leaves undefined become U+FFFD.
    static func windows1252(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if (0x80...0x9F).contains(byte) {
                scalars.append(Unicode.Scalar(high[Int(byte - 0x80)]) ?? "\u{FFFD}")
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    private static let high: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]
}
