import Foundation
import GRDB
import Storage

/// The sales schema. A shipped migration is never edited; add a new one.
enum SalesMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("sales-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE project (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        process_id INTEGER,
                        active INTEGER NOT NULL DEFAULT 1,
                        sms_enabled INTEGER NOT NULL DEFAULT 0,
                        members TEXT NOT NULL DEFAULT '[]',
                        is_default INTEGER NOT NULL DEFAULT 0,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    -- Settings' CRM processes and their statuses, as their events told.
                    CREATE TABLE process (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        is_default INTEGER NOT NULL,
                        subject_labels TEXT,
                        weight_labels TEXT
                    );
                    CREATE TABLE process_status (
                        id INTEGER PRIMARY KEY,
                        process_id INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        probability INTEGER NOT NULL,
                        final TEXT
                    );
                    CREATE INDEX process_status_process ON process_status(process_id, position);
                    -- Sales categories, stages, sources, win and loss reasons.
                    CREATE TABLE reference (
                        kind TEXT NOT NULL,
                        id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        active INTEGER NOT NULL,
                        PRIMARY KEY (kind, id)
                    );
                    CREATE TABLE budget (
                        id INTEGER PRIMARY KEY,
                        user_id INTEGER NOT NULL,
                        period TEXT NOT NULL,
                        amount REAL NOT NULL,
                        currency TEXT NOT NULL
                    );
                    CREATE TABLE user (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        boss INTEGER NOT NULL,
                        active INTEGER NOT NULL,
                        can_export INTEGER NOT NULL DEFAULT 0
                    );
                    -- Exports of a board's customers: who, when, which filter, how many.
                    CREATE TABLE export_audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at TEXT NOT NULL,
                        actor TEXT,
                        user_id INTEGER,
                        filter TEXT NOT NULL,
                        customers INTEGER NOT NULL
                    );
                    CREATE TABLE setting (section TEXT PRIMARY KEY, value TEXT NOT NULL);
                    -- Contacts' customers: companies and contacts, with their owners.
                    CREATE TABLE customer (
                        kind TEXT NOT NULL,
                        id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        owner_id INTEGER,
                        deleted INTEGER NOT NULL DEFAULT 0,
                        -- Companies are customers; a contact only as a consumer (a private person).
                        consumer INTEGER NOT NULL DEFAULT 1,
                        PRIMARY KEY (kind, id)
                    );
                    CREATE INDEX customer_owner ON customer(owner_id, kind, id) WHERE deleted = 0;
                    CREATE TABLE deal (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        customer_kind TEXT NOT NULL,
                        customer_id INTEGER NOT NULL,
                        customer_name TEXT NOT NULL,
                        customer_owner_id INTEGER,
                        project_id INTEGER NOT NULL,
                        process_id INTEGER NOT NULL,
                        owner_id INTEGER,
                        subject TEXT NOT NULL,
                        status_id INTEGER NOT NULL,
                        status_name TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        stage_id INTEGER,
                        category_id INTEGER,
                        source_id INTEGER,
                        value INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        probability INTEGER NOT NULL,
                        probability_source TEXT NOT NULL,
                        weight_label TEXT,
                        weighted INTEGER NOT NULL,
                        expected_close TEXT,
                        closed_on TEXT,
                        actual_value INTEGER,
                        reason_id INTEGER,
                        reason_note TEXT,
                        next_follow_up TEXT,
                        position REAL NOT NULL,
                        version INTEGER NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        deleted_at TEXT
                    );
                    CREATE INDEX deal_column ON deal(project_id, outcome, status_id, position, id) WHERE deleted_at IS NULL;
                    CREATE INDEX deal_outcome ON deal(project_id, outcome, id) WHERE deleted_at IS NULL;
                    CREATE INDEX deal_customer ON deal(customer_kind, customer_id);
                    CREATE TABLE deal_person (
                        deal_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        person_id INTEGER NOT NULL,
                        role TEXT,
                        PRIMARY KEY (deal_id, kind, person_id)
                    );
                    CREATE INDEX deal_person_of ON deal_person(kind, person_id);
                    CREATE TABLE deal_stage (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        deal_id INTEGER NOT NULL,
                        status_id INTEGER NOT NULL,
                        status_name TEXT NOT NULL,
                        process_id INTEGER NOT NULL,
                        project_id INTEGER NOT NULL,
                        entered_at TEXT NOT NULL,
                        left_at TEXT,
                        moved_by TEXT
                    );
                    CREATE INDEX deal_stage_deal ON deal_stage(deal_id, id);
                    -- The board's column totals, kept in the transaction of every change to a deal:
                    -- per project, outcome, status, customer owner (0: none) and currency.
                    CREATE TABLE deal_total (
                        project_id INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        status_id INTEGER NOT NULL,
                        owner_key INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        projected INTEGER NOT NULL,
                        weighted INTEGER NOT NULL,
                        actual INTEGER NOT NULL,
                        PRIMARY KEY (project_id, outcome, status_id, owner_key, currency)
                    ) WITHOUT ROWID;
                    -- The forecast's sums, kept the same way: per project, month (of the expected
                    -- close of open deals, of the close of won ones), sales person (0: none) and currency.
                    CREATE TABLE forecast_total (
                        project_id INTEGER NOT NULL,
                        month TEXT NOT NULL,
                        owner_key INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        open_count INTEGER NOT NULL,
                        projected INTEGER NOT NULL,
                        weighted INTEGER NOT NULL,
                        won_count INTEGER NOT NULL,
                        won INTEGER NOT NULL,
                        PRIMARY KEY (project_id, month, owner_key, currency)
                    ) WITHOUT ROWID;
                    """)
            let now = Date()
            try db.execute(
                sql: """
                    INSERT INTO project (name, process_id, active, sms_enabled, members, is_default, created_at, updated_at)
                    VALUES ('Sales', NULL, 1, 0, '[]', 1, ?, ?)
                    """, arguments: [DatabaseDate.string(now), DatabaseDate.string(now)])
        }
    }
}
