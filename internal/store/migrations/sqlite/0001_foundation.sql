-- Instants are Unix seconds (UTC). Booleans are 0/1.
CREATE TABLE partners (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    login               TEXT    NOT NULL UNIQUE,
    email               TEXT    NOT NULL DEFAULT '',
    phone               TEXT    NOT NULL DEFAULT '',
    name                TEXT    NOT NULL,
    avatar              TEXT    NOT NULL DEFAULT '',
    information         TEXT    NOT NULL DEFAULT '',
    password_hash       TEXT    NOT NULL,
    is_approved         BOOLEAN NOT NULL DEFAULT 1,
    is_email_confirmed  BOOLEAN NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL
);
CREATE INDEX users_email ON users (lower(email));
CREATE INDEX users_phone ON users (phone);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    partner_id    INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    token_hash    TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id   INTEGER PRIMARY KEY,
    subject  TEXT    NOT NULL,
    at   INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (subject, at);
CREATE INDEX login_failures_at ON login_failures (at);

CREATE TABLE locations (
    id                INTEGER PRIMARY KEY,
    title             TEXT    NOT NULL,
    public_title      TEXT    NOT NULL DEFAULT '',
    short_descr       TEXT    NOT NULL DEFAULT '',
    description       TEXT    NOT NULL DEFAULT '',
    logo              TEXT    NOT NULL DEFAULT '',
    active            BOOLEAN NOT NULL DEFAULT 1,
    phone             TEXT    NOT NULL DEFAULT '',
    phones            TEXT    NOT NULL DEFAULT '[]',
    email             TEXT    NOT NULL DEFAULT '',
    site              TEXT    NOT NULL DEFAULT '',
    country_id        INTEGER NOT NULL DEFAULT 0,
    country           TEXT    NOT NULL DEFAULT '',
    city_id           INTEGER NOT NULL DEFAULT 0,
    city              TEXT    NOT NULL DEFAULT '',
    timezone_name     TEXT    NOT NULL,
    address           TEXT    NOT NULL DEFAULT '',
    zip               TEXT    NOT NULL DEFAULT '',
    coordinate_lat    REAL    NOT NULL DEFAULT 0,
    coordinate_lon    REAL    NOT NULL DEFAULT 0,
    business_type_id  INTEGER NOT NULL DEFAULT 0,
    currency          TEXT    NOT NULL DEFAULT '',
    social            TEXT    NOT NULL DEFAULT '{}',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    deleted_at        INTEGER
);

CREATE TABLE location_users (
    location_id  INTEGER NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT    NOT NULL,
    permissions  TEXT    NOT NULL DEFAULT '{}',
    staff_id     INTEGER,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (location_id, user_id)
);
CREATE INDEX location_users_user ON location_users (user_id);
