package store

import (
	"context"

	"appointd/internal/booking"
)

func (t *tx) CreateComment(ctx context.Context, c booking.Comment) (int64, error) {
	return t.insert(ctx, `INSERT INTO comments (location_id, type, team_member_id, text, rating, user_id, user_name,
		record_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.LocationID, c.Type, nullID(c.TeamMemberID), c.Text, c.Rating, c.UserID, c.UserName, c.RecordID, unix(c.CreatedAt))
}

func (t *tx) Comments(ctx context.Context, q booking.CommentQuery) ([]booking.Comment, error) {
	query := `SELECT id, location_id, type, COALESCE(team_member_id, 0), text, rating, user_id, user_name, record_id,
		created_at FROM comments WHERE location_id = ?`
	args := []any{q.LocationID}
	if q.From != nil {
		query += " AND created_at >= ?"
		args = append(args, unix(*q.From))
	}
	if q.To != nil {
		query += " AND created_at < ?"
		args = append(args, unix(*q.To))
	}
	if q.TeamMemberID != 0 {
		query += " AND team_member_id = ?"
		args = append(args, q.TeamMemberID)
	}
	if q.Rating != 0 {
		query += " AND rating = ?"
		args = append(args, q.Rating)
	}
	query += " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
	rows, err := t.query(ctx, query, append(args, q.Limit, q.Offset)...)
	return scanAll(rows, err, func(r scanner) (booking.Comment, error) {
		var c booking.Comment
		var created int64
		err := r.Scan(&c.ID, &c.LocationID, &c.Type, &c.TeamMemberID, &c.Text, &c.Rating, &c.UserID, &c.UserName,
			&c.RecordID, &created)
		c.CreatedAt = fromUnix(created)
		return c, err
	})
}

func (t *tx) RateTeamMember(ctx context.Context, teamMemberID int64) error {
	return mustAffect(t.exec(ctx, `UPDATE team_members SET
		rating = (SELECT COALESCE(AVG(rating), 0) FROM comments WHERE team_member_id = ?),
		votes_count = (SELECT COUNT(*) FROM comments WHERE team_member_id = ? AND rating > 0),
		comments_count = (SELECT COUNT(*) FROM comments WHERE team_member_id = ?)
		WHERE id = ?`, teamMemberID, teamMemberID, teamMemberID, teamMemberID))
}

// nullID is an optional reference: 0 is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
