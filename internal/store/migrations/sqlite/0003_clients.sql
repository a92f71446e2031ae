-- Clients of a location. phone_digits is the phone's digits only: one
-- non-deleted client per phone per location, enforced by the index, so
-- concurrent creates cannot both win. search_text is the lower-cased name,
-- surname, middle name and e-mail (lowered in Go: SQLite's lower() is ASCII-only).
CREATE TABLE clients (
    id                INTEGER PRIMARY KEY,
    location_id       INTEGER NOT NULL REFERENCES locations (id),
    name              TEXT    NOT NULL,
    surname           TEXT    NOT NULL DEFAULT '',
    middle_name       TEXT    NOT NULL DEFAULT '',
    phone_digits      TEXT    NOT NULL,
    email             TEXT    NOT NULL DEFAULT '',
    gender_id         INTEGER NOT NULL DEFAULT 0,
    importance_id     INTEGER NOT NULL DEFAULT 0,
    discount          INTEGER NOT NULL DEFAULT 0,
    card              TEXT    NOT NULL DEFAULT '',
    birth_date        TEXT,
    comment           TEXT    NOT NULL DEFAULT '',
    sms_check         BOOLEAN NOT NULL DEFAULT 0,
    sms_not           BOOLEAN NOT NULL DEFAULT 0,
    spent             INTEGER NOT NULL DEFAULT 0,
    balance           INTEGER NOT NULL DEFAULT 0,
    visits            INTEGER NOT NULL DEFAULT 0,
    categories        TEXT    NOT NULL DEFAULT '[]',
    custom_fields     TEXT    NOT NULL DEFAULT '{}',
    search_text       TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    deleted_at        INTEGER
);
CREATE UNIQUE INDEX clients_location_phone ON clients (location_id, phone_digits) WHERE deleted_at IS NULL;
CREATE INDEX clients_location_updated ON clients (location_id, updated_at);
