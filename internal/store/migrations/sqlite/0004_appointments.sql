-- Visits group a client's appointments of one local day (D11);
-- appointments occupy [start_at, end_at) of their team member, where
-- end_at = start_at + seance_length (the technical break included).
CREATE TABLE visits (
    id           INTEGER PRIMARY KEY,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    client_id    INTEGER REFERENCES clients (id),
    day          TEXT    NOT NULL,
    attendance   INTEGER NOT NULL DEFAULT 0,
    comment      TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    deleted_at   INTEGER
);
CREATE INDEX visits_client_day ON visits (location_id, client_id, day);

CREATE TABLE appointments (
    id                        INTEGER PRIMARY KEY,
    location_id               INTEGER NOT NULL REFERENCES locations (id),
    team_member_id            INTEGER NOT NULL REFERENCES team_members (id),
    client_id                 INTEGER REFERENCES clients (id),
    visit_id                  INTEGER NOT NULL REFERENCES visits (id),
    start_at                  INTEGER NOT NULL,
    end_at                    INTEGER NOT NULL,
    seance_length             INTEGER NOT NULL,
    technical_break_duration  INTEGER NOT NULL DEFAULT 0,
    comment                   TEXT    NOT NULL DEFAULT '',
    attendance                INTEGER NOT NULL DEFAULT 0,
    api_id                    TEXT    NOT NULL DEFAULT '',
    custom_color              TEXT    NOT NULL DEFAULT '',
    record_labels             TEXT    NOT NULL DEFAULT '[]',
    custom_fields             TEXT    NOT NULL DEFAULT '{}',
    sms_remain_hours          INTEGER,
    email_remain_hours        INTEGER,
    send_sms                  BOOLEAN NOT NULL DEFAULT 0,
    created_user_id           INTEGER NOT NULL DEFAULT 0,
    partner_id                INTEGER NOT NULL DEFAULT 0,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL,
    deleted_at                INTEGER
);
CREATE INDEX appointments_member_time ON appointments (team_member_id, start_at);
CREATE INDEX appointments_location_time ON appointments (location_id, start_at, id);
CREATE INDEX appointments_visit ON appointments (visit_id);

CREATE TABLE appointment_services (
    appointment_id  INTEGER NOT NULL REFERENCES appointments (id),
    position        INTEGER NOT NULL,
    service_id      INTEGER NOT NULL REFERENCES services (id),
    title           TEXT    NOT NULL,
    first_cost      INTEGER NOT NULL,
    discount        INTEGER NOT NULL DEFAULT 0,
    cost            INTEGER NOT NULL,
    amount          INTEGER NOT NULL DEFAULT 1,
    length          INTEGER NOT NULL,
    PRIMARY KEY (appointment_id, position)
);
