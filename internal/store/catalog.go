package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"appointd/internal/booking"
)

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func intPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// scanAll reads every row with scan.
func scanAll[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t *tx) CreatePosition(ctx context.Context, p booking.Position) (int64, error) {
	return t.insert(ctx, "INSERT INTO positions (location_id, title, api_id) VALUES (?, ?, ?)", p.LocationID, p.Title, p.APIID)
}

func scanPosition(r scanner) (booking.Position, error) {
	var p booking.Position
	err := r.Scan(&p.ID, &p.LocationID, &p.Title, &p.APIID)
	return p, one(err)
}

func (t *tx) Positions(ctx context.Context, locationID int64) ([]booking.Position, error) {
	rows, err := t.query(ctx, "SELECT id, location_id, title, api_id FROM positions WHERE location_id = ? ORDER BY id", locationID)
	return scanAll(rows, err, scanPosition)
}

func (t *tx) Position(ctx context.Context, locationID, id int64) (booking.Position, error) {
	return scanPosition(t.queryRow(ctx, "SELECT id, location_id, title, api_id FROM positions WHERE location_id = ? AND id = ?", locationID, id))
}

const memberColumns = `m.id, m.location_id, m.name, m.specialization, m.position_id, m.api_id, m.information,
	m.avatar, m.weight, m.user_id, m.has_access_timetable, m.hidden, m.fired, m.is_paid_staff, m.rating,
	m.votes_count, m.comments_count, m.created_at, m.updated_at, m.deleted_at, p.title`

const memberFrom = " FROM team_members m LEFT JOIN positions p ON p.id = m.position_id"

func scanMember(r scanner) (booking.TeamMember, error) {
	var m booking.TeamMember
	var pos, user, deleted sql.NullInt64
	var posTitle sql.NullString
	var created, updated int64
	err := r.Scan(&m.ID, &m.LocationID, &m.Name, &m.Specialization, &pos, &m.APIID, &m.Information,
		&m.Avatar, &m.Weight, &user, &m.HasAccessTimetable, &m.Hidden, &m.Fired, &m.IsPaidStaff, &m.Rating,
		&m.VotesCount, &m.CommentsCount, &created, &updated, &deleted, &posTitle)
	if err != nil {
		return m, one(err)
	}
	m.PositionID, m.UserID, m.Deleted = intPtr(pos), intPtr(user), deleted.Valid
	m.CreatedAt, m.UpdatedAt = fromUnix(created), fromUnix(updated)
	if pos.Valid {
		m.Position = &booking.Position{ID: pos.Int64, LocationID: m.LocationID, Title: posTitle.String}
	}
	return m, nil
}

func (t *tx) CreateTeamMember(ctx context.Context, m booking.TeamMember) (int64, error) {
	return t.insert(ctx, `INSERT INTO team_members (location_id, name, specialization, position_id, api_id,
		information, avatar, weight, user_id, has_access_timetable, hidden, fired, is_paid_staff, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.LocationID, m.Name, m.Specialization, nullInt(m.PositionID), m.APIID, m.Information, m.Avatar, m.Weight,
		nullInt(m.UserID), m.HasAccessTimetable, m.Hidden, m.Fired, m.IsPaidStaff, unix(m.CreatedAt), unix(m.UpdatedAt))
}

// TeamMember returns a member of the location, removed ones included
// (Deleted set), so that old appointments can still name theirs.
func (t *tx) TeamMember(ctx context.Context, locationID, id int64) (booking.TeamMember, error) {
	return scanMember(t.queryRow(ctx, "SELECT "+memberColumns+memberFrom+" WHERE m.location_id = ? AND m.id = ?", locationID, id))
}

func (t *tx) TeamMembers(ctx context.Context, locationID int64) ([]booking.TeamMember, error) {
	rows, err := t.query(ctx, "SELECT "+memberColumns+memberFrom+
		" WHERE m.location_id = ? AND m.deleted_at IS NULL ORDER BY m.weight DESC, m.id", locationID)
	return scanAll(rows, err, scanMember)
}

func (t *tx) UpdateTeamMember(ctx context.Context, m booking.TeamMember) error {
	return mustAffect(t.exec(ctx, `UPDATE team_members SET name = ?, specialization = ?, position_id = ?, api_id = ?,
		information = ?, avatar = ?, weight = ?, user_id = ?, has_access_timetable = ?, hidden = ?, fired = ?,
		is_paid_staff = ?, rating = ?, votes_count = ?, comments_count = ?, updated_at = ?
		WHERE location_id = ? AND id = ? AND deleted_at IS NULL`,
		m.Name, m.Specialization, nullInt(m.PositionID), m.APIID, m.Information, m.Avatar, m.Weight, nullInt(m.UserID),
		m.HasAccessTimetable, m.Hidden, m.Fired, m.IsPaidStaff, m.Rating, m.VotesCount, m.CommentsCount,
		unix(m.UpdatedAt), m.LocationID, m.ID))
}

func (t *tx) DeleteTeamMember(ctx context.Context, locationID, id int64, at time.Time) error {
	if err := mustAffect(t.exec(ctx, "UPDATE team_members SET deleted_at = ? WHERE location_id = ? AND id = ? AND deleted_at IS NULL",
		unix(at), locationID, id)); err != nil {
		return err
	}
	_, err := t.exec(ctx, "DELETE FROM service_staff WHERE team_member_id = ?", id)
	return err
}

func scanCategory(r scanner) (booking.ServiceCategory, error) {
	var c booking.ServiceCategory
	var staff sql.NullString
	err := r.Scan(&c.ID, &c.LocationID, &c.Title, &c.APIID, &c.Weight, &staff, &c.PriceMin, &c.PriceMax)
	if err != nil {
		return c, one(err)
	}
	c.StaffIDs = splitIDs(staff.String)
	return c, nil
}

func splitIDs(s string) []int64 {
	out := []int64{}
	var ids []int64
	if s != "" {
		_ = json.Unmarshal([]byte("["+s+"]"), &ids)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// categorySelect lists categories with the members linked to their services.
func (t *tx) categorySelect() string {
	agg := "group_concat(ss.team_member_id)"
	if t.d == postgres {
		agg = "string_agg(ss.team_member_id::text, ',' ORDER BY ss.team_member_id)"
	}
	return `SELECT c.id, c.location_id, c.title, c.api_id, c.weight, ` + agg + `,
		COALESCE(MIN(s.price_min), 0), COALESCE(MAX(s.price_max), 0)
		FROM service_categories c
		LEFT JOIN services s ON s.category_id = c.id AND s.deleted_at IS NULL
		LEFT JOIN service_staff ss ON ss.service_id = s.id`
}

func (t *tx) CreateCategory(ctx context.Context, c booking.ServiceCategory) (int64, error) {
	return t.insert(ctx, "INSERT INTO service_categories (location_id, title, api_id, weight) VALUES (?, ?, ?, ?)",
		c.LocationID, c.Title, c.APIID, c.Weight)
}

func (t *tx) Category(ctx context.Context, locationID, id int64) (booking.ServiceCategory, error) {
	return scanCategory(t.queryRow(ctx, t.categorySelect()+
		" WHERE c.location_id = ? AND c.id = ? AND c.deleted_at IS NULL GROUP BY c.id, c.location_id, c.title, c.api_id, c.weight", locationID, id))
}

func (t *tx) Categories(ctx context.Context, f booking.ServiceFilter) ([]booking.ServiceCategory, error) {
	q := t.categorySelect() + " WHERE c.location_id = ? AND c.deleted_at IS NULL"
	args := []any{f.LocationID}
	if f.TeamMemberID != 0 {
		q += ` AND c.id IN (SELECT s2.category_id FROM services s2 JOIN service_staff l ON l.service_id = s2.id
			WHERE l.team_member_id = ? AND s2.deleted_at IS NULL)`
		args = append(args, f.TeamMemberID)
	}
	q += " GROUP BY c.id, c.location_id, c.title, c.api_id, c.weight ORDER BY c.weight DESC, c.id"
	rows, err := t.query(ctx, q, args...)
	return scanAll(rows, err, scanCategory)
}

func (t *tx) UpdateCategory(ctx context.Context, c booking.ServiceCategory) error {
	return mustAffect(t.exec(ctx, "UPDATE service_categories SET title = ?, api_id = ?, weight = ? WHERE location_id = ? AND id = ? AND deleted_at IS NULL",
		c.Title, c.APIID, c.Weight, c.LocationID, c.ID))
}

func (t *tx) DeleteCategory(ctx context.Context, locationID, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE service_categories SET deleted_at = ? WHERE location_id = ? AND id = ? AND deleted_at IS NULL",
		unix(at), locationID, id))
}

const serviceColumns = `id, location_id, category_id, title, booking_title, price_min, price_max, duration,
	technical_break_duration, discount, comment, weight, active, api_id`

func scanService(r scanner) (booking.SalonService, error) {
	var s booking.SalonService
	var brk sql.NullInt64
	err := r.Scan(&s.ID, &s.LocationID, &s.CategoryID, &s.Title, &s.BookingTitle, &s.PriceMin, &s.PriceMax,
		&s.Duration, &brk, &s.Discount, &s.Comment, &s.Weight, &s.Active, &s.APIID)
	s.TechnicalBreakDuration = intPtr(brk)
	return s, one(err)
}

func (t *tx) CreateService(ctx context.Context, s booking.SalonService) (int64, error) {
	return t.insert(ctx, `INSERT INTO services (location_id, category_id, title, booking_title, price_min, price_max,
		duration, technical_break_duration, discount, comment, weight, active, api_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.LocationID, s.CategoryID, s.Title, s.BookingTitle, s.PriceMin, s.PriceMax, s.Duration,
		nullInt(s.TechnicalBreakDuration), s.Discount, s.Comment, s.Weight, s.Active, s.APIID)
}

func (t *tx) Service(ctx context.Context, locationID, id int64) (booking.SalonService, error) {
	s, err := scanService(t.queryRow(ctx, "SELECT "+serviceColumns+" FROM services WHERE location_id = ? AND id = ? AND deleted_at IS NULL", locationID, id))
	if err != nil {
		return s, err
	}
	s.Staff, err = t.staffLinks(ctx, "l.service_id = ?", id)
	return s, err
}

func (t *tx) Services(ctx context.Context, f booking.ServiceFilter) ([]booking.SalonService, error) {
	q := "SELECT " + serviceColumns + " FROM services WHERE location_id = ? AND deleted_at IS NULL"
	args := []any{f.LocationID}
	if f.CategoryID != 0 {
		q += " AND category_id = ?"
		args = append(args, f.CategoryID)
	}
	if f.TeamMemberID != 0 {
		q += " AND id IN (SELECT service_id FROM service_staff WHERE team_member_id = ?)"
		args = append(args, f.TeamMemberID)
	}
	rows, err := t.query(ctx, q+" ORDER BY weight DESC, id", args...)
	list, err := scanAll(rows, err, scanService)
	if err != nil || len(list) == 0 {
		return list, err
	}
	links, err := t.staffLinks(ctx, "s.location_id = ? AND s.deleted_at IS NULL", f.LocationID)
	if err != nil {
		return nil, err
	}
	byService := map[int64][]booking.StaffLink{}
	for _, l := range links {
		byService[l.ServiceID] = append(byService[l.ServiceID], l)
	}
	for i := range list {
		list[i].Staff = byService[list[i].ID]
	}
	return list, nil
}

func (t *tx) staffLinks(ctx context.Context, where string, arg any) ([]booking.StaffLink, error) {
	rows, err := t.query(ctx, `SELECT l.service_id, l.team_member_id, l.seance_length, l.technological_card_id, m.name, m.avatar
		FROM service_staff l JOIN services s ON s.id = l.service_id
		JOIN team_members m ON m.id = l.team_member_id AND m.deleted_at IS NULL
		WHERE `+where+` ORDER BY l.service_id, l.team_member_id`, arg)
	return scanAll(rows, err, func(r scanner) (booking.StaffLink, error) {
		var l booking.StaffLink
		var card sql.NullInt64
		err := r.Scan(&l.ServiceID, &l.TeamMemberID, &l.SeanceLength, &card, &l.Name, &l.Avatar)
		l.TechnologicalCardID = intPtr(card)
		return l, err
	})
}

func (t *tx) UpdateService(ctx context.Context, s booking.SalonService) error {
	return mustAffect(t.exec(ctx, `UPDATE services SET category_id = ?, title = ?, booking_title = ?, price_min = ?,
		price_max = ?, duration = ?, technical_break_duration = ?, discount = ?, comment = ?, weight = ?, active = ?, api_id = ?
		WHERE location_id = ? AND id = ? AND deleted_at IS NULL`,
		s.CategoryID, s.Title, s.BookingTitle, s.PriceMin, s.PriceMax, s.Duration, nullInt(s.TechnicalBreakDuration),
		s.Discount, s.Comment, s.Weight, s.Active, s.APIID, s.LocationID, s.ID))
}

func (t *tx) DeleteService(ctx context.Context, locationID, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE services SET deleted_at = ? WHERE location_id = ? AND id = ? AND deleted_at IS NULL",
		unix(at), locationID, id))
}

func (t *tx) SetStaffLinks(ctx context.Context, serviceID int64, links []booking.StaffLink) error {
	if _, err := t.exec(ctx, "DELETE FROM service_staff WHERE service_id = ?", serviceID); err != nil {
		return err
	}
	for _, l := range links {
		l.ServiceID = serviceID
		if err := t.PutStaffLink(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) PutStaffLink(ctx context.Context, l booking.StaffLink) error {
	_, err := t.exec(ctx, `INSERT INTO service_staff (service_id, team_member_id, seance_length, technological_card_id)
		VALUES (?, ?, ?, ?) ON CONFLICT (service_id, team_member_id)
		DO UPDATE SET seance_length = excluded.seance_length, technological_card_id = excluded.technological_card_id`,
		l.ServiceID, l.TeamMemberID, l.SeanceLength, nullInt(l.TechnologicalCardID))
	return err
}

func (t *tx) DeleteStaffLink(ctx context.Context, serviceID, teamMemberID int64) error {
	return mustAffect(t.exec(ctx, "DELETE FROM service_staff WHERE service_id = ? AND team_member_id = ?", serviceID, teamMemberID))
}

type slotJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func encodeSlots(slots []booking.Slot) string {
	out := make([]slotJSON, len(slots))
	for i, s := range slots {
		out[i] = slotJSON{booking.FormatClock(s.From), booking.FormatClock(s.To)}
	}
	return jsonText(out)
}

func decodeSlots(s string) []booking.Slot {
	var in []slotJSON
	_ = json.Unmarshal([]byte(s), &in)
	out := make([]booking.Slot, 0, len(in))
	for _, x := range in {
		from, _ := booking.ParseClock(x.From)
		to, _ := booking.ParseClock(x.To)
		out = append(out, booking.Slot{From: from, To: to})
	}
	return out
}

const dayLayout = "2006-01-02"

func (t *tx) WorkDays(ctx context.Context, teamMemberIDs []int64, from, to time.Time) ([]booking.WorkDay, error) {
	if len(teamMemberIDs) == 0 {
		return []booking.WorkDay{}, nil
	}
	args := []any{from.Format(dayLayout), to.Format(dayLayout)}
	for _, id := range teamMemberIDs {
		args = append(args, id)
	}
	rows, err := t.query(ctx, `SELECT team_member_id, day, slots FROM work_days WHERE day >= ? AND day <= ?
		AND team_member_id IN (?`+strings.Repeat(", ?", len(teamMemberIDs)-1)+`) ORDER BY day, team_member_id`, args...)
	return scanAll(rows, err, func(r scanner) (booking.WorkDay, error) {
		var d booking.WorkDay
		var day, slots string
		if err := r.Scan(&d.TeamMemberID, &day, &slots); err != nil {
			return d, err
		}
		d.Date, _ = time.Parse(dayLayout, day)
		d.Slots = decodeSlots(slots)
		return d, nil
	})
}

func (t *tx) PutWorkDay(ctx context.Context, d booking.WorkDay) error {
	day, slots := d.Date.Format(dayLayout), encodeSlots(d.Slots)
	_, err := t.exec(ctx, `INSERT INTO work_days (team_member_id, day, slots) VALUES (?, ?, ?)
		ON CONFLICT (team_member_id, day) DO UPDATE SET slots = excluded.slots`, d.TeamMemberID, day, slots)
	return err
}

func (t *tx) TimetableSettings(ctx context.Context, locationID int64) (booking.TimetableSettings, error) {
	s := booking.TimetableSettings{LocationID: locationID}
	err := t.queryRow(ctx, `SELECT record_type, activity_record_clients_count_max, is_show_newsletter_agreement,
		is_show_personal_data_processing_agreement, seance_step FROM timetable_settings WHERE location_id = ?`, locationID).
		Scan(&s.RecordType, &s.ActivityRecordClientsCountMax, &s.IsShowNewsletterAgreement, &s.IsShowPersonalDataProcessing, &s.SeanceStep)
	if errors.Is(err, sql.ErrNoRows) {
		return booking.DefaultTimetableSettings(locationID), nil
	}
	return s, err
}

func (t *tx) PutTimetableSettings(ctx context.Context, s booking.TimetableSettings) error {
	_, err := t.exec(ctx, `INSERT INTO timetable_settings (location_id, record_type, activity_record_clients_count_max,
		is_show_newsletter_agreement, is_show_personal_data_processing_agreement, seance_step) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (location_id) DO UPDATE SET record_type = excluded.record_type,
		activity_record_clients_count_max = excluded.activity_record_clients_count_max,
		is_show_newsletter_agreement = excluded.is_show_newsletter_agreement,
		is_show_personal_data_processing_agreement = excluded.is_show_personal_data_processing_agreement,
		seance_step = excluded.seance_step`,
		s.LocationID, s.RecordType, s.ActivityRecordClientsCountMax, s.IsShowNewsletterAgreement, s.IsShowPersonalDataProcessing, s.SeanceStep)
	return err
}
