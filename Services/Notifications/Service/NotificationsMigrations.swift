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
        migrator.registerMigration("notifications-v2-sms") { db in
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN batch_id INTEGER;
                    ALTER TABLE message ADD COLUMN provider TEXT;
                    ALTER TABLE message ADD COLUMN provider_id TEXT;
                    ALTER TABLE message ADD COLUMN segments INTEGER;
                    ALTER TABLE message ADD COLUMN error_code TEXT;
                    ALTER TABLE message ADD COLUMN delivered_at TEXT;
                    CREATE INDEX message_sms_due ON message(channel, state, next_attempt_at, id);
                    CREATE INDEX message_provider ON message(provider_id) WHERE provider_id IS NOT NULL;
                    -- E-mail's due query reads message_sms_due too (channel first): one index less to write.
                    DROP INDEX message_due;
                    CREATE INDEX message_batch_sent ON message(batch_id, sent_at) WHERE batch_id IS NOT NULL;
                    -- One message per batch and number: people sharing a number, or listed twice, get one.
                    -- It also finds a batch's messages (pause, resume, cancel, its errors).
                    CREATE UNIQUE INDEX message_batch_number ON message(batch_id, recipients) WHERE batch_id IS NOT NULL;

                    -- Contacts' names, numbers and addresses, from their events (scrubbed on anonymisation).
                    CREATE TABLE recipient (
                        contact_id INTEGER PRIMARY KEY,
                        first_name TEXT NOT NULL,
                        last_name TEXT NOT NULL,
                        owner_id INTEGER,
                        mobile TEXT,
                        mobile_raw TEXT,
                        email TEXT,
                        deleted INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX recipient_mobile ON recipient(mobile) WHERE mobile IS NOT NULL;

                    CREATE TABLE consent (
                        contact_id INTEGER NOT NULL,
                        channel TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        granted INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        evidence TEXT,
                        recorded_by TEXT,
                        recorded_at TEXT NOT NULL,
                        PRIMARY KEY (contact_id, channel, purpose)
                    ) WITHOUT ROWID;
                    -- Every change of consent, kept: the evidence of what was true when.
                    CREATE TABLE consent_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        contact_id INTEGER NOT NULL,
                        channel TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        granted INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        evidence TEXT,
                        recorded_by TEXT,
                        recorded_at TEXT NOT NULL
                    );
                    CREATE INDEX consent_log_contact ON consent_log(contact_id, id);
                    CREATE TABLE opt_out (
                        channel TEXT NOT NULL,
                        address TEXT NOT NULL,
                        source TEXT NOT NULL,
                        detail TEXT,
                        at TEXT NOT NULL,
                        PRIMARY KEY (channel, address)
                    ) WITHOUT ROWID;

                    CREATE TABLE batch (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL,
                        text TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        state TEXT NOT NULL,
                        recipients INTEGER NOT NULL,
                        segments INTEGER NOT NULL,
                        encoding TEXT NOT NULL,
                        excluded TEXT NOT NULL,
                        deferred INTEGER NOT NULL,
                        queued INTEGER NOT NULL DEFAULT 0,
                        sending INTEGER NOT NULL DEFAULT 0,
                        sent INTEGER NOT NULL DEFAULT 0,
                        delivered INTEGER NOT NULL DEFAULT 0,
                        undelivered INTEGER NOT NULL DEFAULT 0,
                        failed INTEGER NOT NULL DEFAULT 0,
                        unknown INTEGER NOT NULL DEFAULT 0,
                        paused_reason TEXT,
                        failure_threshold REAL NOT NULL,
                        -- Settled and failed when the batch was last resumed: the threshold counts what came after.
                        resumed_settled INTEGER NOT NULL DEFAULT 0,
                        resumed_failed INTEGER NOT NULL DEFAULT 0,
                        author TEXT,
                        progress_at TEXT,
                        created_at TEXT NOT NULL,
                        started_at TEXT,
                        finished_at TEXT,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE batch_exclusion (
                        batch_id INTEGER NOT NULL,
                        contact_id INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        PRIMARY KEY (batch_id, contact_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX batch_exclusion_contact ON batch_exclusion(contact_id);
                    -- The companies a contact is linked to (a template's {{company}}) and users' names ({{owner}}).
                    CREATE TABLE recipient_company (
                        contact_id INTEGER NOT NULL,
                        company_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        PRIMARY KEY (contact_id, company_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX recipient_company_company ON recipient_company(company_id);
                    CREATE TABLE owner_name (user_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                    -- The read models are new: contacts' and settings' events are read again from the start.
                    DELETE FROM inbox_checkpoint WHERE source IN ('contacts', 'settings');
                    """)
        }
        migrator.registerMigration("notifications-v3-calendar") { db in
            // iMIP invitations (the tasks service): the calendar part and the sender's display name.
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN calendar_method TEXT;
                    ALTER TABLE message ADD COLUMN calendar_ics TEXT;
                    ALTER TABLE message ADD COLUMN sender_name TEXT;
                    """)
        }
    }
}
