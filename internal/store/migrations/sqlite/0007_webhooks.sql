-- Webhooks (Altegio's "event notification settings", hooks_settings): one
-- row of settings per location. urls is a JSON array; events is a JSON
-- object of the Altegio entity flags (record, client, visit, salon, ...)
-- set to true; secret signs every delivery (HMAC-SHA256).
CREATE TABLE webhook_settings (
    location_id  INTEGER PRIMARY KEY REFERENCES locations (id),
    urls         TEXT    NOT NULL DEFAULT '[]',
    active       BOOLEAN NOT NULL DEFAULT FALSE,
    events       TEXT    NOT NULL DEFAULT '{}',
    secret       TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- The outbox: one row per event and target URL, written in the transaction
-- of the change. state is pending, delivered or failed. Times the worker
-- schedules by are Unix milliseconds (next_attempt_ms, locked_until_ms: a
-- claim's lease); the others Unix seconds.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    delivery_id      TEXT    NOT NULL UNIQUE,
    location_id      INTEGER NOT NULL REFERENCES locations (id),
    url              TEXT    NOT NULL,
    resource         TEXT    NOT NULL,
    resource_id      INTEGER NOT NULL,
    status           TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    state            TEXT    NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  INTEGER NOT NULL,
    locked_until_ms  INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    delivered_at     INTEGER
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (state, next_attempt_ms, id);
CREATE INDEX webhook_deliveries_resource ON webhook_deliveries (location_id, resource, resource_id, url, state, id);
CREATE INDEX webhook_deliveries_location ON webhook_deliveries (location_id, state, id);
