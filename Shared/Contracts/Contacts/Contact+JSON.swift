import Foundation

extension Contact: WireJSONEncodable, WireJSONMembers {}

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

extension ContactChanged {
    /// The same JSON as `Wire.encode(self)` for an event without field changes (a created
    /// contact), written by hand: JSONEncoder was a quarter of a CSV import's own time (perf).
    public var wireJSON: Data {
        guard changes == nil else { return (try? Wire.encode(self)) ?? Data() }
        var json = JSONWriter()
        if let consumer { json.bool("consumer", consumer) }
        json.integer("contact_id", contactId)
        json.emails(emails)
        json.string("first_name", firstName)
        json.string("last_name", lastName)
        json.integer("owner_id", ownerId)
        json.phones(phones)
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
