import Foundation

/// Reads CSV as RFC 4180 writes it, and as spreadsheets export it: fields separated by a comma or
/// a semicolon (Excel in Norway writes semicolons; the header line decides), quoted fields with
/// doubled quotes, line breaks inside quotes, CRLF or LF line ends, a UTF-8 byte order mark.
public struct CSVReader: Sendable {
    public let delimiter: Character

    public init(delimiter: Character) { self.delimiter = delimiter }

    /// Chooses the delimiter from the header line: the one of `,` `;` tab that occurs most.
    public static func detect(_ text: String) -> Character {
        let header = text.prefix { $0 != "\n" && $0 != "\r" }
        return [",", ";", "\t"].max { a, b in header.filter { $0 == a }.count < header.filter { $0 == b }.count } ?? ","
    }

    /// The records with the line each starts on (1-based, as a spreadsheet numbers them).
    /// Reads Unicode scalars, not Characters: grapheme breaking cost more than everything else
    /// in a 100,000-row import.
    public func records(_ text: String) throws -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var inQuotes = false
        var line = 1
        var recordLine = 1
        let delimiter = self.delimiter.unicodeScalars.first!
        let quote: Unicode.Scalar = "\"", cr: Unicode.Scalar = "\r", lf: Unicode.Scalar = "\n"
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var index = scalars.startIndex
        func endRecord() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []
        }
        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            if inQuotes {
                if scalar == quote {
                    if index < scalars.endIndex && scalars[index] == quote {
                        field.append(quote)
                        index = scalars.index(after: index)
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == lf { line += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case quote where field.isEmpty:
                inQuotes = true
            case delimiter:
                fields.append(String(field))
                field = String.UnicodeScalarView()
            case cr:
                if index < scalars.endIndex && scalars[index] == lf { index = scalars.index(after: index) }
                endRecord()
                line += 1
                recordLine = line
            case lf:
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(scalar)
            }
        }
        if inQuotes { throw CSVError(line: recordLine, reason: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}

public struct CSVError: Error {
    public let line: Int
    public let reason: String
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// Writes CSV (RFC 4180): a field is quoted when it holds the delimiter, a quote or a line break.
public enum CSVWriter {
    /// One CSV line. A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
    /// `@`, a tab or CR) gets a `'` in front, the way spreadsheets mark text; a number or a
    /// phone number (`+47 912 34 567`, `-5`) is left as it is, since nothing in it can run.
    public static func line(_ fields: [String], delimiter: Character = ",") -> String {
        fields.map(neutralized).map { field in
            field.contains(delimiter) || field.contains("\"") || field.contains("\n") || field.contains("\r")
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: String(delimiter)) + "\r\n"
    }

    static func neutralized(_ field: String) -> String {
        guard let first = field.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return field }
        let inert = field.unicodeScalars.dropFirst().allSatisfy { "0123456789 ()./-".unicodeScalars.contains($0) }
        if (first == "+" || first == "-") && inert && field.unicodeScalars.count > 1 { return field }
        return "'" + field
    }
}
