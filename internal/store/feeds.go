package store

import (
	"context"

	"appointd/internal/booking"
)

func (t *tx) PutFeed(ctx context.Context, f booking.Feed) error {
	_, err := t.exec(ctx, `INSERT INTO ical_feeds (team_member_id, location_id, secret_hash, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (team_member_id) DO UPDATE SET location_id = excluded.location_id, secret_hash = excluded.secret_hash,
		created_at = excluded.created_at`, f.TeamMemberID, f.LocationID, f.SecretHash, unix(f.CreatedAt))
	return err
}

func (t *tx) DeleteFeed(ctx context.Context, locationID, teamMemberID int64) error {
	_, err := t.exec(ctx, "DELETE FROM ical_feeds WHERE location_id = ? AND team_member_id = ?", locationID, teamMemberID)
	return err
}

func (t *tx) FeedBySecretHash(ctx context.Context, hash string) (booking.Feed, error) {
	var f booking.Feed
	var created int64
	err := t.queryRow(ctx, "SELECT team_member_id, location_id, secret_hash, created_at FROM ical_feeds WHERE secret_hash = ?", hash).
		Scan(&f.TeamMemberID, &f.LocationID, &f.SecretHash, &created)
	f.CreatedAt = fromUnix(created)
	return f, one(err)
}
