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

        migrator.registerMigration("telephony-v3-legs-matching") { db in
            try db.execute(
                sql: """
                    ALTER TABLE call ADD COLUMN company_id INTEGER;
                    -- The other party's number as the index keys it (E.164 or raw:<text>).
                    ALTER TABLE call ADD COLUMN remote_key TEXT;
                    -- Contacts and companies whose numbers matched directly.
                    ALTER TABLE call ADD COLUMN match_count INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE call ADD COLUMN caller_name TEXT;
                    ALTER TABLE call ADD COLUMN answered_by TEXT;
                    ALTER TABLE call ADD COLUMN answered_by_user_id INTEGER;
                    ALTER TABLE call ADD COLUMN ring_seconds INTEGER;
                    ALTER TABLE call ADD COLUMN legs INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE call ADD COLUMN timed_out INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE call ADD COLUMN last_event_at TEXT;
                    CREATE INDEX call_remote ON call(remote_key, id) WHERE remote_key IS NOT NULL;
                    CREATE INDEX call_unmatched ON call(id) WHERE match_count = 0 AND remote_key IS NOT NULL;
                    CREATE INDEX call_open ON call(last_event_at) WHERE ended_at IS NULL;
                    CREATE INDEX call_answerer ON call(answered_by_user_id) WHERE answered_by_user_id IS NOT NULL;
                    -- Who a call is with: contacts and companies (kind), directly or through a link.
                    CREATE TABLE call_party (
                        kind TEXT NOT NULL,
                        party_id INTEGER NOT NULL,
                        call_id INTEGER NOT NULL REFERENCES call(id) ON DELETE CASCADE,
                        direct INTEGER NOT NULL,
                        PRIMARY KEY (kind, party_id, call_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX call_party_call ON call_party(call_id);
                    -- The phone index for contacts and companies alike.
                    CREATE TABLE party_phone (
                        number TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        party_id INTEGER NOT NULL,
                        PRIMARY KEY (number, kind, party_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX party_phone_party ON party_phone(kind, party_id);
                    INSERT INTO party_phone (number, kind, party_id) SELECT number, 'contact', contact_id FROM phone_index;
                    DROP TABLE phone_index;
                    INSERT INTO call_party (kind, party_id, call_id, direct)
                        SELECT 'contact', contact_id, id, 1 FROM call WHERE contact_id IS NOT NULL;
                    UPDATE call SET match_count = 1 WHERE contact_id IS NOT NULL;
                    UPDATE call SET remote_key = CASE direction
                        WHEN 'outbound' THEN COALESCE(to_e164, 'raw:' || to_raw)
                        WHEN 'inbound' THEN COALESCE(from_e164, 'raw:' || from_raw) END;
                    -- Contacts' links to companies, so a contact's calls show on its companies.
                    CREATE TABLE contact_company (
                        contact_id INTEGER NOT NULL,
                        company_id INTEGER NOT NULL,
                        PRIMARY KEY (contact_id, company_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX contact_company_company ON contact_company(company_id);
                    -- ZeroMQ ingest: per producer stream, every sequence up to seq is committed.
                    CREATE TABLE ingest_checkpoint (
                        producer TEXT NOT NULL,
                        stream TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        updated_at TEXT NOT NULL,
                        PRIMARY KEY (producer, stream)
                    );
                    """)
        }

        migrator.registerMigration("telephony-v4-ingest-log") { db in
            try db.execute(
                sql: """
                    -- ZeroMQ ingest: events are acknowledged once they are here (durable), and folded
                    -- into the call log by the projector, which removes them in the same transaction.
                    CREATE TABLE ingest_log (
                        id INTEGER PRIMARY KEY,
                        producer TEXT NOT NULL,
                        event_id TEXT NOT NULL,
                        -- The event's settled time (seconds since 1970) and its JSON as received.
                        at REAL NOT NULL,
                        payload BLOB NOT NULL,
                        UNIQUE (producer, event_id)
                    );
                    """)
        }
        migrator.registerMigration("telephony-v5-visibility") { db in
            try db.execute(
                sql: """
                    -- Who owns each contact and company (from contacts' events), and settings'
                    -- configuration sections telephony follows (visibility): with customer cards
                    -- not shared, a user sees only the calls of the customers they own.
                    CREATE TABLE party_owner (
                        kind TEXT NOT NULL,
                        id INTEGER NOT NULL,
                        owner_id INTEGER,
                        PRIMARY KEY (kind, id)
                    ) WITHOUT ROWID;
                    CREATE TABLE setting (section TEXT PRIMARY KEY, value TEXT NOT NULL);
                    """)
        }
    }
}
