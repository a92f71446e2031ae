package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"time"

	"appointd/internal/booking"
)

const scheduleColumns = `id, location_id, original_entity_type, original_entity_id, date_start, date_end, add_clients,
	created_at, updated_at`

func scanSchedule(r scanner) (booking.EventSchedule, error) {
	var s booking.EventSchedule
	var start, end string
	var created, updated int64
	err := r.Scan(&s.ID, &s.LocationID, &s.OriginalEntityType, &s.OriginalEntityID, &start, &end, &s.AddClients,
		&created, &updated)
	if err != nil {
		return s, one(err)
	}
	s.DateStart, _ = time.Parse(dayLayout, start)
	s.DateEnd, _ = time.Parse(dayLayout, end)
	s.CreatedAt, s.UpdatedAt = fromUnix(created), fromUnix(updated)
	return s, nil
}

func (t *tx) CreateSchedule(ctx context.Context, s booking.EventSchedule) (int64, error) {
	return t.insert(ctx, `INSERT INTO event_schedules (location_id, original_entity_type, original_entity_id, date_start,
		date_end, add_clients, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.LocationID, s.OriginalEntityType, s.OriginalEntityID, s.DateStart.Format(dayLayout), s.DateEnd.Format(dayLayout),
		s.AddClients, unix(s.CreatedAt), unix(s.UpdatedAt))
}

func (t *tx) Schedule(ctx context.Context, locationID, id int64) (booking.EventSchedule, error) {
	s, err := scanSchedule(t.queryRow(ctx, "SELECT "+scheduleColumns+
		" FROM event_schedules WHERE location_id = ? AND id = ? AND deleted_at IS NULL", locationID, id))
	if err != nil {
		return s, err
	}
	rows, err := t.query(ctx, "SELECT "+seriesColumns+" FROM schedule_series WHERE schedule_id = ? AND deleted_at IS NULL", id)
	if s.Series, err = scanAll(rows, err, scanSeries); err != nil {
		return s, err
	}
	sortSeries(s.Series)
	return s, nil
}

// sortSeries orders series Monday first, as the API lists weekdays.
func sortSeries(list []booking.Series) {
	key := func(s booking.Series) int { return (int(s.Weekday) + 6) % 7 }
	sort.Slice(list, func(i, j int) bool { return key(list[i]) < key(list[j]) })
}

func (t *tx) ScheduleOfActivity(ctx context.Context, locationID, activityID int64) (booking.EventSchedule, error) {
	var id int64
	err := t.queryRow(ctx, `SELECT s.id FROM event_schedules s WHERE s.location_id = ? AND s.deleted_at IS NULL AND
		((s.original_entity_type = 'activity' AND s.original_entity_id = ?) OR EXISTS (SELECT 1 FROM schedule_events e
		JOIN schedule_series r ON r.id = e.series_id WHERE r.schedule_id = s.id AND e.activity_id = ?))
		ORDER BY s.id LIMIT 1`, locationID, activityID, activityID).Scan(&id)
	if err != nil {
		return booking.EventSchedule{}, one(err)
	}
	return t.Schedule(ctx, locationID, id)
}

func (t *tx) UpdateSchedule(ctx context.Context, s booking.EventSchedule) error {
	return mustAffect(t.exec(ctx, "UPDATE event_schedules SET date_end = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
		s.DateEnd.Format(dayLayout), unix(s.UpdatedAt), s.ID))
}

func (t *tx) DeleteSchedule(ctx context.Context, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE event_schedules SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
		unix(at), unix(at), id))
}

const seriesColumns = `id, schedule_id, day_of_week, events_time, events_duration, events_capacity, events_master_id,
	labels_ids, resource_instances_ids, created_at, updated_at`

func scanSeries(r scanner) (booking.Series, error) {
	var s booking.Series
	var wd, created, updated int64
	var labels, resources string
	err := r.Scan(&s.ID, &s.ScheduleID, &wd, &s.Time, &s.Duration, &s.Capacity, &s.MasterID, &labels, &resources,
		&created, &updated)
	if err != nil {
		return s, one(err)
	}
	s.Weekday, s.CreatedAt, s.UpdatedAt = time.Weekday(wd), fromUnix(created), fromUnix(updated)
	_ = json.Unmarshal([]byte(labels), &s.LabelIDs)
	_ = json.Unmarshal([]byte(resources), &s.ResourceInstanceIDs)
	return s, nil
}

func (t *tx) CreateSeries(ctx context.Context, s booking.Series) (int64, error) {
	return t.insert(ctx, `INSERT INTO schedule_series (schedule_id, day_of_week, events_time, events_duration,
		events_capacity, events_master_id, labels_ids, resource_instances_ids, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ScheduleID, int64(s.Weekday), s.Time, s.Duration, s.Capacity, s.MasterID, jsonText(ids(s.LabelIDs)),
		jsonText(ids(s.ResourceInstanceIDs)), unix(s.CreatedAt), unix(s.UpdatedAt))
}

func (t *tx) UpdateSeries(ctx context.Context, s booking.Series) error {
	return mustAffect(t.exec(ctx, `UPDATE schedule_series SET events_time = ?, events_duration = ?, events_capacity = ?,
		events_master_id = ?, labels_ids = ?, resource_instances_ids = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
		s.Time, s.Duration, s.Capacity, s.MasterID, jsonText(ids(s.LabelIDs)), jsonText(ids(s.ResourceInstanceIDs)),
		unix(s.UpdatedAt), s.ID))
}

func (t *tx) DeleteSeries(ctx context.Context, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE schedule_series SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
		unix(at), unix(at), id))
}

func (t *tx) CreateEvent(ctx context.Context, e booking.Event) (int64, error) {
	return t.insert(ctx, `INSERT INTO schedule_events (series_id, day, activity_id, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, e.SeriesID, e.Day.Format(dayLayout), e.ActivityID, e.Status, unix(e.CreatedAt), unix(e.UpdatedAt))
}

func (t *tx) Events(ctx context.Context, seriesID int64) ([]booking.Event, error) {
	rows, err := t.query(ctx, `SELECT id, series_id, day, activity_id, status, created_at, updated_at FROM schedule_events
		WHERE series_id = ? AND deleted_at IS NULL ORDER BY day, id`, seriesID)
	return scanAll(rows, err, func(r scanner) (booking.Event, error) {
		var e booking.Event
		var day string
		var created, updated int64
		if err := r.Scan(&e.ID, &e.SeriesID, &day, &e.ActivityID, &e.Status, &created, &updated); err != nil {
			return e, err
		}
		e.Day, _ = time.Parse(dayLayout, day)
		e.CreatedAt, e.UpdatedAt = fromUnix(created), fromUnix(updated)
		return e, nil
	})
}

func (t *tx) DeleteEvent(ctx context.Context, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE schedule_events SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
		unix(at), unix(at), id))
}

func (t *tx) CreateClientSchedule(ctx context.Context, cs booking.ClientSchedule) (int64, error) {
	id, err := t.insert(ctx, `INSERT INTO client_schedules (location_id, schedule_id, client_id, comer_id, created_at,
		updated_at) VALUES (?, ?, ?, ?, ?, ?)`, cs.LocationID, cs.ScheduleID, cs.ClientID, nullInt(cs.ComerID),
		unix(cs.CreatedAt), unix(cs.UpdatedAt))
	if err != nil {
		return 0, err
	}
	return id, t.insertClientScheduleSeries(ctx, id, cs.SeriesIDs)
}

func (t *tx) insertClientScheduleSeries(ctx context.Context, id int64, seriesIDs []int64) error {
	for _, sid := range seriesIDs {
		if _, err := t.exec(ctx, "INSERT INTO client_schedule_series (client_schedule_id, series_id) VALUES (?, ?)", id, sid); err != nil {
			return err
		}
	}
	return nil
}

const clientScheduleColumns = "id, location_id, schedule_id, client_id, comer_id, created_at, updated_at"

func (t *tx) scanClientSchedules(ctx context.Context, rows *sql.Rows, err error) ([]booking.ClientSchedule, error) {
	list, err := scanAll(rows, err, func(r scanner) (booking.ClientSchedule, error) {
		var cs booking.ClientSchedule
		var comer sql.NullInt64
		var created, updated int64
		if err := r.Scan(&cs.ID, &cs.LocationID, &cs.ScheduleID, &cs.ClientID, &comer, &created, &updated); err != nil {
			return cs, err
		}
		cs.ComerID, cs.CreatedAt, cs.UpdatedAt = intPtr(comer), fromUnix(created), fromUnix(updated)
		return cs, nil
	})
	for i := range list {
		if err != nil {
			break
		}
		var srows *sql.Rows
		srows, err = t.query(ctx, `SELECT l.series_id FROM client_schedule_series l JOIN schedule_series s ON s.id = l.series_id
			WHERE l.client_schedule_id = ? AND s.deleted_at IS NULL ORDER BY l.series_id`, list[i].ID)
		list[i].SeriesIDs, err = scanAll(srows, err, func(r scanner) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
	}
	return list, err
}

func (t *tx) ClientSchedule(ctx context.Context, scheduleID, id int64) (booking.ClientSchedule, error) {
	rows, err := t.query(ctx, "SELECT "+clientScheduleColumns+
		" FROM client_schedules WHERE schedule_id = ? AND id = ? AND deleted_at IS NULL", scheduleID, id)
	list, err := t.scanClientSchedules(ctx, rows, err)
	if err == nil && len(list) == 0 {
		err = booking.ErrNotFound
	}
	if err != nil {
		return booking.ClientSchedule{}, err
	}
	return list[0], nil
}

func (t *tx) ClientSchedules(ctx context.Context, scheduleID int64) ([]booking.ClientSchedule, error) {
	rows, err := t.query(ctx, "SELECT "+clientScheduleColumns+
		" FROM client_schedules WHERE schedule_id = ? AND deleted_at IS NULL ORDER BY id", scheduleID)
	return t.scanClientSchedules(ctx, rows, err)
}

func (t *tx) SetClientScheduleSeries(ctx context.Context, id int64, seriesIDs []int64, at time.Time) error {
	if err := mustAffect(t.exec(ctx, "UPDATE client_schedules SET updated_at = ? WHERE id = ? AND deleted_at IS NULL", unix(at), id)); err != nil {
		return err
	}
	if _, err := t.exec(ctx, "DELETE FROM client_schedule_series WHERE client_schedule_id = ?", id); err != nil {
		return err
	}
	return t.insertClientScheduleSeries(ctx, id, seriesIDs)
}

func (t *tx) DeleteClientSchedule(ctx context.Context, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE client_schedules SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
		unix(at), unix(at), id))
}

func (t *tx) DetachSeries(ctx context.Context, seriesID int64) error {
	_, err := t.exec(ctx, "DELETE FROM client_schedule_series WHERE series_id = ?", seriesID)
	return err
}
