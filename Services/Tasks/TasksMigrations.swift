import Foundation
import GRDB

/// The tasks schema. A shipped migration is never edited; add a new one.
enum TasksMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("tasks-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE task (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        title TEXT NOT NULL,
                        description TEXT,
                        status TEXT NOT NULL,
                        owner_id INTEGER,
                        category_id INTEGER,
                        priority TEXT NOT NULL,
                        due_date TEXT,
                        due_at TEXT,
                        due_zone TEXT,
                        -- Seconds since 1970 of the due instant (a due day: its midnight UTC); undated last.
                        due_sort REAL NOT NULL,
                        origin TEXT NOT NULL,
                        caller_number TEXT,
                        missed_calls INTEGER,
                        add_to_calendar INTEGER NOT NULL DEFAULT 0,
                        completed_at TEXT,
                        position REAL NOT NULL,
                        version INTEGER NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        deleted_at TEXT
                    );
                    CREATE INDEX task_owner_status_due ON task(owner_id, status, due_sort, id) WHERE deleted_at IS NULL;
                    CREATE INDEX task_owner_status_position ON task(owner_id, status, position) WHERE deleted_at IS NULL;
                    CREATE INDEX task_status_due ON task(status, due_sort, id) WHERE deleted_at IS NULL;
                    CREATE INDEX task_category ON task(category_id) WHERE category_id IS NOT NULL;
                    CREATE INDEX task_callback ON task(caller_number, status) WHERE origin = 'missed_call' AND deleted_at IS NULL;
                    CREATE INDEX task_calendar ON task(owner_id) WHERE add_to_calendar = 1 AND deleted_at IS NULL;
                    -- A task's companies, contacts and deals (the cards' tabs read it by target).
                    CREATE TABLE task_link (
                        task_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        target_id INTEGER NOT NULL,
                        PRIMARY KEY (kind, target_id, task_id)
                    );
                    CREATE INDEX task_link_task ON task_link(task_id);

                    CREATE TABLE appointment (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        uid TEXT NOT NULL UNIQUE,
                        sequence INTEGER NOT NULL,
                        subject TEXT NOT NULL,
                        description TEXT,
                        place TEXT,
                        meeting_url TEXT,
                        status TEXT NOT NULL,
                        all_day INTEGER NOT NULL,
                        start_at TEXT,
                        end_at TEXT,
                        zone TEXT,
                        start_date TEXT,
                        end_date TEXT,
                        recurrence TEXT,
                        exceptions TEXT NOT NULL DEFAULT '[]',
                        organizer_id INTEGER,
                        alarms TEXT NOT NULL DEFAULT '[]',
                        -- The series' first start and last end in seconds since 1970 (NULL: it never ends).
                        first_start REAL NOT NULL,
                        series_end REAL,
                        invitations_sent_at TEXT,
                        version INTEGER NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE attendee (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        appointment_id INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        person_id INTEGER,
                        name TEXT,
                        email TEXT,
                        status TEXT NOT NULL,
                        responded_at TEXT
                    );
                    CREATE INDEX attendee_appointment ON attendee(appointment_id, position);
                    CREATE INDEX attendee_person ON attendee(kind, person_id) WHERE person_id IS NOT NULL;
                    -- Whose calendar an appointment is on: its organizer and the employees invited.
                    CREATE TABLE appointment_user (
                        user_id INTEGER NOT NULL,
                        appointment_id INTEGER NOT NULL,
                        PRIMARY KEY (user_id, appointment_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX appointment_user_appointment ON appointment_user(appointment_id);
                    CREATE TABLE appointment_link (
                        appointment_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        target_id INTEGER NOT NULL,
                        PRIMARY KEY (kind, target_id, appointment_id)
                    );
                    CREATE INDEX appointment_link_appointment ON appointment_link(appointment_id);

                    -- Invitation mails, recorded in the transaction of the change they announce and
                    -- handed to notifications once each (its request id is the row's).
                    CREATE TABLE invitation (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        appointment_id INTEGER NOT NULL,
                        attendee_id INTEGER NOT NULL,
                        method TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        recipient TEXT NOT NULL,
                        recipient_name TEXT,
                        subject TEXT NOT NULL,
                        body_text TEXT NOT NULL,
                        body_html TEXT NOT NULL,
                        ics TEXT NOT NULL,
                        from_name TEXT,
                        state TEXT NOT NULL,
                        message_id INTEGER,
                        error TEXT,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at TEXT,
                        created_at TEXT NOT NULL,
                        sent_at TEXT
                    );
                    CREATE INDEX invitation_queued ON invitation(state, id);
                    CREATE INDEX invitation_appointment ON invitation(appointment_id, id);

                    -- Calendar feeds: the token is kept only as its SHA-256.
                    CREATE TABLE feed (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        user_id INTEGER,
                        group_id INTEGER,
                        token_hash TEXT NOT NULL UNIQUE,
                        created_by INTEGER,
                        created_at TEXT NOT NULL,
                        rotated_at TEXT,
                        last_read_at TEXT,
                        revoked_at TEXT
                    );

                    -- Read models: settings' users, task categories, groups and visibility; contacts' customers.
                    CREATE TABLE user (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        email TEXT,
                        boss INTEGER NOT NULL,
                        active INTEGER NOT NULL
                    );
                    CREATE TABLE category (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        colour TEXT,
                        active INTEGER NOT NULL
                    );
                    CREATE TABLE group_member (
                        group_id INTEGER NOT NULL,
                        user_id INTEGER NOT NULL,
                        PRIMARY KEY (group_id, user_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE customer (
                        kind TEXT NOT NULL,
                        id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        owner_id INTEGER,
                        email TEXT,
                        deleted INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (kind, id)
                    );
                    CREATE INDEX customer_owner ON customer(owner_id);
                    CREATE TABLE setting (
                        section TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    );
                    """)
            // The key that signs attendees' answer links (made once, never leaves the database).
            var bytes = [UInt8](repeating: 0, count: 32)
            for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
            try db.execute(
                sql: "INSERT INTO setting (section, value) VALUES ('rsvp_key', ?)", arguments: [Data(bytes).base64EncodedString()])
        }
        migrator.registerMigration("tasks-v2-deal-follow-ups") { db in
            // The deal whose "next follow-up" a task is (one open task per deal).
            try db.execute(
                sql: """
                    ALTER TABLE task ADD COLUMN deal_follow_up INTEGER;
                    CREATE INDEX task_deal_follow_up ON task(deal_follow_up) WHERE deal_follow_up IS NOT NULL;
                    """)
        }
    }
}
