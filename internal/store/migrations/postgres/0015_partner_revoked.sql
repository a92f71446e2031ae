-- A revoked partner keeps its row (its id stays in sessions, appointments
-- and logs) but its token no longer authenticates. revoked_at is unix
-- seconds; NULL while the partner is active.
ALTER TABLE partners ADD COLUMN revoked_at BIGINT;
