/// `contacts.import` (CSV) and `contacts.import_vcard`: rows become contacts (or companies).
/// Duplicates (same e-mail or phone number for contacts, same organisation number or e-mail for
/// companies, in the database or earlier in the file) are skipped, so an import run twice
/// creates nothing the second time. With `dry_run` nothing is written and the report says what
/// would happen.
public struct ImportRequest: Codable, Sendable {
    /// `contacts` (default) or `companies`.
    public var kind: String?
    public var csv: String?
    public var vcf: String?
    /// CSV header -> field (`"Fornavn": "first_name"`). Without it, headers that name a field
    /// (`First name`, `first_name`, `E-mail`) map themselves.
    public var mapping: [String: String]?
    /// How the file writes dates: `YYYY-MM-DD`, `M/D/YYYY`, `D/M/YYYY`, `D.M.YYYY` or `DD.MM.YY`.
    /// Without it each date column's form is found from its values (the report says which).
    public var dateFormat: String?
    public var dryRun: Bool?
    public init(kind: String? = nil, csv: String? = nil, vcf: String? = nil, mapping: [String: String]? = nil, dryRun: Bool? = nil) {
        self.kind = kind
        self.csv = csv
        self.vcf = vcf
        self.mapping = mapping
        self.dryRun = dryRun
    }
}

/// A column of an imported CSV file and the field it went to.
public struct ImportColumn: Codable, Sendable, Equatable {
    public var header: String
    public var field: String?
    /// A date column's form, as found or given (`M/D/YYYY`).
    public var dateFormat: String?
    public init(header: String, field: String?) {
        self.header = header
        self.field = field
    }
}

/// The fields a CSV import can fill, by kind (the targets of a mapping).
public enum ImportFields {
    public static let contacts = [
        "first_name", "last_name", "name", "title", "email", "home_email", "other_email", "phone", "mobile", "home_phone", "fax",
        "other_phone", "street", "postal_code", "city", "country", "birthday", "company", "organisation_number", "source", "role",
        "categories", "consumer", "notes", "website",
    ]
    public static let companies = [
        "name", "organisation_number", "email", "phone", "website", "street", "postal_code", "city", "country", "industry",
        "status", "source", "categories", "kinds", "customer_number", "notes",
    ]
}

/// What an import did (or, in a dry run, would do).
public struct ImportReport: Codable, Sendable {
    public struct RowProblem: Codable, Sendable, Equatable {
        /// The line the row starts on, counting the header as line 1.
        public var line: Int
        public var reason: String
        /// For a duplicate: the record it duplicates (nil when it duplicates an earlier row).
        public var existingId: Int64?
        public init(line: Int, reason: String, existingId: Int64? = nil) {
            self.line = line
            self.reason = reason
            self.existingId = existingId
        }
    }
    public var dryRun: Bool
    public var rows: Int
    public var created: Int
    /// At most the first 1,000 of each list; the counts are complete.
    public var createdIds: [Int64]
    public var duplicates: [RowProblem]
    public var duplicateCount: Int
    public var rejected: [RowProblem]
    public var rejectedCount: Int
    /// Fields the mapping sent nowhere (ignored headers).
    public var ignoredHeaders: [String]
    /// Where each column of a CSV file went, in the file's order (`field` nil: not imported).
    public var columns: [ImportColumn]?
    /// Values that could not be read (a date in another form, an address that is not one): the
    /// row was imported without them. At most 1,000; the count is complete.
    public var warnings: [RowProblem]?
    public var warningCount: Int?
    /// The encoding a file sent as it is was read in (`UTF-8`, `UTF-16LE`, `Windows-1252`, ...),
    /// set by the gateway; nil for text sent in JSON.
    public var encoding: String?
    /// Records of a big import whose search entries are built right after it commits: they are
    /// in lists, filters and counts at once, and found by free-text search a moment later.
    public var searchPending: Int

    public init(dryRun: Bool) {
        self.dryRun = dryRun
        rows = 0
        created = 0
        createdIds = []
        duplicates = []
        duplicateCount = 0
        rejected = []
        rejectedCount = 0
        ignoredHeaders = []
        searchPending = 0
    }
}

/// The answer of `contacts.export_csv` and `contacts.export_vcard`: the file's text.
public struct ExportFile: Codable, Sendable {
    public var contentType: String
    public var filename: String
    public var text: String
    public var rows: Int
    public init(contentType: String, filename: String, text: String, rows: Int) {
        self.contentType = contentType
        self.filename = filename
        self.text = text
        self.rows = rows
    }
}
