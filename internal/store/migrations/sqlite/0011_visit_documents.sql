-- Every visit has one document of type 7 ("Visit"): appointment answers
-- list it in documents and the visit's payments name it in document_id.
-- number is the document's id (unique without a counter to lock).
CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    type_id      INTEGER NOT NULL,
    visit_id     INTEGER NOT NULL REFERENCES visits (id),
    user_id      INTEGER NOT NULL DEFAULT 0,
    number       INTEGER NOT NULL DEFAULT 0,
    comment      TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX documents_visit_type ON documents (visit_id, type_id);
-- include_finance_transactions reads a page's payments by appointment.
CREATE INDEX payments_appointment ON payments (appointment_id);

-- Visits that existed before get theirs, by the user who created their
-- first appointment.
INSERT INTO documents (location_id, type_id, visit_id, user_id, created_at)
    SELECT v.location_id, 7, v.id,
           COALESCE((SELECT a.created_user_id FROM appointments a WHERE a.visit_id = v.id ORDER BY a.id LIMIT 1), 0),
           v.created_at
    FROM visits v;
UPDATE documents SET number = id WHERE number = 0;

-- visits.attendance follows its appointments from now on (docs/ARCHITECTURE.md,
-- "Visit status"); bring the existing visits in line once.
UPDATE visits SET attendance = CASE
        WHEN EXISTS (SELECT 1 FROM appointments x WHERE x.visit_id = visits.id AND x.deleted_at IS NULL AND x.attendance = 1) THEN 1
        WHEN NOT EXISTS (SELECT 1 FROM appointments x WHERE x.visit_id = visits.id AND x.deleted_at IS NULL AND x.attendance <> -1) THEN -1
        WHEN NOT EXISTS (SELECT 1 FROM appointments x WHERE x.visit_id = visits.id AND x.deleted_at IS NULL AND x.attendance NOT IN (-1, 2)) THEN 2
        ELSE 0 END
    WHERE deleted_at IS NULL
      AND EXISTS (SELECT 1 FROM appointments x WHERE x.visit_id = visits.id AND x.deleted_at IS NULL);
