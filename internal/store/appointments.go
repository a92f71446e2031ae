package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"appointd/internal/booking"
)

const appointmentColumns = `a.id, a.location_id, a.team_member_id, a.client_id, a.visit_id, a.start_at,
	a.seance_length, a.technical_break_duration, a.comment, a.attendance, v.attendance, a.api_id, a.custom_color,
	a.record_labels, a.custom_fields, a.sms_remain_hours, a.email_remain_hours, a.send_sms, a.created_user_id,
	a.partner_id, a.activity_id, a.client_schedule_id, a.clients_count, a.sequence, a.created_at, a.updated_at, a.deleted_at,
	a.confirmed, v.paid, ` + paidFullColumn

// paidFullColumn is 1 when the visit's payments cover the cost of its
// non-deleted appointments (service and goods lines); the total is only summed for a visit with
// payments.
const paidFullColumn = `CASE WHEN v.paid > 0 AND v.paid >= (SELECT COALESCE(SUM(l.cost), 0)
	FROM appointments x JOIN appointment_services l ON l.appointment_id = x.id
	WHERE x.visit_id = a.visit_id AND x.deleted_at IS NULL) + (SELECT COALESCE(SUM(g.cost), 0)
	FROM appointments x JOIN visit_goods g ON g.appointment_id = x.id
	WHERE x.visit_id = a.visit_id AND x.deleted_at IS NULL) THEN 1 ELSE 0 END`

const appointmentFrom = " FROM appointments a JOIN visits v ON v.id = a.visit_id"

func scanAppointment(r scanner) (booking.Appointment, error) {
	var a booking.Appointment
	var client, sms, email, deleted sql.NullInt64
	var start, created, updated, paidFull int64
	var labels, custom string
	err := r.Scan(&a.ID, &a.LocationID, &a.TeamMemberID, &client, &a.VisitID, &start, &a.SeanceLength,
		&a.TechnicalBreakDuration, &a.Comment, &a.Attendance, &a.VisitAttendance, &a.APIID, &a.CustomColor,
		&labels, &custom, &sms, &email, &a.SendSMS, &a.CreatedUserID, &a.PartnerID, &a.ActivityID, &a.ClientScheduleID, &a.ClientsCount, &a.Sequence, &created, &updated, &deleted,
		&a.Confirmed, &a.VisitPaid, &paidFull)
	if err != nil {
		return a, one(err)
	}
	a.ClientID, a.SMSRemainHours, a.EmailRemainHours = intPtr(client), intPtr(sms), intPtr(email)
	a.Start, a.CreatedAt, a.UpdatedAt, a.Deleted = fromUnix(start), fromUnix(created), fromUnix(updated), deleted.Valid
	a.PaidFull = paidFull == 1
	_ = json.Unmarshal([]byte(labels), &a.RecordLabels)
	_ = json.Unmarshal([]byte(custom), &a.CustomFields)
	return a, nil
}

func (t *tx) CreateAppointment(ctx context.Context, a booking.Appointment) (int64, error) {
	labels, custom := a.RecordLabels, a.CustomFields
	if labels == nil {
		labels = []int64{}
	}
	if custom == nil {
		custom = map[string]any{}
	}
	if err := t.lockVisits(ctx, a.VisitID); err != nil {
		return 0, err
	}
	id, err := t.insert(ctx, `INSERT INTO appointments (location_id, team_member_id, client_id, visit_id, start_at,
		end_at, seance_length, technical_break_duration, comment, attendance, api_id, custom_color, record_labels,
		custom_fields, sms_remain_hours, email_remain_hours, send_sms, created_user_id, partner_id, activity_id,
		client_schedule_id, clients_count, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.LocationID, a.TeamMemberID, nullInt(a.ClientID), a.VisitID, unix(a.Start), unix(a.End()), a.SeanceLength,
		a.TechnicalBreakDuration, a.Comment, a.Attendance, a.APIID, a.CustomColor, jsonText(labels), jsonText(custom),
		nullInt(a.SMSRemainHours), nullInt(a.EmailRemainHours), a.SendSMS, a.CreatedUserID, a.PartnerID, a.ActivityID,
		a.ClientScheduleID, max(a.ClientsCount, 1), unix(a.CreatedAt), unix(a.UpdatedAt))
	if err != nil {
		return 0, err
	}
	if err := t.insertServiceLines(ctx, id, a.Services); err != nil {
		return 0, err
	}
	return id, t.settleVisitAttendance(ctx, a.VisitID)
}

func (t *tx) Appointment(ctx context.Context, locationID, id int64) (booking.Appointment, error) {
	a, err := scanAppointment(t.queryRow(ctx, "SELECT "+appointmentColumns+appointmentFrom+
		" WHERE a.location_id = ? AND a.id = ?", locationID, id))
	if err != nil {
		return a, err
	}
	rows, err := t.query(ctx, `SELECT l.service_id, l.title, l.first_cost, l.discount, l.cost, l.amount, l.length,
		s.price_min, s.price_max FROM appointment_services l JOIN services s ON s.id = l.service_id
		WHERE l.appointment_id = ? ORDER BY l.position`, id)
	a.Services, err = scanAll(rows, err, func(r scanner) (booking.ServiceLine, error) {
		var l booking.ServiceLine
		err := r.Scan(&l.ServiceID, &l.Title, &l.FirstCost, &l.Discount, &l.Cost, &l.Amount, &l.Length, &l.PriceMin, &l.PriceMax)
		return l, err
	})
	if err != nil {
		return a, err
	}
	single := []booking.Appointment{a}
	err = t.attachGoodsLines(ctx, single, map[int64]int{a.ID: 0}, "appointment_id = ?", []any{a.ID})
	return single[0], err
}

// maxAppointmentLength bounds how far back an overlapping appointment can
// start, so the member's index is read as a range, not from the beginning.
const maxAppointmentLength = 86400

func (t *tx) Overlapping(ctx context.Context, teamMemberID int64, from, to time.Time, except int64) ([]booking.Appointment, error) {
	rows, err := t.query(ctx, "SELECT "+appointmentColumns+appointmentFrom+
		` WHERE a.team_member_id = ? AND a.activity_id = 0 AND a.deleted_at IS NULL AND a.start_at < ? AND a.start_at > ? AND a.end_at > ?
		AND a.id <> ? ORDER BY a.start_at, a.id`, teamMemberID, unix(to), unix(from)-maxAppointmentLength, unix(from), except)
	return scanAll(rows, err, scanAppointment)
}

func (t *tx) DeleteAppointment(ctx context.Context, locationID, id int64, at time.Time) error {
	visitID, err := t.visitOfAppointment(ctx, id)
	if err != nil {
		return err
	}
	if err := t.lockVisits(ctx, visitID); err != nil {
		return err
	}
	if err := mustAffect(t.exec(ctx, "UPDATE appointments SET deleted_at = ?, updated_at = ?, sequence = sequence + 1 WHERE location_id = ? AND id = ? AND deleted_at IS NULL",
		unix(at), unix(at), locationID, id)); err != nil {
		return err
	}
	return t.settleVisitAttendance(ctx, visitID)
}

// visitOfAppointment is an appointment's visit id.
func (t *tx) visitOfAppointment(ctx context.Context, id int64) (int64, error) {
	var visitID int64
	err := t.queryRow(ctx, "SELECT visit_id FROM appointments WHERE id = ?", id).Scan(&visitID)
	return visitID, one(err)
}

const visitColumns = "id, location_id, client_id, day, attendance, comment, paid, created_at"

func scanVisit(r scanner) (booking.Visit, error) {
	var v booking.Visit
	var client sql.NullInt64
	var dayText string
	var created int64
	if err := r.Scan(&v.ID, &v.LocationID, &client, &dayText, &v.Attendance, &v.Comment, &v.Paid, &created); err != nil {
		return v, one(err)
	}
	v.ClientID, v.CreatedAt = intPtr(client), fromUnix(created)
	v.Day, _ = time.Parse(dayLayout, dayText)
	return v, nil
}

func (t *tx) VisitOf(ctx context.Context, locationID, clientID int64, day time.Time) (booking.Visit, error) {
	return scanVisit(t.queryRow(ctx, "SELECT "+visitColumns+` FROM visits
		WHERE location_id = ? AND client_id = ? AND day = ? AND deleted_at IS NULL ORDER BY id LIMIT 1`,
		locationID, clientID, day.Format(dayLayout)))
}

func (t *tx) CreateVisit(ctx context.Context, v booking.Visit) (int64, error) {
	id, err := t.insert(ctx, "INSERT INTO visits (location_id, client_id, day, attendance, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		v.LocationID, nullInt(v.ClientID), v.Day.Format(dayLayout), v.Attendance, v.Comment, unix(v.CreatedAt))
	if err != nil {
		return 0, err
	}
	v.ID = id
	return id, t.createVisitDocument(ctx, v)
}

func (t *tx) VisitAppointments(ctx context.Context, visitID int64) (int, error) {
	var n int
	err := t.queryRow(ctx, "SELECT COUNT(*) FROM appointments WHERE visit_id = ? AND deleted_at IS NULL", visitID).Scan(&n)
	return n, err
}

func (t *tx) DeleteVisit(ctx context.Context, visitID int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE visits SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", unix(at), visitID))
}

func (t *tx) UpdateAppointment(ctx context.Context, a booking.Appointment) error {
	labels, custom := a.RecordLabels, a.CustomFields
	if labels == nil {
		labels = []int64{}
	}
	if custom == nil {
		custom = map[string]any{}
	}
	oldVisit, err := t.visitOfAppointment(ctx, a.ID)
	if err != nil {
		return err
	}
	if err := t.lockVisits(ctx, oldVisit, a.VisitID); err != nil {
		return err
	}
	err = mustAffect(t.exec(ctx, `UPDATE appointments SET team_member_id = ?, client_id = ?, visit_id = ?, start_at = ?,
		end_at = ?, seance_length = ?, technical_break_duration = ?, comment = ?, attendance = ?, api_id = ?,
		custom_color = ?, record_labels = ?, custom_fields = ?, sms_remain_hours = ?, email_remain_hours = ?,
		send_sms = ?, updated_at = ?, sequence = sequence + 1 WHERE location_id = ? AND id = ? AND deleted_at IS NULL`,
		a.TeamMemberID, nullInt(a.ClientID), a.VisitID, unix(a.Start), unix(a.End()), a.SeanceLength,
		a.TechnicalBreakDuration, a.Comment, a.Attendance, a.APIID, a.CustomColor, jsonText(labels), jsonText(custom),
		nullInt(a.SMSRemainHours), nullInt(a.EmailRemainHours), a.SendSMS, unix(a.UpdatedAt), a.LocationID, a.ID))
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, "DELETE FROM appointment_services WHERE appointment_id = ?", a.ID); err != nil {
		return err
	}
	if err := t.insertServiceLines(ctx, a.ID, a.Services); err != nil {
		return err
	}
	return t.settleVisitAttendance(ctx, oldVisit, a.VisitID)
}

func (t *tx) insertServiceLines(ctx context.Context, id int64, lines []booking.ServiceLine) error {
	for i, s := range lines {
		if _, err := t.exec(ctx, `INSERT INTO appointment_services (appointment_id, position, service_id, title,
			first_cost, discount, cost, amount, length) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, i, s.ServiceID, s.Title, s.FirstCost, s.Discount, s.Cost, s.Amount, s.Length); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) Appointments(ctx context.Context, q booking.AppointmentQuery) ([]booking.Appointment, int, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	inList("a.location_id", q.LocationIDs, &where, &args)
	if q.TeamMemberID != 0 {
		add("a.team_member_id = ?", q.TeamMemberID)
	}
	if q.ClientID != 0 {
		add("a.client_id = ?", q.ClientID)
	}
	if q.CreatedUserID != 0 {
		add("a.created_user_id = ?", q.CreatedUserID)
	}
	if q.PartnerID != 0 {
		add("a.partner_id = ?", q.PartnerID)
	}
	for _, r := range []struct {
		col  string
		op   string
		when *time.Time
	}{{"a.start_at", ">=", q.StartFrom}, {"a.start_at", "<", q.StartBefore}, {"a.created_at", ">=", q.CreatedFrom},
		{"a.created_at", "<", q.CreatedBefore}, {"a.updated_at", ">=", q.ChangedFrom}, {"a.updated_at", "<", q.ChangedBefore}} {
		if r.when != nil {
			add(r.col+" "+r.op+" ?", unix(*r.when))
		}
	}
	if !q.WithDeleted {
		where = append(where, "a.deleted_at IS NULL")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := t.queryRow(ctx, "SELECT COUNT(*) FROM appointments a"+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	query := "SELECT " + appointmentColumns + appointmentFrom + cond + " ORDER BY a.start_at, a.id LIMIT ? OFFSET ?"
	rows, err := t.query(ctx, query, append(args, q.Limit, q.Offset)...)
	list, err := scanAll(rows, err, scanAppointment)
	if err != nil {
		return nil, 0, err
	}
	return list, total, t.attachServiceLines(ctx, list)
}

// attachServiceLines loads the service lines of a list of appointments in
// one query.
func (t *tx) attachServiceLines(ctx context.Context, list []booking.Appointment) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	byID := map[int64]int{}
	for i, a := range list {
		ids[i], byID[a.ID] = a.ID, i
	}
	var lw []string
	var largs []any
	inList("l.appointment_id", ids, &lw, &largs)
	lrows, err := t.query(ctx, `SELECT l.appointment_id, l.service_id, l.title, l.first_cost, l.discount, l.cost, l.amount,
		l.length, s.price_min, s.price_max FROM appointment_services l JOIN services s ON s.id = l.service_id
		WHERE `+lw[0]+` ORDER BY l.appointment_id, l.position`, largs...)
	if err != nil {
		return err
	}
	defer lrows.Close()
	for lrows.Next() {
		var id int64
		var l booking.ServiceLine
		if err := lrows.Scan(&id, &l.ServiceID, &l.Title, &l.FirstCost, &l.Discount, &l.Cost, &l.Amount, &l.Length, &l.PriceMin, &l.PriceMax); err != nil {
			return err
		}
		list[byID[id]].Services = append(list[byID[id]].Services, l)
	}
	if err := lrows.Err(); err != nil {
		return err
	}
	var gw []string
	var gargs []any
	inList("appointment_id", ids, &gw, &gargs)
	return t.attachGoodsLines(ctx, list, byID, gw[0], gargs)
}

// ClientAttendance counts, for each client of the location asked for, its
// non-deleted appointments that arrived and that were no-shows, and finds
// its first arrived start, in one query.
func (t *tx) ClientAttendance(ctx context.Context, locationID int64, clientIDs []int64) (map[int64]booking.ClientAttendance, error) {
	out := map[int64]booking.ClientAttendance{}
	if len(clientIDs) == 0 {
		return out, nil
	}
	where := []string{"location_id = ?", "deleted_at IS NULL"}
	args := []any{locationID}
	inList("client_id", clientIDs, &where, &args)
	rows, err := t.query(ctx, `SELECT client_id, SUM(CASE WHEN attendance = 1 THEN 1 ELSE 0 END),
		SUM(CASE WHEN attendance = -1 THEN 1 ELSE 0 END), MIN(CASE WHEN attendance = 1 THEN start_at END)
		FROM appointments WHERE `+strings.Join(where, " AND ")+" GROUP BY client_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c booking.ClientAttendance
		var first sql.NullInt64
		if err := rows.Scan(&id, &c.Arrived, &c.NoShow, &first); err != nil {
			return nil, err
		}
		if first.Valid {
			at := fromUnix(first.Int64)
			c.FirstArrived = &at
		}
		out[id] = c
	}
	return out, rows.Err()
}
