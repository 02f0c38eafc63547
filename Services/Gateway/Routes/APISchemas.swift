import Contracts
import Foundation

/// JSON Schemas of the API's bodies, for the OpenAPI document. They describe the wire form of
/// the types in `Shared/Contracts` (snake_case keys, ISO 8601 times); the services validate.
enum APISchemas {
    // The helpers below are shared with the schemas in APISchemas+Tasks.swift.

    /// An object; a property that is not required may also be null (the services read null as absent).
    static func object(_ properties: [String: [String: Any]], required: [String] = []) -> [String: Any] {
        let optional = properties.mapValues { ["anyOf": [$0, ["type": "null"]]] as [String: Any] }
        let merged = optional.merging(properties.filter { required.contains($0.key) }) { _, kept in kept }
        var schema: [String: Any] = ["type": "object", "properties": merged]
        if !required.isEmpty { schema["required"] = required }
        return schema
    }
    static var string: [String: Any] { ["type": "string"] }
    /// A whole number as the services read them (64 bits).
    static var integer: [String: Any] { ["type": "integer", "minimum": Int64.min, "maximum": Int64.max] }
    static var number: [String: Any] { ["type": "number"] }
    static var boolean: [String: Any] { ["type": "boolean"] }
    /// The characters that count as blank, spelled out: Python's `str.isspace` (which the test
    /// clients' pattern engine uses for `\\s`), a superset of Swift's `isWhitespace` (what the
    /// services trim). ICU's `\\s` is narrower than both, so the document never says `\\s`.
    static let blank = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
    /// Text with something in it besides blanks.
    static let notBlank = "[^\(blank)]"
    /// A name people read (a category, a group, a token): not blank, at most `max` characters.
    static func label(_ max: Int) -> [String: Any] { ["type": "string", "minLength": 1, "maxLength": max, "pattern": notBlank] }
    /// A file or folder name: 1-255 characters, no `/` and no control characters, and something
    /// besides blanks and dots (so never `.` or `..`).
    static var name255: [String: Any] {
        let allowed = "[^/\\x00-\\x1f\\x7f-\\x9f]"
        return [
            "type": "string", "minLength": 1, "maxLength": 255,
            "pattern": "^\(allowed)*[^/.\\x00-\\x1f\\x7f-\\x9f\(blank)]\(allowed)*$",
        ]
    }
    /// An id of a stored item (a whole number from 1).
    static var id: [String: Any] { ["type": "integer", "minimum": 1, "maximum": Int64.max] }
    /// A `#RGB` or `#RRGGBB` colour; empty clears it.
    private static var colour: [String: Any] { ["type": "string", "pattern": "^(#?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}))?$"] }
    /// A schema that also requires `fields`, not null (a new item: the change's fields, and what it must have).
    private static func requiring(_ base: String, _ fields: [String: [String: Any]]) -> [String: Any] {
        ["allOf": [ref(base), ["required": fields.keys.sorted(), "properties": fields]]]
    }
    static var time: [String: Any] { ["type": "string", "format": "date-time"] }
    static var date: [String: Any] { ["type": "string", "format": "date"] }
    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func oneOf(_ values: [String]) -> [String: Any] { ["type": "string", "enum": values] }

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
                "permissions": array(string),
            ], required: ["id", "username", "name", "rank", "active"])
        let status = object(
            [
                "id": integer, "name": string, "probability": ["type": "integer", "minimum": 0, "maximum": 100],
                "final": oneOf(["won", "lost"]),
            ],
            required: ["name", "probability"])
        let statusInput = object(
            [
                "id": id, "name": label(100), "probability": ["type": "integer", "minimum": 0, "maximum": 100],
                "final": oneOf(["won", "lost"]),
            ],
            required: ["name", "probability"])
        // A process's statuses, in order: at least one open and one won (names differ: 409 if not).
        let statuses: [String: Any] = [
            "type": "array", "items": statusInput, "minItems": 2, "maxItems": 50,
            "allOf": [
                ["contains": ["required": ["final"], "properties": ["final": oneOf(["won"])]]],
                ["contains": ["properties": ["final": ["type": "null"]]]],
            ],
        ]
        let username: [String: Any] = ["type": "string", "pattern": "^[A-Za-z0-9._@-]{2,64}$"]
        // Empty clears the e-mail, phone or extension of a user.
        let userEmail: [String: Any] = ["type": "string", "pattern": "^([^@\(blank)]+@[^@\(blank)]+)?$"]
        let userPhone: [String: Any] = ["type": "string", "maxLength": 64, "pattern": "^[0-9 +().-]*$"]
        let userExtension: [String: Any] = ["type": "string", "pattern": "^[0-9*#]{0,16}$"]
        let password: [String: Any] = ["type": "string", "minLength": 8, "maxLength": 1000]
        let member = object(["user_id": integer, "username": string, "name": string, "role": string])
        let apiToken = object(
            [
                "id": integer, "user_id": integer, "name": string, "kind": oneOf(["session", "api"]), "scopes": array(string),
                "prefix": string, "created_at": time, "expires_at": time, "last_used_at": time, "revoked_at": time,
            ])
        let phoneNumber = label(64)
        let phone = object(["number": phoneNumber, "kind": oneOf(["mobile", "work", "home", "fax", "other"])], required: ["number"])
        // What the services take as an e-mail address: one @, a dot after it, no spaces.
        let emailAddress: [String: Any] = [
            "type": "string", "maxLength": 254, "pattern": "^[^@\(blank)]+@[^@\(blank)]*\\.[^@\(blank)]*$",
        ]
        let email = object(["address": emailAddress, "kind": oneOf(["work", "home", "other"])], required: ["address"])
        let categoryIds: [String: Any] = ["type": "array", "items": id, "maxItems": 200, "uniqueItems": true]
        // At most 20 of each on a card.
        let phones: [String: Any] = ["type": "array", "items": phone, "maxItems": 20]
        let emails: [String: Any] = ["type": "array", "items": email, "maxItems": 20]
        let text200: [String: Any] = ["type": "string", "maxLength": 200]
        let address = object([
            "street": text200, "postal_code": text200, "city": text200, "country": ["type": "string", "pattern": "^([A-Za-z]{2})?$"],
        ])
        let bank = object([
            "account_number": string, "iban": ["type": "string", "pattern": "^([A-Za-z0-9]{15,34})?$"],
            "bic": ["type": "string", "pattern": "^([A-Za-z0-9]{8}|[A-Za-z0-9]{11})?$"], "bank_name": string,
        ])
        // A web address: a host with a dot, http(s) or none (https is assumed), then a path.
        let website: [String: Any] = [
            "type": "string", "maxLength": 500, "pattern": "^((https?://)?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+([/?#][!-~]*)?)?$",
        ]
        let customerSettings = object([
            "currency": ["type": "string", "pattern": "^([A-Za-z]{3})?$"],
            "payment_terms_days": ["type": "integer", "minimum": 0, "maximum": 365],
            "language": ["type": "string", "pattern": "^([A-Za-z]{2})?$"],
        ])
        let options: [String: Any] = ["type": "array", "items": label(100), "maxItems": 200]
        // Where an item sits in its list (SettingsStore.sortOrders).
        let sortOrder: [String: Any] = ["type": "integer", "minimum": -1_000_000_000, "maximum": 1_000_000_000]
        let fileText: [String: Any] = ["type": "string", "minLength": 1]
        // A folder of a file area, or 0 for its top.
        let folder: [String: Any] = ["type": "integer", "minimum": 0, "maximum": Int64.max]
        let noteText: [String: Any] = ["type": "string", "minLength": 1, "maxLength": 20_000, "pattern": notBlank]
        // A call's times: years 1970 to 2199, as the call log takes them.
        let callTime: [String: Any] = ["type": "string", "format": "date-time", "pattern": "^(19[7-9][0-9]|2[01][0-9][0-9])-"]
        let seconds: [String: Any] = ["type": "integer", "minimum": 0, "maximum": 10 * 366 * 86400]
        let text500: [String: Any] = ["type": "string", "maxLength": 500]
        let e164: [String: Any] = ["type": "string", "pattern": "^\\+[1-9][0-9]{6,14}$"]
        let callEvent = object(
            [
                "event_id": label(200), "call_id": label(200), "type": oneOf(["ringing", "answered", "hangup", "completed"]),
                "direction": oneOf(["inbound", "outbound", "internal"]), "from": text500, "to": text500, "extension": text500,
                "user": text500, "at": callTime, "duration": seconds, "billsec": seconds, "disposition": text500,
                "recording_url": text500, "leg": text500, "answered_by": text500, "caller_name": text500, "started_at": callTime,
                "answered_at": callTime, "ended_at": callTime, "sequence": ["type": "integer", "minimum": 0, "maximum": Int32.max],
            ], required: ["event_id", "call_id", "type"])
        let mailAddress: [String: Any] = [
            "type": "string", "maxLength": 254, "pattern": "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",
        ]
        let schemas: [String: Any] = [
            "NewEmail": object(
                [
                    "to": ["type": "array", "items": mailAddress, "minItems": 1, "maxItems": 50],
                    "subject": ["type": "string", "minLength": 1, "maxLength": 250, "pattern": notBlank],
                    "text": ["type": "string", "maxLength": 200_000], "html": ["type": "string", "maxLength": 200_000],
                    "contact_id": id, "company_id": id, "purpose": oneOf(["service", "marketing"]),
                ], required: ["to", "subject", "text"]),
            "SMSText": object(["text": ["type": "string", "maxLength": 1600]], required: ["text"]),
            "Message": object([
                "id": integer, "channel": string, "purpose": string, "state": oneOf(Message.states), "to": array(string), "from": string,
                "subject": string, "text": string, "html": string, "contact_id": integer, "company_id": integer, "message_id": string,
                "attempts": integer, "error": string, "server_reply": string, "author": string, "next_attempt_at": time, "sent_at": time,
                "batch_id": integer, "provider_id": string, "segments": integer, "error_code": string, "delivered_at": time,
                "created_at": time, "updated_at": time,
            ]),
            // A number (E.164) or a contact whose mobile number is used: one of them, not null.
            "NewSMS": object(
                [
                    "to": e164, "contact_id": id, "company_id": id,
                    "text": ["type": "string", "minLength": 1, "maxLength": 1600, "pattern": notBlank],
                    "purpose": oneOf(["service", "marketing"]),
                ], required: ["text"]
            ).merging(
                [
                    "anyOf": [
                        ["required": ["to"], "properties": ["to": e164]], ["required": ["contact_id"], "properties": ["contact_id": id]],
                    ]
                ]
            ) { _, new in new },
            "NewBatch": object(
                [
                    "name": label(200), "text": ["type": "string", "minLength": 1, "maxLength": 1600, "pattern": notBlank],
                    "contact_ids": ["type": "array", "items": id, "minItems": 1, "maxItems": 200_000],
                    "purpose": oneOf(["marketing", "service"]),
                ], required: ["name", "text", "contact_ids"]),
            "Batch": object([
                "id": integer, "name": string, "text": string, "purpose": string, "state": oneOf(Batch.states), "recipients": integer,
                "segments": integer, "encoding": string, "cost_minor": integer, "currency": string, "eta_seconds": integer,
                "excluded": ["type": "object", "additionalProperties": integer], "deferred": integer,
                "counts": ["type": "object", "additionalProperties": integer], "rate": ["type": "number"],
                "top_errors": array(object(["error": string, "count": integer])), "paused_reason": string, "author": string,
                "created_at": time, "started_at": time, "finished_at": time, "updated_at": time,
            ]),
            "NewConsent": object(
                [
                    "channel": oneOf(["sms", "email"]), "purpose": oneOf(["marketing", "service"]), "granted": boolean,
                    "source": label(60), "evidence": ["type": "string", "maxLength": 2000],
                ], required: ["channel", "purpose", "granted", "source"]),
            // Twilio's SMS status callback and inbound message, form-encoded (the fields we read; Twilio sends more).
            "TwilioSMSStatus": [
                "type": "object", "required": ["MessageStatus"],
                "properties": [
                    "MessageSid": label(64), "SmsSid": label(64), "MessageStatus": string, "SmsStatus": string, "ErrorCode": string,
                    "To": text500, "From": text500, "AccountSid": string,
                ],
            ],
            "TwilioSMSInbound": [
                "type": "object", "required": ["From", "Body"],
                "properties": ["MessageSid": label(64), "From": text500, "To": text500, "Body": ["type": "string", "maxLength": 1600]],
            ],
            "LoginRequest": object(["username": string, "password": string], required: ["username", "password"]),
            "LoginReply": object(["token": string, "expires_at": time, "user": ref("User")], required: ["token", "expires_at", "user"]),
            "ChangePasswordRequest": object(
                ["current_password": string, "new_password": password],
                required: ["current_password", "new_password"]),
            "User": user,
            "CreateUserRequest": object(
                [
                    "username": username, "name": string, "email": userEmail, "phone": userPhone, "extension": userExtension,
                    "rank": rank, "active": boolean, "password": password,
                    "permissions": ["type": "array", "maxItems": 10, "items": oneOf(User.knownPermissions)],
                ], required: ["username"]),
            "UpdateUserRequest": object([
                "username": username, "name": label(200), "email": userEmail, "phone": userPhone, "extension": userExtension,
                "rank": rank, "active": boolean,
                "permissions": ["type": "array", "maxItems": 10, "items": oneOf(User.knownPermissions)],
            ]),
            "SetPasswordRequest": object(["password": password]),
            "UserWithPassword": object(["user": ref("User"), "generated_password": string], required: ["user"]),
            "CreateTokenRequest": object(
                [
                    "name": label(100), "scopes": ["type": "array", "items": oneOf(Scope.known), "minItems": 1],
                    "user_id": id, "username": username, "expires_at": time,
                ],
                required: ["name", "scopes"]),
            "APIToken": apiToken,
            "CreatedToken": object(["token": string, "info": ref("APIToken")], required: ["token", "info"]),
            "ReferenceInput": object(["name": label(100), "colour": colour, "sort_order": sortOrder, "active": boolean]),
            "NewReference": requiring("ReferenceInput", ["name": label(100)]),
            "CategoryInput": object([
                "name": label(100), "colour": colour, "sort_order": sortOrder, "active": boolean,
                "applies_to": oneOf(["company", "contact", "both"]),
            ]),
            "NewCategory": requiring("CategoryInput", ["name": label(100)]),
            "ReferenceItem": object(
                [
                    "id": integer, "kind": oneOf(ReferenceKind.allCases.map(\.rawValue)), "name": string, "colour": string,
                    "sort_order": integer, "active": boolean, "locked": boolean, "applies_to": string, "created_at": time,
                    "updated_at": time,
                ], required: ["id", "kind", "name", "sort_order", "active", "locked"]),
            "MoveCustomersRequest": object(["to": id, "confirm": boolean], required: ["to"]),
            "UsageReply": object(
                ["count": integer, "by_service": ["type": "object", "additionalProperties": integer], "moved": boolean],
                required: ["count", "by_service", "moved"]),
            "GroupInput": object([
                "name": label(100), "description": string, "type": oneOf(["standard", "sales"]), "parent_id": id,
                "move_to_root": boolean,
            ]),
            "NewGroup": requiring("GroupInput", ["name": label(100)]),
            "EmployeeGroup": object(
                [
                    "id": integer, "parent_id": integer, "name": string, "description": string, "type": string,
                    "members": array(member), "children": array(ref("EmployeeGroup")), "created_at": time, "updated_at": time,
                ], required: ["id", "name", "type", "members"]),
            "MemberInput": object(["role": string]),
            "BudgetInput": object(
                [
                    "user_id": id, "period": ["type": "string", "pattern": "^(19[0-9][0-9]|[2-9][0-9]{3})(-(0[1-9]|1[0-2]|Q[1-4]))?$"],
                    "amount": ["type": "number", "minimum": 0], "currency": ["type": "string", "pattern": "^[A-Za-z]{3}$"],
                ], required: ["user_id", "period", "amount", "currency"]),
            "SalesBudget": object([
                "id": integer, "user_id": integer, "period_type": oneOf(["month", "quarter", "year"]), "period": string,
                "amount": number, "currency": string, "updated_at": time,
            ]),
            "ProcessInput": object([
                "name": label(100), "statuses": statuses, "is_default": boolean, "subject_labels": array(label(100)),
                "weight_labels": array(label(100)),
                // A change that removes statuses: which remaining status takes each removed one's deals.
                "status_replacements": [
                    "type": "array", "maxItems": 100, "items": object(["from": id, "to": id], required: ["from", "to"]),
                ],
            ]),
            "NewProcess": requiring("ProcessInput", ["name": label(100), "statuses": statuses]),
            "CRMProcess": object(
                [
                    "id": integer, "name": string, "is_default": boolean, "statuses": array(status), "subject_labels": array(string),
                    "weight_labels": array(string), "created_at": time, "updated_at": time,
                ], required: ["id", "name", "is_default", "statuses"]),
            "FieldInput": object([
                "label": label(100), "options": options, "required": boolean, "own_tab": boolean, "sort_order": sortOrder,
                "active": boolean,
            ]),
            // A new field: choice fields need their options, other fields take none.
            "NewField": [
                "allOf": [
                    object(
                        [
                            "applies_to": oneOf(["company", "contact"]), "label": label(100),
                            "key": ["type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$"], "type": oneOf(CustomField.types),
                            "options": options, "required": boolean, "own_tab": boolean, "sort_order": sortOrder, "active": boolean,
                        ], required: ["applies_to", "label", "type"]),
                    [
                        "if": ["properties": ["type": oneOf(["choice", "multiple_choice"])]],
                        "then": ["required": ["options"], "properties": ["options": ["type": "array", "minItems": 1]]],
                        "else": ["properties": ["options": ["anyOf": [["type": "array", "maxItems": 0], ["type": "null"]]]]],
                    ],
                ]
            ],
            "CustomField": object([
                "id": integer, "applies_to": string, "key": string, "label": string, "type": string, "options": array(string),
                "required": boolean, "own_tab": boolean, "sort_order": integer, "active": boolean, "created_at": time,
                "updated_at": time,
            ]),
            "SearchConfiguration": object(
                [
                    "fields": array(
                        object(
                            ["field": ["type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"], "mode": oneOf(["dropdown", "text"])],
                            required: ["field", "mode"]))
                ],
                required: ["fields"]),
            "GDPRConfiguration": object(
                [
                    "anonymize_fields": array(oneOf(SettingsContract.personalFields)),
                    "review_after_days": ["type": "integer", "minimum": 1, "maximum": 36500],
                ],
                required: ["anonymize_fields", "review_after_days"]),
            "VisibilityConfiguration": object(["shared_customer_cards": boolean], required: ["shared_customer_cards"]),
            "ImportRequest": [
                "oneOf": [
                    object(
                        [
                            "csv": fileText, "mapping": ["type": "object", "additionalProperties": string], "dry_run": boolean,
                            "date_format": oneOf(ExchangeRoutes.dateForms),
                        ],
                        required: ["csv"]),
                    object(["vcf": fileText, "dry_run": boolean], required: ["vcf"]),
                ]
            ],
            "ImportForm": object(
                [
                    "file": ["type": "string", "format": "binary", "minLength": 1], "dry_run": boolean,
                    "date_format": oneOf(ExchangeRoutes.dateForms), "mapping": ["type": "object", "additionalProperties": string],
                ],
                required: ["file"]),
            "CompanyImportRequest": object(
                ["csv": fileText, "mapping": ["type": "object", "additionalProperties": string], "dry_run": boolean], required: ["csv"]),
            "ImportReport": object([
                "dry_run": boolean, "rows": integer, "created": integer, "created_ids": array(integer), "duplicate_count": integer,
                "duplicates": array(object(["line": integer, "reason": string, "existing_id": integer])), "rejected_count": integer,
                "rejected": array(object(["line": integer, "reason": string])), "ignored_headers": array(string),
                "columns": array(object(["header": string, "field": string, "date_format": string])), "search_pending": integer,
                "warnings": array(object(["line": integer, "reason": string])), "warning_count": integer, "encoding": string,
            ]),
            "MergeInput": object(["other_id": id], required: ["other_id"]),
            "PurgeInput": object(["retention_days": ["type": "integer", "minimum": 1], "dry_run": boolean]),
            "FolderInput": object(["name": name255, "parent_id": folder]),
            "NewFolder": requiring("FolderInput", ["name": name255]),
            "FileInput": object(["name": name255, "folder_id": folder]),
            "StoredFile": object([
                "id": integer, "contact_id": integer, "company_id": integer, "folder_id": integer, "name": string, "content_type": string,
                "size": integer, "sha256": string, "author": string, "created_at": time, "updated_at": time,
            ]),
            "NoteInput": object(["text": noteText, "private": boolean]),
            "NewNote": requiring("NoteInput", ["text": noteText]),
            "Note": object(
                [
                    "id": integer, "contact_id": integer, "company_id": integer, "author_id": integer, "author": string, "text": string,
                    "private": boolean, "created_at": time, "updated_at": time,
                ], required: ["id", "text", "private"]),
            "CategoriesInput": object(["category_ids": categoryIds], required: ["category_ids"]),
            "LinkInput": object(["title": string, "role_id": id, "start_date": date, "end_date": date]),
            "ContactLink": object([
                "contact_id": integer, "company_id": integer, "title": string, "role_id": integer, "start_date": date,
                "end_date": date, "contact_name": string, "company_name": string,
            ]),
            "Address": address,
            "BankDetails": bank,
            "CompanyInput": object([
                "name": label(200), "organisation_number": ["type": "string", "pattern": "^[A-Za-z0-9 .-]{0,32}$"],
                "assign_customer_number": boolean,
                "kinds": array(oneOf(Company.kindValues)), "status_id": id, "industry_id": id, "source_id": id,
                "category_ids": categoryIds, "owner_id": id, "postal_address": ref("Address"), "visiting_address": ref("Address"),
                "phones": phones, "emails": emails, "website": website, "custom_fields": ["type": "object"],
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
                "phones": phones, "emails": emails,
                "source_id": id, "role_id": id, "category_ids": categoryIds, "address": ref("Address"), "birthday": date,
                "owner_id": id, "custom_fields": ["type": "object"], "bank_details": ref("BankDetails"), "consumer": boolean,
                "picture_file_id": id,
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
            "CallEvents": [
                "oneOf": [callEvent, ["type": "array", "items": callEvent, "minItems": 1, "maxItems": TelephonyContract.maxBatch]]
            ],
            // Twilio's voice status callback, form-encoded (the fields the call log reads; Twilio sends more).
            "TwilioCallback": [
                "type": "object", "required": ["CallSid", "CallStatus"],
                "properties": [
                    "CallSid": label(100), "ParentCallSid": label(200),
                    "CallStatus": oneOf([
                        "queued", "initiated", "ringing", "in-progress", "answered", "completed", "busy", "failed", "no-answer", "canceled",
                    ]),
                    "From": text500, "To": text500, "RecordingUrl": text500, "Direction": string, "Timestamp": string,
                    "SequenceNumber": string, "CallDuration": string, "AnsweredBy": string, "CallerName": text500, "AccountSid": string,
                ],
            ],
            // A Vonage voice event (the fields the call log reads; others are ignored).
            "VonageEvent": object([
                "uuid": ["type": "string", "maxLength": 100], "conversation_uuid": ["type": "string", "maxLength": 200],
                "status": ["type": "string", "maxLength": 50], "direction": string, "from": text500, "to": text500,
                "timestamp": string, "start_time": string, "end_time": string, "duration": string, "recording_url": text500,
            ]),
            "ResolveNumber": object(
                [
                    "number": phoneNumber, "contact_id": id, "kind": oneOf(["mobile", "work", "home", "fax", "other"]),
                    "if_updated_at": time,
                ],
                required: ["number", "contact_id"]),
        ]
        // Request bodies are closed: a field the document does not name is refused (422), as a
        // typo should be, and no unnamed field can reach a service's decoder (where `dryRun`
        // would pass for `dry_run`). Replies and providers' webhooks stay open.
        let all = schemas.merging(sales) { first, _ in first }.merging(tasks) { first, _ in first }
        return all.mapValues { $0 }.reduce(into: [String: Any]()) { result, entry in
            let schema = entry.value as! [String: Any]
            result[entry.key] = replies.contains(entry.key) ? schema : closed(schema)
        }
    }

    /// Sales (issue 17): projects, deals, the board; apart from `all` so neither function grows
    /// past what the optimizer handles quickly.
    private static var sales: [String: Any] {
        // Sales: amounts in minor units, ISO 4217 codes, deal filters, columns.
        let money: [String: Any] = ["type": "integer", "minimum": 0, "maximum": 1_000_000_000_000]
        let currency: [String: Any] = ["type": "string", "pattern": "^[A-Za-z]{3}$"]
        let clearableId: [String: Any] = ["type": "integer", "minimum": 0, "maximum": Int64.max]
        let followUp: [String: Any] = [
            "type": "string", "maxLength": 40, "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})?)?$",
        ]
        let dealPeople =
            [
                "type": "array", "maxItems": 50,
                "items": object(["id": id, "role": ["type": "string", "maxLength": 100]], required: ["id"]),
            ] as [String: Any]
        let ids = ["type": "array", "maxItems": 500, "items": id] as [String: Any]
        let boardFilter = object([
            "project_id": id, "owner_ids": ids, "deal_owner_ids": ids, "from": date, "to": date, "category_id": id, "stage_id": id,
            "source_id": id, "text": ["type": "string", "maxLength": 200],
        ])
        let moneyList = array(object(["currency": string, "amount": integer]))
        let deal = object([
            "id": integer, "customer_kind": string, "customer_id": integer, "customer_name": string, "customer_owner_id": integer,
            "project_id": integer, "process_id": integer, "owner_id": integer, "subject": string, "status_id": integer,
            "status_name": string, "outcome": oneOf(["open", "won", "lost", "postponed"]), "stage_id": integer, "category_id": integer,
            "source_id": integer, "value": integer, "currency": string, "probability": integer, "probability_source": string,
            "weight_label": string, "weighted_value": integer, "expected_close": string, "closed_on": string, "actual_value": integer,
            "reason_id": integer, "reason_note": string, "next_follow_up": string,
            "contacts": array(object(["id": integer, "role": string])),
            "colleagues": array(object(["id": integer, "role": string])), "position": number, "version": integer, "created_at": time,
            "updated_at": time, "deleted_at": time,
        ])
        let boardColumn = object([
            "key": string, "name": string, "status_id": integer, "probability": integer, "count": integer, "projected": moneyList,
            "weighted": moneyList, "cards": array(object([:])), "customers": array(object([:])), "next_cursor": string,
        ])
        let boardTotals = object(["projected": moneyList, "weighted": moneyList, "actual": moneyList])
        return [
            // Sales (issue 17): projects, deals, the board.
            "NewProject": object(
                [
                    "name": label(100), "process_id": ["type": "integer", "minimum": 0, "maximum": Int64.max], "active": boolean,
                    "sms_enabled": boolean, "members": ["type": "array", "items": id, "maxItems": 1000], "is_default": boolean,
                ], required: ["name"]),
            "ProjectChange": object([
                "name": label(100), "process_id": ["type": "integer", "minimum": 0, "maximum": Int64.max], "active": boolean,
                "sms_enabled": boolean, "members": ["type": "array", "items": id, "maxItems": 1000], "is_default": boolean,
            ]),
            "SalesProject": object([
                "id": integer, "name": string, "process_id": integer, "active": boolean, "sms_enabled": boolean,
                "members": array(integer), "is_default": boolean, "created_at": time, "updated_at": time,
            ]),
            "NewDeal": object(
                [
                    "customer_kind": oneOf(["company", "contact"]), "customer_id": id, "project_id": id, "owner_id": id,
                    "subject": label(200), "status_id": id, "stage_id": id, "category_id": id, "source_id": id, "value": money,
                    "currency": currency, "probability": ["type": "integer", "minimum": 0, "maximum": 100],
                    "weight_label": label(100), "expected_close": date, "next_follow_up": followUp,
                    "contacts": dealPeople, "colleagues": dealPeople,
                ], required: ["customer_kind", "customer_id", "subject"]),
            "DealChange": object(
                [
                    "version": id, "project_id": id, "owner_id": clearableId, "subject": label(200), "status_id": id,
                    "stage_id": clearableId, "category_id": clearableId, "source_id": clearableId, "value": money, "currency": currency,
                    "probability": ["type": "integer", "minimum": -1, "maximum": 100], "weight_label": label(100),
                    "expected_close": ["anyOf": [date, ["type": "string", "maxLength": 0]]], "actual_value": money,
                    "reason_id": clearableId, "reason_note": ["type": "string", "maxLength": 2000],
                    "next_follow_up": ["anyOf": [followUp, ["type": "string", "maxLength": 0]]], "contacts": dealPeople,
                    "colleagues": dealPeople,
                ], required: ["version"]),
            "DealMove": object(
                [
                    "version": id, "status_id": id, "before_id": id, "after_id": id,
                    "board": object(["filter": boardFilter]),
                ], required: ["version", "status_id"]),
            "DealClose": object(
                [
                    "version": id, "status_id": id, "reason_id": id, "reason_note": ["type": "string", "maxLength": 2000],
                    "actual_value": money, "closed_on": date,
                ], required: ["version"]),
            "BoardSMS": object(
                [
                    "filter": boardFilter, "extra": ["type": "array", "maxItems": 3, "items": oneOf(["won", "lost", "postponed"])],
                    "name": label(200), "text": ["type": "string", "minLength": 1, "maxLength": 1600, "pattern": notBlank],
                    "purpose": oneOf(["marketing", "service"]), "dry_run": boolean,
                ], required: ["name", "text"]),
            "Deal": deal,
            "MovedDeal": object(["deal": deal, "columns": array(boardColumn), "totals": boardTotals]),
            "Board": object([
                "project": ref("SalesProject"), "process_id": integer, "process_name": string, "columns": array(boardColumn),
                "totals": boardTotals,
                "budgets": array(
                    object([
                        "user_id": integer, "period": string, "currency": string, "budget": integer, "actual": integer,
                    ])),
            ]),
        ]
    }

    /// The schemas that describe replies (and the providers' webhooks, which carry more than we read).
    static let replies: Set<String> = [
        "User", "LoginReply", "UserWithPassword", "APIToken", "CreatedToken", "ReferenceItem", "UsageReply", "EmployeeGroup",
        "SalesBudget", "CRMProcess", "CustomField", "ImportReport", "StoredFile", "Note", "ContactLink", "Company", "Contact",
        "TwilioCallback", "VonageEvent", "Address", "BankDetails", "Message", "Batch", "TwilioSMSStatus", "TwilioSMSInbound",
        "SalesProject", "Deal", "MovedDeal", "Board", "Task", "TaskBoard", "Appointment", "CalendarFeed", "RSVPView",
    ]

    /// `schema` with `additionalProperties: false` on every object in it that lists its properties
    /// and says nothing of others (references are closed where they are defined).
    static func closed(_ schema: [String: Any]) -> [String: Any] {
        var copy = schema.mapValues { value -> Any in
            if let nested = value as? [String: Any] { return closed(nested) }
            if let list = value as? [[String: Any]] { return list.map(closed) }
            return value
        }
        if let properties = schema["properties"] as? [String: Any], copy["additionalProperties"] == nil,
            schema["type"] as? String == "object"
        {
            copy["properties"] = properties.mapValues { ($0 as? [String: Any]).map(closed) ?? $0 }
            copy["additionalProperties"] = false
        }
        return copy
    }
}
