import GRDB

/// The telephony schema. A shipped migration is never edited; add a new one.
enum TelephonyMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("telephony-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE call (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        producer TEXT NOT NULL,
                        external_id TEXT NOT NULL,
                        direction TEXT NOT NULL,
                        from_raw TEXT,
                        from_e164 TEXT,
                        to_raw TEXT,
                        to_e164 TEXT,
                        extension TEXT,
                        user TEXT,
                        contact_id INTEGER,
                        status TEXT NOT NULL,
                        started_at TEXT,
                        answered_at TEXT,
                        ended_at TEXT,
                        duration INTEGER,
                        billsec INTEGER,
                        disposition TEXT,
                        recording_url TEXT,
                        event_count INTEGER NOT NULL,
                        logged_at TEXT,
                        updated_at TEXT NOT NULL,
                        UNIQUE (producer, external_id)
                    );
                    CREATE INDEX call_contact ON call(contact_id, id);
                    CREATE INDEX call_started ON call(started_at);
                    CREATE TABLE call_event (
                        id INTEGER PRIMARY KEY,
                        producer TEXT NOT NULL,
                        event_id TEXT NOT NULL,
                        call_id INTEGER NOT NULL REFERENCES call(id) ON DELETE CASCADE,
                        type TEXT NOT NULL,
                        at TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        received_at TEXT NOT NULL,
                        UNIQUE (producer, event_id)
                    );
                    CREATE INDEX call_event_call ON call_event(call_id);
                    CREATE TABLE phone_index (
                        number TEXT NOT NULL,
                        contact_id INTEGER NOT NULL,
                        PRIMARY KEY (number, contact_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX phone_index_contact ON phone_index(contact_id);
                    """)
        }

        migrator.registerMigration("telephony-v2-users") { db in
            try db.execute(
                sql: """
                    ALTER TABLE call ADD COLUMN user_id INTEGER;
                    CREATE INDEX call_user ON call(user_id) WHERE user_id IS NOT NULL;
                    -- Settings' users by telephone extension, kept from its events.
                    CREATE TABLE user_index (
                        extension TEXT PRIMARY KEY,
                        user_id INTEGER NOT NULL UNIQUE,
                        username TEXT NOT NULL
                    );
                    """)
        }
    }
}
