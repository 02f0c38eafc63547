import GRDB

/// The notifications schema. A shipped migration is never edited; add a new one.
enum NotificationsMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("notifications-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE message (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        channel TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        state TEXT NOT NULL,
                        recipients TEXT NOT NULL,
                        sender TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        body_text TEXT NOT NULL,
                        body_html TEXT,
                        contact_id INTEGER,
                        company_id INTEGER,
                        message_id TEXT NOT NULL UNIQUE,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        error TEXT,
                        server_reply TEXT,
                        author TEXT,
                        next_attempt_at TEXT,
                        sent_at TEXT,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE INDEX message_due ON message(state, next_attempt_at, id);
                    CREATE INDEX message_contact ON message(contact_id, id) WHERE contact_id IS NOT NULL;
                    CREATE INDEX message_company ON message(company_id, id) WHERE company_id IS NOT NULL;
                    """)
        }
    }
}
