-- confirmed is the appointment's own "confirmed" flag, apart from its
-- attendance: 1 for every booking made by staff or through the API, which
-- are all the bookings appointd takes (docs/ARCHITECTURE.md, "The
-- appointment object"). Existing rows are such bookings, so they get 1.
ALTER TABLE appointments ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 1;

-- A client's arrived and no-show counts (the client part of an appointment)
-- are read by client id.
CREATE INDEX appointments_client ON appointments (client_id, attendance);
