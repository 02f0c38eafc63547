import Contracts
import Foundation
import Testing

@testable import GatewayService

@Suite("Request validation against the OpenAPI document")
struct SchemaValidatorTests {
    let validator = SchemaValidator(schemas: APISchemas.all)

    func problem(_ json: String, _ schema: String) throws -> String? {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        return validator.problem(with: value, against: ["$ref": "#/components/schemas/\(schema)"])
    }

    @Test("every keyword in the document's request schemas is one the validator enforces, and every pattern compiles")
    func documentIsEnforceable() throws {
        var unknown: Set<String> = []
        var broken: [String] = []
        func walk(_ value: Any, key: String?) {
            if let schema = value as? [String: Any] {
                // The keys of `properties` are field names, not keywords.
                if key != "properties" {
                    unknown.formUnion(Set(schema.keys).subtracting(SchemaValidator.keywords))
                    if let pattern = schema["pattern"] as? String, (try? NSRegularExpression(pattern: pattern)) == nil {
                        broken.append(pattern)
                    }
                }
                for (name, nested) in schema { walk(nested, key: name) }
            } else if let list = value as? [Any] {
                for item in list { walk(item, key: nil) }
            }
        }
        for (_, schema) in APISchemas.all { walk(schema, key: nil) }
        for spec in ["cursor", "timezone", "limit", "folder_id", "from", "sort", "name!", "format!a,b", "kind:a,b"] {
            walk(OpenAPIDocument.queryParameter(spec)["schema"] as Any, key: nil)
        }
        #expect(unknown.isEmpty, "\(unknown)")
        #expect(broken.isEmpty, "\(broken)")
    }

    @Test("bodies: what the document allows passes; what it refuses names the field and why")
    func bodies() throws {
        #expect(try problem(##"{"name": "VIP", "colour": "#A0B", "active": true}"##, "NewReference") == nil)
        #expect(try problem(#"{"name": "VIP", "colour": ""}"#, "NewReference") == nil)  // empty clears a colour
        #expect(try problem(##"{"colour": "#A0B"}"##, "NewReference") == "name: is required")
        #expect(try problem(#"{"name": null}"#, "NewReference")?.hasPrefix("name: must be a string") == true)
        #expect(try problem(#"{"name": " \t"}"#, "NewReference")?.hasPrefix("name: must match") == true)
        #expect(try problem(#"{"name": "VIP", "colour": "red"}"#, "NewReference")?.hasPrefix("colour: must match") == true)
        #expect(try problem(#"{"name": "VIP", "applies_to": "both"}"#, "NewReference") == "applies_to: is not a field of this request")
        #expect(try problem(#"{"name": "VIP", "applies_to": "both"}"#, "NewCategory") == nil)
        #expect(try problem(#"{"name": "VIP", "sort_order": 1.5}"#, "NewReference") == "sort_order: must be a whole number, not a number")
        #expect(try problem(#"{"name": "VIP", "sort_order": 2.0}"#, "NewReference") == nil)
        #expect(try problem(#"{"name": "VIP", "active": 1}"#, "NewReference") == "active: must be a boolean, not a whole number")
        #expect(
            try problem(#"{"last_name": "Berg", "phones": [{"number": "+47 22 33 44 55"}, {"number": ""}]}"#, "NewContact")
                == "phones[1].number: must not be empty")
        #expect(try problem(#"{"title": "CEO"}"#, "NewContact") != nil)  // a first or a last name
        #expect(try problem(#"{"category_ids": [3, 3]}"#, "CategoriesInput") == "category_ids: lists an item twice")
        #expect(try problem(#"{"category_ids": [0]}"#, "CategoriesInput") == "category_ids[0]: must be at least 1")
    }

    @Test("one of several forms: the message is about the form of the value's own type")
    func forms() throws {
        let two = #"[{"event_id": "a", "call_id": "c", "type": "ringing"}, {"event_id": "b", "call_id": "c", "type": "exploded"}]"#
        #expect(try problem(two, "CallEvents")?.hasPrefix("[1].type: must be one of ringing") == true)
        #expect(try problem(#"{"event_id": "a", "call_id": "c", "type": "ringing"}"#, "CallEvents") == nil)
        #expect(try problem("[]", "CallEvents") == "needs at least 1 item(s)")
        #expect(try problem(#"{"csv": "a;b", "vcf": "BEGIN:VCARD"}"#, "ImportRequest") != nil)
        #expect(try problem(#"{"vcf": "BEGIN:VCARD"}"#, "ImportRequest") == nil)
    }

    @Test("if/then/else and contains: choice fields need options, a process one won and one open status")
    func conditions() throws {
        #expect(try problem(#"{"applies_to": "contact", "label": "Tier", "type": "choice", "options": ["A"]}"#, "NewField") == nil)
        #expect(try problem(#"{"applies_to": "contact", "label": "Tier", "type": "choice"}"#, "NewField") == "options: is required")
        #expect(try problem(#"{"applies_to": "contact", "label": "Note", "type": "text", "options": ["A"]}"#, "NewField") != nil)
        let won = #"{"name": "Won", "probability": 100, "final": "won"}"#, open = #"{"name": "Open", "probability": 10}"#
        #expect(try problem(#"{"name": "P", "statuses": [\#(open), \#(won)]}"#, "NewProcess") == nil)
        #expect(try problem(#"{"name": "P", "statuses": [\#(open), \#(open)]}"#, "NewProcess")?.contains("lacks an item") == true)
    }

    @Test("formats: RFC 3339 date-times the services read, calendar dates")
    func formats() {
        for good in ["2026-01-31T09:30:00Z", "2026-01-31T09:30:00.123456Z", "2024-02-29T23:59:59+14:00", "0001-01-01T00:00:00Z"] {
            #expect(SchemaValidator.isDateTime(good), "\(good)")
        }
        for bad in [
            "", "2026-01-31", "2026-02-30T09:30:00Z", "2026-01-31 09:30:00Z", "2026-01-31T24:00:00Z", "2026-01-31T09:30:00",
            "2026-01-31T09:30:00.Z", "2026-01-31T09:30:00+0100", "2026-01-31t09:30:00z",
            "2026-01-31T09:30:00." + String(repeating: "1", count: 40) + "Z",
        ] {
            #expect(!SchemaValidator.isDateTime(bad), "\(bad)")
        }
        #expect(SchemaValidator.isDate("2024-02-29") && !SchemaValidator.isDate("2023-02-29") && !SchemaValidator.isDate("0000-01-01"))
        #expect(!SchemaValidator.isDate("2024-2-29") && !SchemaValidator.isDate("2024-02-29T00:00:00Z"))
    }

    @Test("lengths count code points, as JSON Schema does")
    func codePoints() throws {
        // "e" and a combining accent: one Swift Character, two code points.
        let accented = String(repeating: "e\u{301}", count: 51)  // 51 characters, 102 code points
        let body = try JSONEncoder().encode(["name": accented])
        #expect(try problem(String(decoding: body, as: UTF8.self), "NewReference") == "name: must have at most 100 characters")
    }
}

@Suite("List cursors")
struct CursorTests {
    @Test("a cursor reads back as written, keys of any text included")
    func roundTrip() {
        for cursor in [Cursor(id: 1), Cursor(id: 8120, keys: ["Ødegård", ""]), Cursor(id: 999_999_999_999_999_999, keys: ["a.b"])] {
            #expect(Cursor(text: cursor.text) == cursor)
            #expect(cursor.text.range(of: Cursor.pattern, options: .regularExpression) != nil, "\(cursor.text)")
        }
        #expect(Cursor(id: 7, keys: ["Ab"]).text == "7.4162")
    }

    @Test("every string the published pattern admits is a position; others are not cursors")
    func total() {
        #expect(Cursor(text: "42.ff") == Cursor(id: 42, keys: ["\u{FFFD}"]))  // not UTF-8: a replacement character
        #expect(Cursor(text: "42")?.key(1) == "")
        #expect(Cursor(text: "1..") == Cursor(id: 1, keys: ["", ""]))
        for bad in ["", "0", "01", "-1", "1.f", "1.FF", "1.aa.bb.cc", "9999999999999999999", "x", "1.gg"] {
            #expect(Cursor(text: bad) == nil, "\(bad)")
            #expect(bad.range(of: Cursor.pattern, options: .regularExpression) == nil, "\(bad)")
        }
    }
}

@Suite("JSON bodies as the validator reads them")
struct JSONValueParseTests {
    @Test("booleans stay booleans, whole numbers whole, and what is not JSON is nil")
    func parse() {
        #expect(
            JSONValue.parse(
                Data(#"{"t": true, "f": false, "one": 1, "zero": 0, "half": 0.5, "big": 9223372036854775807, "s": "x", "n": null}"#.utf8))
                == .object([
                    "t": .bool(true), "f": .bool(false), "one": .int(1), "zero": .int(0), "half": .double(0.5),
                    "big": .int(Int64.max), "s": .string("x"), "n": .null,
                ]))
        #expect(JSONValue.parse(Data("[1, [true]]".utf8)) == .array([.int(1), .array([.bool(true)])]))
        if case .double = JSONValue.parse(Data("18446744073709551616".utf8)) {} else { Issue.record("a number past 64 bits is not whole") }
        #expect(JSONValue.parse(Data("{".utf8)) == nil)
        #expect(JSONValue.parse(Data("".utf8)) == nil)
    }
}
