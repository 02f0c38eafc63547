extension Company: WireJSONEncodable, WireJSONMembers {}

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
