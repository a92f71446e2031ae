-- Team members, positions, service categories, services and their links,
-- working hours and timetable settings. Money is in minor units.
CREATE TABLE positions (
    id           INTEGER PRIMARY KEY,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    title        TEXT    NOT NULL,
    api_id       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX positions_location ON positions (location_id);

CREATE TABLE team_members (
    id                    INTEGER PRIMARY KEY,
    location_id           INTEGER NOT NULL REFERENCES locations (id),
    name                  TEXT    NOT NULL,
    specialization        TEXT    NOT NULL DEFAULT '',
    position_id           INTEGER REFERENCES positions (id),
    api_id                TEXT    NOT NULL DEFAULT '',
    information           TEXT    NOT NULL DEFAULT '',
    avatar                TEXT    NOT NULL DEFAULT '',
    weight                INTEGER NOT NULL DEFAULT 0,
    user_id               INTEGER REFERENCES users (id) ON DELETE SET NULL,
    has_access_timetable  BOOLEAN NOT NULL DEFAULT 0,
    hidden                BOOLEAN NOT NULL DEFAULT 0,
    fired                 BOOLEAN NOT NULL DEFAULT 0,
    is_paid_staff         BOOLEAN NOT NULL DEFAULT 1,
    rating                REAL    NOT NULL DEFAULT 0,
    votes_count           INTEGER NOT NULL DEFAULT 0,
    comments_count        INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    deleted_at            INTEGER
);
CREATE INDEX team_members_location ON team_members (location_id);

CREATE TABLE service_categories (
    id           INTEGER PRIMARY KEY,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    title        TEXT    NOT NULL,
    api_id       TEXT    NOT NULL DEFAULT '',
    weight       INTEGER NOT NULL DEFAULT 0,
    deleted_at   INTEGER
);
CREATE INDEX service_categories_location ON service_categories (location_id);

CREATE TABLE services (
    id                        INTEGER PRIMARY KEY,
    location_id               INTEGER NOT NULL REFERENCES locations (id),
    category_id               INTEGER NOT NULL REFERENCES service_categories (id),
    title                     TEXT    NOT NULL,
    booking_title             TEXT    NOT NULL DEFAULT '',
    price_min                 INTEGER NOT NULL DEFAULT 0,
    price_max                 INTEGER NOT NULL DEFAULT 0,
    duration                  INTEGER NOT NULL,
    technical_break_duration  INTEGER,
    discount                  INTEGER NOT NULL DEFAULT 0,
    comment                   TEXT    NOT NULL DEFAULT '',
    weight                    INTEGER NOT NULL DEFAULT 0,
    active                    BOOLEAN NOT NULL DEFAULT 1,
    api_id                    TEXT    NOT NULL DEFAULT '',
    deleted_at                INTEGER
);
CREATE INDEX services_location ON services (location_id);

CREATE TABLE service_staff (
    service_id             INTEGER NOT NULL REFERENCES services (id),
    team_member_id         INTEGER NOT NULL REFERENCES team_members (id),
    seance_length          INTEGER NOT NULL,
    technological_card_id  INTEGER,
    PRIMARY KEY (service_id, team_member_id)
);
CREATE INDEX service_staff_member ON service_staff (team_member_id);

-- One row per team member and local calendar day that has been set.
-- slots is a JSON array of {"from":"HH:MM","to":"HH:MM"}; [] is a day off.
CREATE TABLE work_days (
    team_member_id  INTEGER NOT NULL REFERENCES team_members (id),
    day             TEXT    NOT NULL,
    slots           TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (team_member_id, day)
);

CREATE TABLE timetable_settings (
    location_id                                 INTEGER PRIMARY KEY REFERENCES locations (id),
    record_type                                 INTEGER NOT NULL DEFAULT 0,
    activity_record_clients_count_max           INTEGER NOT NULL DEFAULT 10,
    is_show_newsletter_agreement                BOOLEAN NOT NULL DEFAULT 0,
    is_show_personal_data_processing_agreement  BOOLEAN NOT NULL DEFAULT 0,
    seance_step                                 INTEGER NOT NULL DEFAULT 900
);
