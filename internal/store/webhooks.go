package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"appointd/internal/booking"
)

func (t *tx) WebhookSettings(ctx context.Context, locationID int64) (booking.WebhookSettings, error) {
	var w booking.WebhookSettings
	var urls, events string
	var updated int64
	err := t.queryRow(ctx, "SELECT location_id, urls, active, events, secret, updated_at FROM webhook_settings WHERE location_id = ?",
		locationID).Scan(&w.LocationID, &urls, &w.Active, &events, &w.Secret, &updated)
	if err != nil {
		return w, one(err)
	}
	w.URLs, w.Events, w.UpdatedAt = []string{}, map[string]bool{}, fromUnix(updated)
	if err := json.Unmarshal([]byte(urls), &w.URLs); err != nil {
		return w, err
	}
	return w, json.Unmarshal([]byte(events), &w.Events)
}

func (t *tx) PutWebhookSettings(ctx context.Context, w booking.WebhookSettings) error {
	events := map[string]bool{}
	for k, on := range w.Events {
		if on {
			events[k] = true
		}
	}
	_, err := t.exec(ctx, `INSERT INTO webhook_settings (location_id, urls, active, events, secret, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (location_id) DO UPDATE SET urls = excluded.urls, active = excluded.active,
		events = excluded.events, secret = excluded.secret, updated_at = excluded.updated_at`,
		w.LocationID, jsonText(w.URLs), w.Active, jsonText(events), w.Secret, unix(w.UpdatedAt))
	return err
}

func (t *tx) AddWebhookDelivery(ctx context.Context, d booking.WebhookDelivery) error {
	_, err := t.exec(ctx, `INSERT INTO webhook_deliveries (delivery_id, location_id, url, resource, resource_id, status,
		body, state, next_attempt_ms, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.DeliveryID, d.LocationID, d.URL, d.Resource, d.ResourceID, d.Status, string(d.Body), d.State,
		millis(d.NextAttempt), unix(d.CreatedAt), unix(d.UpdatedAt))
	return err
}

const deliveryColumns = `id, delivery_id, location_id, url, resource, resource_id, status, body, state, attempts,
	next_attempt_ms, last_error, created_at, updated_at, delivered_at`

func scanDelivery(r scanner) (booking.WebhookDelivery, error) {
	var d booking.WebhookDelivery
	var body string
	var next, created, updated int64
	var delivered sql.NullInt64
	err := r.Scan(&d.ID, &d.DeliveryID, &d.LocationID, &d.URL, &d.Resource, &d.ResourceID, &d.Status, &body, &d.State,
		&d.Attempts, &next, &d.LastError, &created, &updated, &delivered)
	d.Body, d.CreatedAt, d.UpdatedAt = []byte(body), fromUnix(created), fromUnix(updated)
	if next > 0 {
		d.NextAttempt = time.UnixMilli(next).UTC()
	}
	if delivered.Valid {
		at := fromUnix(delivered.Int64)
		d.DeliveredAt = &at
	}
	return d, one(err)
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// ClaimWebhookDeliveries: on PostgreSQL the SELECT locks the rows it picks
// and skips rows another claim holds (FOR UPDATE SKIP LOCKED), so two
// processes never pick the same row; on SQLite the write transaction is the
// lock. A row waits while an earlier row of its resource and URL is
// pending, which keeps each resource's events in order.
func (t *tx) ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]booking.WebhookDelivery, error) {
	ms := now.UnixMilli()
	rows, err := t.query(ctx, `SELECT d.id FROM webhook_deliveries d
		WHERE d.state = 'pending' AND d.next_attempt_ms <= ? AND d.locked_until_ms <= ?
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.location_id = d.location_id
			AND e.resource = d.resource AND e.resource_id = d.resource_id AND e.url = d.url
			AND e.state = 'pending' AND e.id < d.id)
		ORDER BY d.id LIMIT ?`+t.d.skipLocked(), ms, ms, limit)
	ids, err := scanAll(rows, err, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	out := make([]booking.WebhookDelivery, 0, len(ids))
	for _, id := range ids {
		d, err := scanDelivery(t.queryRow(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, locked_until_ms = ?,
			updated_at = ? WHERE id = ? RETURNING `+deliveryColumns, ms+lease.Milliseconds(), now.Unix(), id))
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (t *tx) FinishWebhookDelivery(ctx context.Context, d booking.WebhookDelivery) (bool, error) {
	var delivered any
	if d.DeliveredAt != nil {
		delivered = unix(*d.DeliveredAt)
	}
	r, err := t.exec(ctx, `UPDATE webhook_deliveries SET state = ?, next_attempt_ms = ?, locked_until_ms = 0,
		last_error = ?, updated_at = ?, delivered_at = ? WHERE id = ? AND attempts = ? AND state = 'pending'`,
		d.State, millis(d.NextAttempt), d.LastError, unix(d.UpdatedAt), delivered, d.ID, d.Attempts)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

func (t *tx) WebhookDeliveries(ctx context.Context, q booking.DeliveryQuery) ([]booking.WebhookDelivery, int, error) {
	where := " FROM webhook_deliveries WHERE location_id = ?"
	args := []any{q.LocationID}
	if len(q.States) > 0 {
		where += " AND state IN (?" + strings.Repeat(", ?", len(q.States)-1) + ")"
		for _, s := range q.States {
			args = append(args, s)
		}
	}
	var total int
	if err := t.queryRow(ctx, "SELECT COUNT(*)"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := t.query(ctx, "SELECT "+deliveryColumns+where+" ORDER BY id DESC LIMIT ? OFFSET ?",
		append(args, limit, max(q.Offset, 0))...)
	list, err := scanAll(rows, err, scanDelivery)
	return list, total, err
}

// RetryWebhookDeliveries puts the location's failed deliveries (only the
// one with id deliveryID when it is not 0) back to pending, due at now,
// with no attempts counted.
func (t *tx) RetryWebhookDeliveries(ctx context.Context, locationID, deliveryID int64, now time.Time) (int, error) {
	q := `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_ms = ?, locked_until_ms = 0,
		updated_at = ? WHERE location_id = ? AND state = 'failed'`
	args := []any{now.UnixMilli(), now.Unix(), locationID}
	if deliveryID != 0 {
		q += " AND id = ?"
		args = append(args, deliveryID)
	}
	r, err := t.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	return int(n), err
}

// OutboxStats counts the pending and failed deliveries of every location
// and finds the oldest pending one.
func (t *tx) OutboxStats(ctx context.Context) (booking.OutboxStats, error) {
	var out booking.OutboxStats
	rows, err := t.query(ctx, `SELECT state, COUNT(*), MIN(created_at) FROM webhook_deliveries
		WHERE state IN ('pending', 'failed') GROUP BY state`)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		var oldest int64
		if err := rows.Scan(&state, &n, &oldest); err != nil {
			return out, err
		}
		if state == booking.DeliveryPending {
			out.Pending, out.OldestPending = n, fromUnix(oldest)
		} else {
			out.Failed = n
		}
	}
	return out, rows.Err()
}

func (t *tx) PruneWebhookDeliveries(ctx context.Context, before time.Time) error {
	_, err := t.exec(ctx, "DELETE FROM webhook_deliveries WHERE state = 'delivered' AND updated_at < ?", unix(before))
	return err
}
