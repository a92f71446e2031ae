-- Calendar feeds: one per team member, found by the SHA-256 of its secret
-- (the secret itself is shown once and never stored). Rotating replaces the
-- row, so the old secret stops working.
CREATE TABLE ical_feeds (
    team_member_id  BIGINT  PRIMARY KEY REFERENCES team_members (id),
    location_id     BIGINT  NOT NULL REFERENCES locations (id),
    secret_hash     TEXT    NOT NULL UNIQUE,
    created_at      BIGINT  NOT NULL
);

-- sequence counts an appointment's changes (iCalendar SEQUENCE): every
-- UPDATE of an appointment adds one.
ALTER TABLE appointments ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
