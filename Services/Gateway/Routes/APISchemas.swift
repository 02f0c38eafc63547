import Contracts
import Foundation

/// JSON Schemas of the API's bodies, for the OpenAPI document. They describe the wire form of
/// the types in `Shared/Contracts` (snake_case keys, ISO 8601 times); the services validate.
enum APISchemas {
    /// An object; a property that is not required may also be null (the services read null as absent).
    private static func object(_ properties: [String: [String: Any]], required: [String] = []) -> [String: Any] {
        let optional = properties.mapValues { ["anyOf": [$0, ["type": "null"]]] as [String: Any] }
        let merged = optional.merging(properties.filter { required.contains($0.key) }) { _, kept in kept }
        var schema: [String: Any] = ["type": "object", "properties": merged]
        if !required.isEmpty { schema["required"] = required }
        return schema
    }
    private static var string: [String: Any] { ["type": "string"] }
    private static var integer: [String: Any] { ["type": "integer"] }
    private static var number: [String: Any] { ["type": "number"] }
    private static var boolean: [String: Any] { ["type": "boolean"] }
    /// A name people read (a category, a group, a token): not blank, at most `max` characters.
    private static func label(_ max: Int) -> [String: Any] { ["type": "string", "minLength": 1, "maxLength": max, "pattern": "\\S"] }
    /// A file or folder name: 1-255 characters, no `/` and no control characters.
    private static var name255: [String: Any] {
        ["type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^/\\u0000-\\u001F\\u007F]+$"]
    }
    private static var time: [String: Any] { ["type": "string", "format": "date-time"] }
    private static var date: [String: Any] { ["type": "string", "format": "date"] }
    private static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    private static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    private static func oneOf(_ values: [String]) -> [String: Any] { ["type": "string", "enum": values] }

    /// The schema name of a configuration section's body.
    static func configurationSchema(_ section: ConfigurationSection) -> String {
        switch section {
        case .search: return "SearchConfiguration"
        case .gdpr: return "GDPRConfiguration"
        case .visibility: return "VisibilityConfiguration"
        }
    }

    static var all: [String: Any] {
        let rank = oneOf(Rank.allCases.map(\.rawValue))
        let user = object(
            [
                "id": integer, "username": string, "name": string, "email": string, "phone": string, "extension": string,
                "rank": rank, "active": boolean, "created_at": time, "updated_at": time, "password_changed_at": time,
            ], required: ["id", "username", "name", "rank", "active"])
        let status = object(
            [
                "id": integer, "name": string, "probability": ["type": "integer", "minimum": 0, "maximum": 100],
                "final": oneOf(["won", "lost"]),
            ],
            required: ["name", "probability"])
        let member = object(["user_id": integer, "username": string, "name": string, "role": string])
        let apiToken = object(
            [
                "id": integer, "user_id": integer, "name": string, "kind": oneOf(["session", "api"]), "scopes": array(string),
                "prefix": string, "created_at": time, "expires_at": time, "last_used_at": time, "revoked_at": time,
            ])
        let phone = object(["number": string, "kind": oneOf(["mobile", "work", "home", "fax", "other"])], required: ["number"])
        let email = object(["address": string, "kind": oneOf(["work", "home", "other"])], required: ["address"])
        let address = object(["street": string, "postal_code": string, "city": string, "country": string])
        let bank = object(["account_number": string, "iban": string, "bic": string, "bank_name": string])
        let customerSettings = object(["currency": string, "payment_terms_days": integer, "language": string])
        let callEvent = object(
            [
                "event_id": string, "call_id": string, "type": oneOf(["ringing", "answered", "hangup", "completed"]),
                "direction": oneOf(["inbound", "outbound", "internal"]), "from": string, "to": string, "extension": string,
                "user": string, "at": time, "duration": integer, "billsec": integer, "disposition": string, "recording_url": string,
                "leg": string, "answered_by": string, "caller_name": string, "started_at": time, "answered_at": time, "ended_at": time,
                "sequence": integer,
            ], required: ["event_id", "call_id", "type"])
        return [
            "LoginRequest": object(["username": string, "password": string], required: ["username", "password"]),
            "LoginReply": object(["token": string, "expires_at": time, "user": ref("User")], required: ["token", "expires_at", "user"]),
            "ChangePasswordRequest": object(
                ["current_password": string, "new_password": ["type": "string", "minLength": 8]],
                required: ["current_password", "new_password"]),
            "User": user,
            "CreateUserRequest": object(
                [
                    "username": ["type": "string", "pattern": "^[A-Za-z0-9._@-]{2,64}$"], "name": string, "email": string, "phone": string,
                    "extension": string, "rank": rank,
                    "active": boolean, "password": ["type": "string", "minLength": 8],
                ], required: ["username"]),
            "UpdateUserRequest": object([
                "username": string, "name": string, "email": string, "phone": string, "extension": string, "rank": rank,
                "active": boolean,
            ]),
            "SetPasswordRequest": object(["password": ["type": "string", "minLength": 8]]),
            "UserWithPassword": object(["user": ref("User"), "generated_password": string], required: ["user"]),
            "CreateTokenRequest": object(
                [
                    "name": label(100), "scopes": ["type": "array", "items": oneOf(Scope.known), "minItems": 1],
                    "user_id": integer, "username": string, "expires_at": time,
                ],
                required: ["name", "scopes"]),
            "APIToken": apiToken,
            "CreatedToken": object(["token": string, "info": ref("APIToken")], required: ["token", "info"]),
            "ReferenceInput": object([
                "name": label(100), "colour": ["type": "string", "pattern": "^#?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$"], "sort_order": integer,
                "active": boolean, "applies_to": oneOf(["company", "contact", "both"]),
            ]),
            "ReferenceItem": object(
                [
                    "id": integer, "kind": oneOf(ReferenceKind.allCases.map(\.rawValue)), "name": string, "colour": string,
                    "sort_order": integer, "active": boolean, "locked": boolean, "applies_to": string, "created_at": time,
                    "updated_at": time,
                ], required: ["id", "kind", "name", "sort_order", "active", "locked"]),
            "MoveCustomersRequest": object(["to": ["type": "integer", "minimum": 1], "confirm": boolean], required: ["to"]),
            "UsageReply": object(
                ["count": integer, "by_service": ["type": "object", "additionalProperties": integer], "moved": boolean],
                required: ["count", "by_service", "moved"]),
            "GroupInput": object([
                "name": label(100), "description": string, "type": oneOf(["standard", "sales"]), "parent_id": integer,
                "move_to_root": boolean,
            ]),
            "EmployeeGroup": object(
                [
                    "id": integer, "parent_id": integer, "name": string, "description": string, "type": string,
                    "members": array(member), "children": array(ref("EmployeeGroup")), "created_at": time, "updated_at": time,
                ], required: ["id", "name", "type", "members"]),
            "MemberInput": object(["role": string]),
            "BudgetInput": object(
                [
                    "user_id": integer, "period": ["type": "string", "pattern": "^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"],
                    "amount": ["type": "number", "minimum": 0], "currency": ["type": "string", "pattern": "^[A-Za-z]{3}$"],
                ], required: ["user_id", "period", "amount", "currency"]),
            "SalesBudget": object([
                "id": integer, "user_id": integer, "period_type": oneOf(["month", "quarter", "year"]), "period": string,
                "amount": number, "currency": string, "updated_at": time,
            ]),
            "ProcessInput": object([
                "name": label(100), "statuses": array(status), "is_default": boolean, "subject_labels": array(string),
                "weight_labels": array(string),
            ]),
            "CRMProcess": object(
                [
                    "id": integer, "name": string, "is_default": boolean, "statuses": array(status), "subject_labels": array(string),
                    "weight_labels": array(string), "created_at": time, "updated_at": time,
                ], required: ["id", "name", "is_default", "statuses"]),
            "FieldInput": object([
                "applies_to": oneOf(["company", "contact"]), "label": label(100), "key": string, "type": oneOf(CustomField.types),
                "options": array(string), "required": boolean, "own_tab": boolean, "sort_order": integer, "active": boolean,
            ]),
            "CustomField": object([
                "id": integer, "applies_to": string, "key": string, "label": string, "type": string, "options": array(string),
                "required": boolean, "own_tab": boolean, "sort_order": integer, "active": boolean, "created_at": time,
                "updated_at": time,
            ]),
            "SearchConfiguration": object(
                ["fields": array(object(["field": string, "mode": oneOf(["dropdown", "text"])], required: ["field", "mode"]))],
                required: ["fields"]),
            "GDPRConfiguration": object(
                ["anonymize_fields": array(string), "review_after_days": ["type": "integer", "minimum": 1, "maximum": 36500]],
                required: ["anonymize_fields", "review_after_days"]),
            "VisibilityConfiguration": object(["shared_customer_cards": boolean], required: ["shared_customer_cards"]),
            "ImportRequest": object([
                "csv": string, "vcf": string, "mapping": ["type": "object", "additionalProperties": string], "dry_run": boolean,
            ]),
            "ImportReport": object([
                "dry_run": boolean, "rows": integer, "created": integer, "created_ids": array(integer), "duplicate_count": integer,
                "duplicates": array(object(["line": integer, "reason": string, "existing_id": integer])), "rejected_count": integer,
                "rejected": array(object(["line": integer, "reason": string])), "ignored_headers": array(string),
                "search_pending": integer,
            ]),
            "MergeInput": object(["other_id": integer], required: ["other_id"]),
            "PurgeInput": object(["retention_days": ["type": "integer", "minimum": 1], "dry_run": boolean]),
            "FolderInput": object(["name": name255, "parent_id": ["type": "integer", "minimum": 1]]),
            "FileInput": object(["name": string, "folder_id": integer]),
            "StoredFile": object([
                "id": integer, "contact_id": integer, "company_id": integer, "folder_id": integer, "name": string, "content_type": string,
                "size": integer, "sha256": string, "author": string, "created_at": time, "updated_at": time,
            ]),
            "NoteInput": object(["text": ["type": "string", "minLength": 1, "maxLength": 20_000, "pattern": "\\S"], "private": boolean]),
            "Note": object(
                [
                    "id": integer, "contact_id": integer, "company_id": integer, "author_id": integer, "author": string, "text": string,
                    "private": boolean, "created_at": time, "updated_at": time,
                ], required: ["id", "text", "private"]),
            "CategoriesInput": object(["category_ids": array(integer)], required: ["category_ids"]),
            "LinkInput": object(["title": string, "role_id": integer, "start_date": date, "end_date": date]),
            "ContactLink": object([
                "contact_id": integer, "company_id": integer, "title": string, "role_id": integer, "start_date": date,
                "end_date": date, "contact_name": string, "company_name": string,
            ]),
            "Address": address,
            "BankDetails": bank,
            "CompanyInput": object([
                "name": label(200), "organisation_number": string, "assign_customer_number": boolean,
                "kinds": array(oneOf(Company.kindValues)), "status_id": integer, "industry_id": integer, "source_id": integer,
                "category_ids": array(integer), "owner_id": integer, "postal_address": ref("Address"), "visiting_address": ref("Address"),
                "phones": array(phone), "emails": array(email), "website": string, "custom_fields": ["type": "object"],
                "bank_details": ref("BankDetails"), "customer_settings": customerSettings,
            ]),
            "Company": object(
                [
                    "id": integer, "name": string, "organisation_number": string, "customer_number": integer, "kinds": array(string),
                    "status_id": integer, "industry_id": integer, "source_id": integer, "category_ids": array(integer),
                    "owner_id": integer, "postal_address": ref("Address"), "visiting_address": ref("Address"), "phones": array(phone),
                    "emails": array(email), "website": string, "custom_fields": ["type": "object"], "bank_details": ref("BankDetails"),
                    "customer_settings": customerSettings, "created_at": time, "updated_at": time, "deleted_at": time,
                ], required: ["id", "name"]),
            "ContactInput": object([
                "first_name": ["type": "string", "maxLength": 200], "last_name": ["type": "string", "maxLength": 200], "title": string,
                "phones": array(phone), "emails": array(email),
                "source_id": integer, "role_id": integer, "category_ids": array(integer), "address": ref("Address"), "birthday": date,
                "owner_id": integer, "custom_fields": ["type": "object"], "bank_details": ref("BankDetails"), "consumer": boolean,
                "picture_file_id": integer,
            ]),
            "Contact": object([
                "id": integer, "first_name": string, "last_name": string, "title": string, "phones": array(phone),
                "emails": array(email), "source_id": integer, "role_id": integer, "category_ids": array(integer),
                "address": ref("Address"), "birthday": date, "owner_id": integer, "custom_fields": ["type": "object"],
                "bank_details": ref("BankDetails"), "consumer": boolean, "customer_number": integer, "picture_file_id": integer,
                "created_at": time, "updated_at": time, "deleted_at": time,
            ]),
            // A new contact or company: the change's fields, and what every record must have.
            "NewContact": [
                "allOf": [
                    ref("ContactInput"),
                    [
                        "anyOf": [
                            ["required": ["first_name"], "properties": ["first_name": label(200)]],
                            ["required": ["last_name"], "properties": ["last_name": label(200)]],
                        ]
                    ],
                ]
            ],
            "NewCompany": ["allOf": [ref("CompanyInput"), ["required": ["name"], "properties": ["name": label(200)]]]],
            "CallEvents": ["oneOf": [callEvent, array(callEvent)]],
            "ResolveNumber": object(["number": string, "contact_id": integer, "kind": string], required: ["number", "contact_id"]),
        ]
    }
}
