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
    }
}
