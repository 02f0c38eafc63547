import GRDB

/// The settings schema. A shipped migration is never edited; add a new one.
enum SettingsMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("settings-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        name TEXT NOT NULL,
                        email TEXT,
                        phone TEXT,
                        extension TEXT,
                        rank TEXT NOT NULL CHECK (rank IN ('boss', 'user')),
                        active BOOLEAN NOT NULL,
                        password_hash TEXT,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        password_changed_at TEXT
                    );
                    CREATE UNIQUE INDEX user_extension ON user(extension) WHERE extension IS NOT NULL;
                    CREATE TABLE api_token (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES user(id),
                        name TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),
                        scopes TEXT NOT NULL,
                        prefix TEXT NOT NULL,
                        token_hash TEXT NOT NULL UNIQUE,
                        created_at TEXT NOT NULL,
                        expires_at TEXT,
                        last_used_at TEXT,
                        revoked_at TEXT
                    );
                    CREATE INDEX api_token_user ON api_token(user_id);
                    CREATE TABLE login_failure (
                        key TEXT PRIMARY KEY,
                        failures INTEGER NOT NULL,
                        last_failure_at TEXT NOT NULL,
                        locked_until TEXT
                    );
                    CREATE TABLE reference_item (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        colour TEXT,
                        sort_order INTEGER NOT NULL,
                        active BOOLEAN NOT NULL,
                        locked BOOLEAN NOT NULL,
                        applies_to TEXT,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE UNIQUE INDEX reference_item_name ON reference_item(kind, name COLLATE NOCASE);
                    CREATE TABLE employee_group (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        parent_id INTEGER REFERENCES employee_group(id),
                        name TEXT NOT NULL,
                        description TEXT,
                        type TEXT NOT NULL CHECK (type IN ('standard', 'sales')),
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE INDEX employee_group_parent ON employee_group(parent_id);
                    CREATE TABLE group_member (
                        group_id INTEGER NOT NULL REFERENCES employee_group(id) ON DELETE CASCADE,
                        user_id INTEGER NOT NULL REFERENCES user(id),
                        role TEXT,
                        PRIMARY KEY (group_id, user_id)
                    );
                    CREATE INDEX group_member_user ON group_member(user_id);
                    CREATE TABLE sales_budget (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES user(id),
                        period_type TEXT NOT NULL CHECK (period_type IN ('month', 'quarter', 'year')),
                        period TEXT NOT NULL,
                        amount REAL NOT NULL,
                        currency TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        UNIQUE (user_id, period)
                    );
                    CREATE TABLE crm_process (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        is_default BOOLEAN NOT NULL,
                        subject_labels TEXT,
                        weight_labels TEXT,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE process_status (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        process_id INTEGER NOT NULL REFERENCES crm_process(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
                        final TEXT CHECK (final IN ('won', 'lost'))
                    );
                    CREATE INDEX process_status_process ON process_status(process_id, position);
                    CREATE TABLE custom_field (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        applies_to TEXT NOT NULL CHECK (applies_to IN ('company', 'contact')),
                        key TEXT NOT NULL,
                        label TEXT NOT NULL,
                        type TEXT NOT NULL,
                        options TEXT NOT NULL,
                        required BOOLEAN NOT NULL,
                        own_tab BOOLEAN NOT NULL,
                        sort_order INTEGER NOT NULL,
                        active BOOLEAN NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        UNIQUE (applies_to, key)
                    );
                    CREATE TABLE configuration (
                        section TEXT PRIMARY KEY,
                        value TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at TEXT NOT NULL,
                        actor TEXT,
                        action TEXT NOT NULL,
                        entity TEXT NOT NULL,
                        kind TEXT,
                        entity_id INTEGER,
                        before TEXT,
                        after TEXT
                    );
                    CREATE INDEX audit_entity ON audit(entity, entity_id, id);
                    """)
        }
        // The login throttle counts in fixed windows and holds a username while its password is checked.
        migrator.registerMigration("settings-v2-login-throttle") { db in
            try db.execute(
                sql: """
                    ALTER TABLE login_failure ADD COLUMN first_failure_at TEXT;
                    ALTER TABLE login_failure ADD COLUMN checking_until TEXT;
                    DELETE FROM login_failure;
                    """)
        }
        // Permissions beyond a user's rank (issue 17: `export`).
        migrator.registerMigration("settings-v3-permissions") { db in
            try db.execute(sql: "ALTER TABLE user ADD COLUMN permissions TEXT NOT NULL DEFAULT '[]'")
        }
    }
}
