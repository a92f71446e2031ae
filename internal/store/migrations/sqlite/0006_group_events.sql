-- Group events (activities) occupy their team member's time like an
-- appointment; appointments join one through activity_id (0 = none), taking
-- clients_count seats, and a client schedule through client_schedule_id
-- (0 = none).
CREATE TABLE activities (
    id              INTEGER PRIMARY KEY,
    location_id     INTEGER NOT NULL REFERENCES locations (id),
    service_id      INTEGER NOT NULL REFERENCES services (id),
    team_member_id  INTEGER NOT NULL REFERENCES team_members (id),
    start_at        INTEGER NOT NULL,
    end_at          INTEGER NOT NULL,
    length          INTEGER NOT NULL,
    capacity        INTEGER NOT NULL,
    comment         TEXT    NOT NULL DEFAULT '',
    color           TEXT    NOT NULL DEFAULT '',
    font_color      TEXT    NOT NULL DEFAULT '',
    instructions    TEXT    NOT NULL DEFAULT '',
    stream_link     TEXT    NOT NULL DEFAULT '',
    label_ids       TEXT    NOT NULL DEFAULT '[]',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE INDEX activities_member_time ON activities (team_member_id, start_at);
CREATE INDEX activities_location_time ON activities (location_id, start_at, id);

ALTER TABLE appointments ADD COLUMN activity_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD COLUMN client_schedule_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD COLUMN clients_count INTEGER NOT NULL DEFAULT 1;
CREATE INDEX appointments_activity ON appointments (activity_id);
CREATE INDEX appointments_client_schedule ON appointments (client_schedule_id);

-- An event schedule repeats a group event weekly; each series (one per
-- weekday) yields one event per date, linked to the activity it created
-- (activity_id 0: creation failed). Series times are local wall-clock
-- seconds since midnight; days are local dates.
CREATE TABLE event_schedules (
    id                   INTEGER PRIMARY KEY,
    location_id          INTEGER NOT NULL REFERENCES locations (id),
    original_entity_type TEXT    NOT NULL,
    original_entity_id   INTEGER NOT NULL,
    date_start           TEXT    NOT NULL,
    date_end             TEXT    NOT NULL,
    add_clients          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    deleted_at           INTEGER
);
CREATE INDEX event_schedules_location ON event_schedules (location_id);

CREATE TABLE schedule_series (
    id                      INTEGER PRIMARY KEY,
    schedule_id             INTEGER NOT NULL REFERENCES event_schedules (id),
    day_of_week             INTEGER NOT NULL,
    events_time             INTEGER NOT NULL,
    events_duration         INTEGER NOT NULL,
    events_capacity         INTEGER NOT NULL,
    events_master_id        INTEGER NOT NULL REFERENCES team_members (id),
    labels_ids              TEXT    NOT NULL DEFAULT '[]',
    resource_instances_ids  TEXT    NOT NULL DEFAULT '[]',
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    deleted_at              INTEGER
);
CREATE INDEX schedule_series_schedule ON schedule_series (schedule_id);

CREATE TABLE schedule_events (
    id           INTEGER PRIMARY KEY,
    series_id    INTEGER NOT NULL REFERENCES schedule_series (id),
    day          TEXT    NOT NULL,
    activity_id  INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    deleted_at   INTEGER
);
CREATE INDEX schedule_events_series ON schedule_events (series_id, day);
CREATE INDEX schedule_events_activity ON schedule_events (activity_id);

-- A client schedule books its client into every future event of the
-- series it is attached to.
CREATE TABLE client_schedules (
    id           INTEGER PRIMARY KEY,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    schedule_id  INTEGER NOT NULL REFERENCES event_schedules (id),
    client_id    INTEGER NOT NULL REFERENCES clients (id),
    comer_id     INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    deleted_at   INTEGER
);
CREATE INDEX client_schedules_schedule ON client_schedules (schedule_id);

CREATE TABLE client_schedule_series (
    client_schedule_id  INTEGER NOT NULL REFERENCES client_schedules (id),
    series_id           INTEGER NOT NULL REFERENCES schedule_series (id),
    PRIMARY KEY (client_schedule_id, series_id)
);
CREATE INDEX client_schedule_series_series ON client_schedule_series (series_id);
