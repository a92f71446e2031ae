-- Accounts (cash desks) take payments; payments belong to a visit and name
-- the appointment they were taken through. visits.paid is the sum of the
-- visit's non-deleted payments, rewritten with every payment change.
ALTER TABLE visits ADD COLUMN paid INTEGER NOT NULL DEFAULT 0;

CREATE TABLE accounts (
    id           INTEGER PRIMARY KEY,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    title        TEXT    NOT NULL,
    type         INTEGER NOT NULL,
    comment      TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX accounts_location ON accounts (location_id);

-- Every location starts with a cash desk and a card account.
INSERT INTO accounts (location_id, title, type, comment, created_at)
    SELECT id, 'Main location account', 0, 'Cash', created_at FROM locations;
INSERT INTO accounts (location_id, title, type, comment, created_at)
    SELECT id, 'Card payment account', 1, 'Cashless', created_at FROM locations;

CREATE TABLE payments (
    id              INTEGER PRIMARY KEY,
    location_id     INTEGER NOT NULL REFERENCES locations (id),
    visit_id        INTEGER NOT NULL REFERENCES visits (id),
    appointment_id  INTEGER NOT NULL REFERENCES appointments (id),
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    client_id       INTEGER REFERENCES clients (id),
    team_member_id  INTEGER NOT NULL REFERENCES team_members (id),
    amount          INTEGER NOT NULL,
    comment         TEXT    NOT NULL DEFAULT '',
    created_user_id INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE INDEX payments_visit ON payments (visit_id);

CREATE TABLE comments (
    id              INTEGER PRIMARY KEY,
    location_id     INTEGER NOT NULL REFERENCES locations (id),
    type            INTEGER NOT NULL,
    team_member_id  INTEGER REFERENCES team_members (id),
    text            TEXT    NOT NULL,
    rating          INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    user_name       TEXT    NOT NULL,
    record_id       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
CREATE INDEX comments_location_date ON comments (location_id, created_at, id);
CREATE INDEX comments_member ON comments (team_member_id);
