-- One row per throttled key ("login:…", "ip:…"). A login attempt upserts its
-- keys' rows before it counts their failures, so on PostgreSQL concurrent
-- attempts for one key wait for each other (the upsert holds the row lock to
-- the end of the transaction) and the count-then-reserve is atomic.
-- last_at is the key's latest attempt; rows older than the window are pruned.
CREATE TABLE login_keys (
    subject  TEXT    PRIMARY KEY,
    last_at  BIGINT  NOT NULL
);
CREATE INDEX login_keys_last_at ON login_keys (last_at);

-- An attempt is reserved as a pending failure before its password check; a
-- wrong password settles it (pending false), a right one deletes it.
ALTER TABLE login_failures ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
