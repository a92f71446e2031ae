package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"appointd/internal/booking"
)

const activityColumns = `id, location_id, service_id, team_member_id, start_at, length, capacity, comment, color,
	font_color, instructions, stream_link, label_ids, created_at, updated_at, deleted_at,
	(SELECT COALESCE(SUM(r.clients_count), 0) FROM appointments r WHERE r.activity_id = activities.id AND r.deleted_at IS NULL)`

func scanActivity(r scanner) (booking.Activity, error) {
	var a booking.Activity
	var start, created, updated int64
	var deleted sql.NullInt64
	var labels string
	err := r.Scan(&a.ID, &a.LocationID, &a.ServiceID, &a.TeamMemberID, &start, &a.Length, &a.Capacity, &a.Comment,
		&a.Color, &a.FontColor, &a.Instructions, &a.StreamLink, &labels, &created, &updated, &deleted, &a.RecordsCount)
	if err != nil {
		return a, one(err)
	}
	a.Start, a.CreatedAt, a.UpdatedAt, a.Deleted = fromUnix(start), fromUnix(created), fromUnix(updated), deleted.Valid
	_ = json.Unmarshal([]byte(labels), &a.LabelIDs)
	return a, nil
}

func ids(v []int64) []int64 {
	if v == nil {
		return []int64{}
	}
	return v
}

func (t *tx) CreateActivity(ctx context.Context, a booking.Activity) (int64, error) {
	return t.insert(ctx, `INSERT INTO activities (location_id, service_id, team_member_id, start_at, end_at, length,
		capacity, comment, color, font_color, instructions, stream_link, label_ids, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.LocationID, a.ServiceID, a.TeamMemberID, unix(a.Start), unix(a.End()), a.Length, a.Capacity, a.Comment,
		a.Color, a.FontColor, a.Instructions, a.StreamLink, jsonText(ids(a.LabelIDs)), unix(a.CreatedAt), unix(a.UpdatedAt))
}

func (t *tx) Activity(ctx context.Context, locationID, id int64) (booking.Activity, error) {
	return scanActivity(t.queryRow(ctx, "SELECT "+activityColumns+" FROM activities WHERE location_id = ? AND id = ?", locationID, id))
}

func (t *tx) UpdateActivity(ctx context.Context, a booking.Activity) error {
	return mustAffect(t.exec(ctx, `UPDATE activities SET service_id = ?, team_member_id = ?, start_at = ?, end_at = ?,
		length = ?, capacity = ?, comment = ?, color = ?, font_color = ?, instructions = ?, stream_link = ?, label_ids = ?,
		updated_at = ? WHERE location_id = ? AND id = ? AND deleted_at IS NULL`,
		a.ServiceID, a.TeamMemberID, unix(a.Start), unix(a.End()), a.Length, a.Capacity, a.Comment, a.Color, a.FontColor,
		a.Instructions, a.StreamLink, jsonText(ids(a.LabelIDs)), unix(a.UpdatedAt), a.LocationID, a.ID))
}

func (t *tx) DeleteActivity(ctx context.Context, locationID, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE activities SET deleted_at = ?, updated_at = ? WHERE location_id = ? AND id = ? AND deleted_at IS NULL",
		unix(at), unix(at), locationID, id))
}

func (t *tx) Activities(ctx context.Context, q booking.ActivityQuery) ([]booking.Activity, int, error) {
	where := []string{"location_id = ?", "deleted_at IS NULL", "start_at >= ?", "start_at < ?"}
	args := []any{q.LocationID, unix(q.From), unix(q.Before)}
	inList("service_id", q.ServiceIDs, &where, &args)
	inList("team_member_id", q.TeamMemberIDs, &where, &args)
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := t.queryRow(ctx, "SELECT COUNT(*) FROM activities"+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	query := "SELECT " + activityColumns + " FROM activities" + cond + " ORDER BY start_at, id"
	if q.Limit > 0 {
		query += " LIMIT ? OFFSET ?"
		args = append(args, q.Limit, q.Offset)
	}
	rows, err := t.query(ctx, query, args...)
	list, err := scanAll(rows, err, scanActivity)
	return list, total, err
}

func (t *tx) ActivitiesOverlapping(ctx context.Context, teamMemberID int64, from, to time.Time, except int64) ([]booking.Activity, error) {
	rows, err := t.query(ctx, "SELECT "+activityColumns+` FROM activities WHERE team_member_id = ? AND deleted_at IS NULL
		AND start_at < ? AND start_at > ? AND end_at > ? AND id <> ? ORDER BY start_at, id`,
		teamMemberID, unix(to), unix(from)-maxAppointmentLength, unix(from), except)
	return scanAll(rows, err, scanActivity)
}

func (t *tx) ActivityRecords(ctx context.Context, activityID int64) ([]booking.Appointment, error) {
	return t.appointmentsWhere(ctx, "a.activity_id = ?", activityID)
}

func (t *tx) ClientScheduleRecords(ctx context.Context, clientScheduleID int64) ([]booking.Appointment, error) {
	return t.appointmentsWhere(ctx, "a.client_schedule_id = ?", clientScheduleID)
}

// appointmentsWhere lists live appointments matching one condition, in id
// order, with their service lines.
func (t *tx) appointmentsWhere(ctx context.Context, cond string, arg int64) ([]booking.Appointment, error) {
	rows, err := t.query(ctx, "SELECT "+appointmentColumns+appointmentFrom+" WHERE "+cond+
		" AND a.deleted_at IS NULL ORDER BY a.id", arg)
	list, err := scanAll(rows, err, scanAppointment)
	if err != nil {
		return nil, err
	}
	return list, t.attachServiceLines(ctx, list)
}
