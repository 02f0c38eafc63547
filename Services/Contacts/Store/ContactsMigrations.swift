import GRDB

/// The contacts schema. A shipped migration is never edited; add a new one.
enum ContactsMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("contacts-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE contact (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        first_name TEXT NOT NULL,
                        last_name TEXT NOT NULL,
                        title TEXT,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        deleted_at TEXT
                    );
                    CREATE TABLE contact_phone (
                        id INTEGER PRIMARY KEY,
                        contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        number TEXT NOT NULL,
                        e164 TEXT,
                        kind TEXT NOT NULL
                    );
                    CREATE INDEX contact_phone_contact ON contact_phone(contact_id);
                    CREATE INDEX contact_phone_e164 ON contact_phone(e164);
                    CREATE TABLE contact_email (
                        id INTEGER PRIMARY KEY,
                        contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        address TEXT NOT NULL,
                        kind TEXT NOT NULL
                    );
                    CREATE INDEX contact_email_contact ON contact_email(contact_id);
                    CREATE INDEX contact_email_address ON contact_email(address COLLATE NOCASE);
                    CREATE TABLE contact_history (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL,
                        at TEXT NOT NULL,
                        actor TEXT,
                        summary TEXT NOT NULL,
                        changes BLOB,
                        call_id INTEGER,
                        ref TEXT UNIQUE
                    );
                    CREATE INDEX contact_history_contact ON contact_history(contact_id, id);
                    """)
        }

        migrator.registerMigration("contacts-v2-reference") { db in
            try db.execute(
                sql: """
                    ALTER TABLE contact ADD COLUMN source_id INTEGER;
                    ALTER TABLE contact ADD COLUMN role_id INTEGER;
                    CREATE INDEX contact_source ON contact(source_id) WHERE source_id IS NOT NULL;
                    CREATE INDEX contact_role ON contact(role_id) WHERE role_id IS NOT NULL;
                    CREATE TABLE contact_category (
                        contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                        category_id INTEGER NOT NULL,
                        PRIMARY KEY (contact_id, category_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX contact_category_category ON contact_category(category_id);
                    -- The settings service's reference data, kept from its events (a read model).
                    CREATE TABLE reference_item (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        active BOOLEAN NOT NULL,
                        applies_to TEXT
                    );
                    """)
        }

        migrator.registerMigration("contacts-v3-companies") { db in
            try db.execute(
                sql: """
                    ALTER TABLE contact ADD COLUMN address TEXT;
                    ALTER TABLE contact ADD COLUMN city TEXT;
                    ALTER TABLE contact ADD COLUMN birthday TEXT;
                    ALTER TABLE contact ADD COLUMN owner_id INTEGER;
                    ALTER TABLE contact ADD COLUMN custom_fields TEXT;
                    ALTER TABLE contact ADD COLUMN bank_details TEXT;
                    ALTER TABLE contact ADD COLUMN consumer BOOLEAN NOT NULL DEFAULT 0;
                    ALTER TABLE contact ADD COLUMN customer_number INTEGER;
                    ALTER TABLE contact ADD COLUMN picture_file_id INTEGER;
                    CREATE UNIQUE INDEX contact_customer_number ON contact(customer_number) WHERE customer_number IS NOT NULL;
                    CREATE INDEX contact_owner ON contact(owner_id) WHERE owner_id IS NOT NULL;
                    CREATE INDEX contact_city ON contact(city COLLATE NOCASE) WHERE city IS NOT NULL;
                    CREATE INDEX contact_name ON contact(last_name COLLATE NOCASE, first_name COLLATE NOCASE, id);
                    CREATE INDEX contact_updated ON contact(updated_at, id);
                    CREATE INDEX contact_live ON contact(deleted_at, id);

                    -- One sequence for the customer numbers of companies and consumers.
                    CREATE TABLE customer_number_sequence (id INTEGER PRIMARY KEY AUTOINCREMENT, assigned_at TEXT NOT NULL);

                    CREATE TABLE company (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL,
                        organisation_number TEXT,
                        customer_number INTEGER UNIQUE,
                        kinds TEXT NOT NULL,
                        status_id INTEGER,
                        industry_id INTEGER,
                        source_id INTEGER,
                        owner_id INTEGER,
                        postal_address TEXT,
                        visiting_address TEXT,
                        city TEXT,
                        website TEXT,
                        custom_fields TEXT,
                        bank_details TEXT,
                        customer_settings TEXT,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        deleted_at TEXT
                    );
                    CREATE INDEX company_org ON company(organisation_number) WHERE organisation_number IS NOT NULL;
                    CREATE INDEX company_name ON company(name COLLATE NOCASE, id);
                    CREATE INDEX company_updated ON company(updated_at, id);
                    CREATE INDEX company_live ON company(deleted_at, id);
                    CREATE INDEX company_industry ON company(industry_id) WHERE industry_id IS NOT NULL;
                    CREATE INDEX company_status ON company(status_id) WHERE status_id IS NOT NULL;
                    CREATE INDEX company_source ON company(source_id) WHERE source_id IS NOT NULL;
                    CREATE INDEX company_owner ON company(owner_id) WHERE owner_id IS NOT NULL;
                    CREATE INDEX company_city ON company(city COLLATE NOCASE) WHERE city IS NOT NULL;
                    CREATE TABLE company_phone (
                        company_id INTEGER NOT NULL REFERENCES company(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        number TEXT NOT NULL,
                        e164 TEXT,
                        kind TEXT NOT NULL
                    );
                    CREATE INDEX company_phone_company ON company_phone(company_id);
                    CREATE INDEX company_phone_e164 ON company_phone(e164);
                    CREATE TABLE company_email (
                        company_id INTEGER NOT NULL REFERENCES company(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        address TEXT NOT NULL,
                        kind TEXT NOT NULL
                    );
                    CREATE INDEX company_email_company ON company_email(company_id);
                    CREATE INDEX company_email_address ON company_email(address COLLATE NOCASE);
                    CREATE TABLE company_category (
                        company_id INTEGER NOT NULL REFERENCES company(id) ON DELETE CASCADE,
                        category_id INTEGER NOT NULL,
                        PRIMARY KEY (company_id, category_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX company_category_category ON company_category(category_id);
                    CREATE TABLE company_history (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        company_id INTEGER NOT NULL REFERENCES company(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL,
                        at TEXT NOT NULL,
                        actor TEXT,
                        summary TEXT NOT NULL,
                        changes BLOB,
                        ref TEXT UNIQUE
                    );
                    CREATE INDEX company_history_company ON company_history(company_id, id);

                    CREATE TABLE contact_company (
                        contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                        company_id INTEGER NOT NULL REFERENCES company(id) ON DELETE CASCADE,
                        title TEXT,
                        role_id INTEGER,
                        start_date TEXT,
                        end_date TEXT,
                        PRIMARY KEY (contact_id, company_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX contact_company_company ON contact_company(company_id);
                    CREATE INDEX contact_company_role ON contact_company(role_id) WHERE role_id IS NOT NULL;

                    -- Substring search: trigram indexes kept in the same transaction as every change.
                    CREATE VIRTUAL TABLE contact_search USING fts5(name, emails, phones, tokenize = 'trigram');
                    CREATE VIRTUAL TABLE company_search USING fts5(name, numbers, emails, phones, tokenize = 'trigram');
                    INSERT INTO contact_search (rowid, name, emails, phones)
                        SELECT c.id, c.first_name || ' ' || c.last_name,
                            COALESCE((SELECT group_concat(address, ' ') FROM contact_email WHERE contact_id = c.id), ''),
                            COALESCE((SELECT group_concat(COALESCE(e164, number), ' ') FROM contact_phone WHERE contact_id = c.id), '')
                        FROM contact c;

                    -- Settings' custom fields and configuration, kept from its events.
                    CREATE TABLE custom_field (
                        id INTEGER PRIMARY KEY,
                        applies_to TEXT NOT NULL,
                        key TEXT NOT NULL,
                        type TEXT NOT NULL,
                        options TEXT NOT NULL,
                        required BOOLEAN NOT NULL,
                        active BOOLEAN NOT NULL
                    );
                    CREATE TABLE setting (section TEXT PRIMARY KEY, value TEXT NOT NULL);
                    """)
        }

        migrator.registerMigration("contacts-v4-notes") { db in
            try db.execute(
                sql: """
                    CREATE TABLE note (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        contact_id INTEGER REFERENCES contact(id) ON DELETE CASCADE,
                        company_id INTEGER REFERENCES company(id) ON DELETE CASCADE,
                        author_id INTEGER,
                        author TEXT,
                        text TEXT NOT NULL,
                        private BOOLEAN NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        CHECK ((contact_id IS NULL) != (company_id IS NULL))
                    );
                    CREATE INDEX note_contact ON note(contact_id, id) WHERE contact_id IS NOT NULL;
                    CREATE INDEX note_company ON note(company_id, id) WHERE company_id IS NOT NULL;
                    CREATE VIRTUAL TABLE note_search USING fts5(text, tokenize = 'trigram');
                    -- A history entry about a private note is seen by its author only.
                    ALTER TABLE contact_history ADD COLUMN visible_to INTEGER;
                    ALTER TABLE company_history ADD COLUMN visible_to INTEGER;
                    """)
        }

        migrator.registerMigration("contacts-v5-gdpr") { db in
            try db.execute(
                sql: """
                    ALTER TABLE contact ADD COLUMN last_activity_at TEXT;
                    ALTER TABLE contact ADD COLUMN anonymized_at TEXT;
                    UPDATE contact SET last_activity_at = updated_at;
                    CREATE INDEX contact_activity ON contact(last_activity_at, id) WHERE deleted_at IS NULL AND anonymized_at IS NULL;
                    """)
        }

        migrator.registerMigration("contacts-v6-search-order") { db in
            // Search rows move to rowid = 2^40 - id (newest first in rowid order; see SearchIndex).
            try db.execute(
                sql: """
                    DROP TABLE contact_search;
                    DROP TABLE company_search;
                    CREATE VIRTUAL TABLE contact_search USING fts5(name, emails, phones, tokenize = 'trigram');
                    CREATE VIRTUAL TABLE company_search USING fts5(name, numbers, emails, phones, tokenize = 'trigram');
                    INSERT INTO contact_search (rowid, name, emails, phones)
                        SELECT 1099511627776 - c.id, trim(c.first_name || ' ' || c.last_name),
                            COALESCE((SELECT group_concat(address, ' ') FROM contact_email WHERE contact_id = c.id), ''),
                            COALESCE((SELECT group_concat(COALESCE(e164, number), ' ') FROM contact_phone WHERE contact_id = c.id), '')
                        FROM contact c;
                    INSERT INTO company_search (rowid, name, numbers, emails, phones)
                        SELECT 1099511627776 - k.id, k.name,
                            trim(COALESCE(replace(replace(replace(k.organisation_number, ' ', ''), '-', ''), '.', ''), '') || ' '
                                || COALESCE(k.customer_number, '')),
                            COALESCE((SELECT group_concat(address, ' ') FROM company_email WHERE company_id = k.id), ''),
                            COALESCE((SELECT group_concat(COALESCE(e164, number), ' ') FROM company_phone WHERE company_id = k.id), '')
                        FROM company k;
                    """)
        }

        migrator.registerMigration("contacts-v7-merge") { db in
            try db.execute(
                sql: """
                    ALTER TABLE contact ADD COLUMN merged_into INTEGER;
                    ALTER TABLE company ADD COLUMN merged_into INTEGER;
                    CREATE INDEX contact_deleted ON contact(deleted_at) WHERE deleted_at IS NOT NULL;
                    CREATE INDEX company_deleted ON company(deleted_at) WHERE deleted_at IS NOT NULL;
                    """)
        }

        migrator.registerMigration("contacts-v8-files") { db in
            try db.execute(
                sql: """
                    CREATE TABLE file_folder (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        contact_id INTEGER REFERENCES contact(id) ON DELETE CASCADE,
                        company_id INTEGER REFERENCES company(id) ON DELETE CASCADE,
                        parent_id INTEGER REFERENCES file_folder(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        CHECK ((contact_id IS NULL) != (company_id IS NULL))
                    );
                    CREATE INDEX file_folder_contact ON file_folder(contact_id) WHERE contact_id IS NOT NULL;
                    CREATE INDEX file_folder_company ON file_folder(company_id) WHERE company_id IS NOT NULL;
                    CREATE TABLE stored_file (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        contact_id INTEGER REFERENCES contact(id) ON DELETE CASCADE,
                        company_id INTEGER REFERENCES company(id) ON DELETE CASCADE,
                        folder_id INTEGER REFERENCES file_folder(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        content_type TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        author TEXT,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        CHECK ((contact_id IS NULL) != (company_id IS NULL))
                    );
                    CREATE INDEX stored_file_contact ON stored_file(contact_id) WHERE contact_id IS NOT NULL;
                    CREATE INDEX stored_file_company ON stored_file(company_id) WHERE company_id IS NOT NULL;
                    CREATE INDEX stored_file_hash ON stored_file(sha256);
                    CREATE TABLE upload (
                        id TEXT PRIMARY KEY,
                        contact_id INTEGER,
                        company_id INTEGER,
                        folder_id INTEGER,
                        name TEXT NOT NULL,
                        content_type TEXT NOT NULL,
                        received INTEGER NOT NULL,
                        started_at TEXT NOT NULL,
                        author TEXT
                    );
                    """)
        }
        migrator.registerMigration("contacts-v9-search-backlog") { db in
            // Ranges of ids a big import created without search rows; SearchBacklog indexes them
            // after the import commits (and after a restart, if it was interrupted).
            try db.execute(
                sql: """
                    CREATE TABLE search_backlog (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL CHECK (kind IN ('contact', 'company')),
                        first_id INTEGER NOT NULL,
                        last_id INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("contacts-v10-accent-search") { db in
            // Names with accents folded (TextFold), in trigram indexes of their own so that
            // `odegard` finds Ødegård: only names that folding changes (ADR 014). Filled here from
            // the main indexes' names, whose rowids they share.
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE contact_plain USING fts5(plain, tokenize = 'trigram');
                    CREATE VIRTUAL TABLE company_plain USING fts5(plain, tokenize = 'trigram');
                    """)
            for table in ["contact", "company"] {
                let names = try Row.fetchCursor(db, sql: "SELECT rowid, name FROM \(table)_search")
                let insert = try db.makeStatement(sql: "INSERT INTO \(table)_plain (rowid, plain) VALUES (?, ?)")
                while let row = try names.next() {
                    let name: String = row["name"] ?? ""
                    if TextFold.differs(name) { try insert.execute(arguments: [row["rowid"], TextFold.plain(name)]) }
                }
            }
        }
    }
}
