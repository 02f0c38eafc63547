import Foundation

/// Writes one JSON object by hand, in the wire dialect (snake_case keys given as written, dates as
/// `Timestamp`), for the few payloads produced at high rates where JSONEncoder's reflection and
/// key conversion dominate (a call event per logged call). Keys must be written in sorted order
/// to match `Wire.encoder`'s output.
public struct JSONWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    public init() { bytes.reserveCapacity(512) }

    private mutating func key(_ name: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: "\":".utf8)
    }

    public mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        quoted(value)
    }

    private mutating func quoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): bytes.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): bytes.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                bytes.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func integer(_ name: String, _ value: Int64?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func integer(_ name: String, _ value: Int?) { integer(name, value.map(Int64.init)) }

    public mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func date(_ name: String, _ value: Date?) { string(name, value.map { Timestamp.string(from: $0) }) }

    public mutating func integers(_ name: String, _ values: [Int64]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        bytes.append(contentsOf: values.map(String.init).joined(separator: ",").utf8)
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func strings(_ name: String, _ values: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            quoted(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of objects, each written by `write`.
    public mutating func objects<Item>(_ name: String, _ items: [Item], _ write: (inout JSONWriter, Item) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            nested { write(&$0, item) }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A nested object written by `write` (`{}` when it writes nothing); nothing when `value` is nil.
    public mutating func object<Value>(_ name: String, _ value: Value?, _ write: (inout JSONWriter, Value) -> Void) {
        guard let value else { return }
        key(name)
        nested { write(&$0, value) }
    }

    /// `{`, the members `write` adds, `}`, in place (a page of contacts has a few hundred of these).
    private mutating func nested(_ write: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        first = true
        write(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    /// A value already in JSON (written by `Wire.encoder`, for the rare shapes this writer has no
    /// method for).
    public mutating func raw(_ name: String, _ json: Data) {
        key(name)
        bytes.append(contentsOf: json)
    }

    public mutating func finish() -> Data {
        bytes.append(UInt8(ascii: "}"))
        return Data(bytes)
    }
}

/// A value whose JSON is written by hand and means the same as `Wire.encode(self)` (a test holds
/// each to that); `jsonHandler` answers with it.
public protocol WireJSONEncodable {
    var wireJSON: Data { get }
}

/// An object that writes its members into a `JSONWriter`, so that a page of them can be
/// written by hand too.
public protocol WireJSONMembers {
    func write(_ json: inout JSONWriter)
}

extension WireJSONMembers {
    /// The object, written by hand: the same JSON as `Wire.encode(self)`.
    public var wireJSON: Data {
        var json = JSONWriter()
        write(&json)
        return json.finish()
    }
}

extension Call: WireJSONEncodable {}
extension Contact: WireJSONEncodable, WireJSONMembers {}
extension Company: WireJSONEncodable, WireJSONMembers {}
extension Page: WireJSONEncodable where Item: WireJSONMembers {}

extension Call {
    /// The same JSON as `Wire.encode(self)`, written by hand (see `JSONWriter`).
    public var wireJSON: Data {
        var json = JSONWriter()
        json.bool("ambiguous", ambiguous)
        json.date("answered_at", answeredAt)
        json.string("answered_by", answeredBy)
        json.integer("answered_by_user_id", answeredByUserId)
        json.integer("billsec", billsec)
        json.string("caller_name", callerName)
        json.integers("company_ids", companyIds)
        json.integer("contact_id", contactId)
        json.integers("contact_ids", contactIds)
        json.string("direction", direction)
        json.string("disposition", disposition)
        json.integer("duration", duration)
        json.date("ended_at", endedAt)
        json.integer("event_count", eventCount)
        json.string("extension", `extension`)
        json.string("external_id", externalId)
        json.string("from", from)
        json.string("from_e164", fromE164)
        json.integer("id", id)
        json.integer("legs", legs)
        json.string("outcome", outcome)
        json.string("producer", producer)
        json.string("recording_url", recordingUrl)
        json.integer("ring_seconds", ringSeconds)
        json.date("started_at", startedAt)
        json.string("status", status)
        json.bool("timed_out", timedOut)
        json.string("to", to)
        json.string("to_e164", toE164)
        json.bool("unmatched", unmatched)
        json.string("user", user)
        json.integer("user_id", userId)
        return json.finish()
    }
}

extension ContactChanged {
    /// The same JSON as `Wire.encode(self)` for an event without field changes (a created
    /// contact), written by hand: JSONEncoder was a quarter of a CSV import's own time (perf).
    public var wireJSON: Data {
        guard changes == nil else { return (try? Wire.encode(self)) ?? Data() }
        var json = JSONWriter()
        json.integer("contact_id", contactId)
        json.emails(emails)
        json.string("first_name", firstName)
        json.string("last_name", lastName)
        json.integer("owner_id", ownerId)
        json.phones(phones)
        return json.finish()
    }
}

/// Every list and search of contacts answers a page of these: JSONEncoder took 1-1.8 ms of a
/// 4-6 ms search (a page of 50, measured in the contacts process at a million contacts).
extension Contact {
    public func write(_ json: inout JSONWriter) {
        json.address("address", address)
        json.date("anonymized_at", anonymizedAt)
        json.bankDetails(bankDetails)
        json.string("birthday", birthday)
        json.integers("category_ids", categoryIds)
        json.bool("consumer", consumer)
        json.date("created_at", createdAt)
        json.customFields(customFields)
        json.integer("customer_number", customerNumber)
        json.date("deleted_at", deletedAt)
        json.emails(emails)
        json.string("first_name", firstName)
        json.integer("id", id)
        json.date("last_activity_at", lastActivityAt)
        json.string("last_name", lastName)
        json.integer("merged_into", mergedInto)
        json.integer("owner_id", ownerId)
        json.phones(phones)
        json.integer("picture_file_id", pictureFileId)
        json.integer("role_id", roleId)
        json.integer("source_id", sourceId)
        json.string("title", title)
        json.date("updated_at", updatedAt)
    }
}

extension Company {
    public func write(_ json: inout JSONWriter) {
        json.bankDetails(bankDetails)
        json.integers("category_ids", categoryIds)
        json.date("created_at", createdAt)
        json.customFields(customFields)
        json.integer("customer_number", customerNumber)
        json.object("customer_settings", customerSettings) { json, settings in
            json.string("currency", settings.currency)
            json.string("language", settings.language)
            json.integer("payment_terms_days", settings.paymentTermsDays)
        }
        json.date("deleted_at", deletedAt)
        json.emails(emails)
        json.integer("id", id)
        json.integer("industry_id", industryId)
        json.strings("kinds", kinds)
        json.integer("merged_into", mergedInto)
        json.string("name", name)
        json.string("organisation_number", organisationNumber)
        json.integer("owner_id", ownerId)
        json.phones(phones)
        json.address("postal_address", postalAddress)
        json.integer("source_id", sourceId)
        json.integer("status_id", statusId)
        json.date("updated_at", updatedAt)
        json.address("visiting_address", visitingAddress)
        json.string("website", website)
    }
}

extension Page where Item: WireJSONMembers {
    /// The same JSON as `Wire.encode(self)`, written by hand (see `WireJSONMembers`).
    public var wireJSON: Data {
        var json = JSONWriter()
        json.integer("count", count)
        if let countExact { json.bool("count_exact", countExact) }
        json.objects("items", items) { json, item in item.write(&json) }
        json.string("next_cursor", nextCursor)
        return json.finish()
    }
}

/// The parts contacts and companies share.
extension JSONWriter {
    mutating func address(_ name: String, _ address: Address?) {
        object(name, address) { json, address in
            json.string("city", address.city)
            json.string("country", address.country)
            json.string("postal_code", address.postalCode)
            json.string("street", address.street)
        }
    }

    mutating func bankDetails(_ bank: BankDetails?) {
        object("bank_details", bank) { json, bank in
            json.string("account_number", bank.accountNumber)
            json.string("bank_name", bank.bankName)
            json.string("bic", bank.bic)
            json.string("iban", bank.iban)
        }
    }

    /// Custom field values are any JSON: those few go through the wire encoder.
    mutating func customFields(_ values: [String: JSONValue]) {
        raw("custom_fields", values.isEmpty ? Data("{}".utf8) : (try? Wire.encode(values)) ?? Data("{}".utf8))
    }

    mutating func emails(_ emails: [ContactEmail]) {
        objects("emails", emails) { json, email in
            json.string("address", email.address)
            json.string("kind", email.kind)
        }
    }

    mutating func phones(_ phones: [ContactPhone]) {
        objects("phones", phones) { json, phone in
            json.string("e164", phone.e164)
            json.string("kind", phone.kind)
            json.string("number", phone.number)
        }
    }
}
