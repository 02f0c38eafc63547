import Foundation
import Testing

@testable import GatewayService

/// Files as programs save them: each encoding told apart and read back to the same text.
@Suite("Text decoding of imported files")
struct TextDecodingTests {
    let text = "Fornavn;Etternavn;Firma\r\nÅse;Ødegård;Brødrene Æbelø AS – “quoted” €5\r\n"

    func utf16(_ text: String, bigEndian: Bool, mark: Bool) -> Data {
        var data = Data(mark ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : [])
        for unit in text.utf16 { data += bigEndian ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        return data
    }

    @Test("UTF-8 with and without a mark, UTF-16 both ways with and without one")
    func unicode() {
        #expect(TextDecoding.decode(Data(text.utf8)) == (text, "UTF-8"))
        #expect(TextDecoding.decode(Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)) == (text, "UTF-8 with BOM"))
        #expect(TextDecoding.decode(utf16(text, bigEndian: false, mark: true)) == (text, "UTF-16LE"))
        #expect(TextDecoding.decode(utf16(text, bigEndian: true, mark: true)) == (text, "UTF-16BE"))
        #expect(TextDecoding.decode(utf16(text, bigEndian: false, mark: false)) == (text, "UTF-16LE"))
        #expect(TextDecoding.decode(utf16(text, bigEndian: true, mark: false)) == (text, "UTF-16BE"))
        // An odd byte at the end of UTF-16 and a lone surrogate become U+FFFD, never a trap.
        #expect(TextDecoding.decode(Data([0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8, 0x42])).text == "A\u{FFFD}")
    }

    @Test("Windows-1252: Latin-1 letters, the euro sign and curly quotes; undefined bytes as U+FFFD")
    func windows1252() {
        let bytes: [UInt8] =
            Array("Fornavn;Etternavn\r\n".utf8) + [0xC5, 0x73, 0x65, 0x3B, 0xD8, 0x64, 0x65, 0x67, 0xE5, 0x72, 0x64]
            + [0x20, 0x80, 0x93, 0x94, 0x96, 0x8A, 0x81]
        let (decoded, encoding) = TextDecoding.decode(Data(bytes))
        #expect(encoding == "Windows-1252")
        #expect(decoded == "Fornavn;Etternavn\r\nÅse;Ødegård €“”–Š\u{FFFD}")
    }
}
