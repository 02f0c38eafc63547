import Foundation

/// Reads CSV as RFC 4180 writes it, and as spreadsheets export it: fields separated by a comma or
/// a semicolon (Excel in Norway writes semicolons; the header line decides), quoted fields with
/// doubled quotes, line breaks inside quotes, CRLF or LF line ends, a UTF-8 byte order mark.
struct CSVReader {
    let delimiter: Character

    /// Chooses the delimiter from the header line: the one of `,` `;` tab that occurs most.
    static func detect(_ text: String) -> Character {
        let header = text.prefix { $0 != "\n" && $0 != "\r" }
        return [",", ";", "\t"].max { a, b in header.filter { $0 == a }.count < header.filter { $0 == b }.count } ?? ","
    }

    /// The records with the line each starts on (1-based, as a spreadsheet numbers them).
    func records(_ text: String) throws -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var iterator = (text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text).makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let character = pending {
                pending = nil
                return character
            }
            return iterator.next()
        }
        while let character = next() {
            if inQuotes {
                if character == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.append("\"")
                        } else {
                            inQuotes = false
                            pending = following
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty:
                inQuotes = true
            case delimiter:
                fields.append(field)
                field = ""
            case "\n", "\r\n", "\r":
                fields.append(field)
                field = ""
                if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
                fields = []
                line += 1
                recordLine = line
            default:
                field.append(character)
            }
        }
        if inQuotes { throw CSVError(line: recordLine, reason: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append((recordLine, fields))
        }
        return records
    }
}

struct CSVError: Error {
    let line: Int
    let reason: String
}

/// Writes CSV (RFC 4180): a field is quoted when it holds the delimiter, a quote or a line break.
enum CSVWriter {
    static func line(_ fields: [String], delimiter: Character = ",") -> String {
        fields.map { field in
            field.contains(delimiter) || field.contains("\"") || field.contains("\n") || field.contains("\r")
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: String(delimiter)) + "\r\n"
    }
}
