package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"appointd/internal/booking"
)

func (t *tx) Visit(ctx context.Context, id int64) (booking.Visit, error) {
	return scanVisit(t.queryRow(ctx, "SELECT "+visitColumns+" FROM visits WHERE id = ? AND deleted_at IS NULL", id))
}

func (t *tx) VisitRecords(ctx context.Context, visitID int64) ([]booking.Appointment, error) {
	rows, err := t.query(ctx, "SELECT "+appointmentColumns+appointmentFrom+
		" WHERE a.visit_id = ? AND a.deleted_at IS NULL ORDER BY a.start_at, a.id", visitID)
	list, err := scanAll(rows, err, scanAppointment)
	if err != nil {
		return nil, err
	}
	return list, t.attachServiceLines(ctx, list)
}

func (t *tx) UpdateVisit(ctx context.Context, v booking.Visit) error {
	return mustAffect(t.exec(ctx, "UPDATE visits SET attendance = ?, comment = ? WHERE id = ? AND deleted_at IS NULL",
		v.Attendance, v.Comment, v.ID))
}

func (t *tx) SetVisitAttendance(ctx context.Context, visitID, attendance int64, at time.Time) error {
	if _, err := t.exec(ctx, "UPDATE appointments SET attendance = ?, updated_at = ?, sequence = sequence + 1 WHERE visit_id = ? AND deleted_at IS NULL",
		attendance, unix(at), visitID); err != nil {
		return err
	}
	return t.settleVisitAttendance(ctx, visitID)
}

func (t *tx) UpdateServiceLine(ctx context.Context, appointmentID int64, l booking.ServiceLine, at time.Time) error {
	if err := mustAffect(t.exec(ctx, `UPDATE appointment_services SET first_cost = ?, discount = ?, cost = ?
		WHERE appointment_id = ? AND service_id = ?`, l.FirstCost, l.Discount, l.Cost, appointmentID, l.ServiceID)); err != nil {
		return err
	}
	_, err := t.exec(ctx, "UPDATE appointments SET updated_at = ?, sequence = sequence + 1 WHERE id = ?", unix(at), appointmentID)
	return err
}

func (t *tx) Accounts(ctx context.Context, locationID int64) ([]booking.Account, error) {
	rows, err := t.query(ctx, "SELECT id, location_id, title, type, comment, created_at FROM accounts WHERE location_id = ? ORDER BY id", locationID)
	return scanAll(rows, err, func(r scanner) (booking.Account, error) {
		var a booking.Account
		var created int64
		err := r.Scan(&a.ID, &a.LocationID, &a.Title, &a.Type, &a.Comment, &created)
		a.CreatedAt = fromUnix(created)
		return a, err
	})
}

func (t *tx) CreateAccount(ctx context.Context, a booking.Account) (int64, error) {
	return t.insert(ctx, "INSERT INTO accounts (location_id, title, type, comment, created_at) VALUES (?, ?, ?, ?, ?)",
		a.LocationID, a.Title, a.Type, a.Comment, unix(a.CreatedAt))
}

// paymentSelect reads payments with their account's title and the id of
// their visit's document.
var paymentSelect = `SELECT p.id, p.location_id, p.visit_id, p.appointment_id, p.account_id, p.client_id, p.team_member_id,
	p.amount, p.comment, p.created_user_id, p.created_at, COALESCE(d.id, 0), COALESCE(ac.title, '')
	FROM payments p LEFT JOIN accounts ac ON ac.id = p.account_id
	LEFT JOIN documents d ON d.visit_id = p.visit_id AND d.type_id = ` + documentVisit + `
	WHERE p.deleted_at IS NULL AND `

func (t *tx) Payments(ctx context.Context, visitID int64) ([]booking.Payment, error) {
	rows, err := t.query(ctx, paymentSelect+"p.visit_id = ? ORDER BY p.id", visitID)
	return scanAll(rows, err, scanPayment)
}

func (t *tx) RecordPayments(ctx context.Context, appointmentIDs []int64) ([]booking.Payment, error) {
	if len(appointmentIDs) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	inList("p.appointment_id", appointmentIDs, &where, &args)
	rows, err := t.query(ctx, paymentSelect+where[0]+" ORDER BY p.id", args...)
	return scanAll(rows, err, scanPayment)
}

func scanPayment(r scanner) (booking.Payment, error) {
	var p booking.Payment
	var client sql.NullInt64
	var created int64
	err := r.Scan(&p.ID, &p.LocationID, &p.VisitID, &p.AppointmentID, &p.AccountID, &client, &p.TeamMemberID,
		&p.Amount, &p.Comment, &p.CreatedUserID, &created, &p.DocumentID, &p.AccountTitle)
	p.ClientID, p.CreatedAt = intPtr(client), fromUnix(created)
	return p, err
}

// documentVisit is booking.DocumentVisit inside SQL text.
var documentVisit = strconv.Itoa(booking.DocumentVisit)

func (t *tx) VisitDocuments(ctx context.Context, visitIDs []int64) ([]booking.Document, error) {
	if len(visitIDs) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	inList("visit_id", visitIDs, &where, &args)
	rows, err := t.query(ctx, `SELECT id, location_id, type_id, visit_id, user_id, number, comment, created_at
		FROM documents WHERE type_id = `+documentVisit+" AND "+where[0]+" ORDER BY id", args...)
	return scanAll(rows, err, func(r scanner) (booking.Document, error) {
		var d booking.Document
		var created int64
		err := r.Scan(&d.ID, &d.LocationID, &d.TypeID, &d.VisitID, &d.UserID, &d.Number, &d.Comment, &created)
		d.CreatedAt = fromUnix(created)
		return d, err
	})
}

// createVisitDocument adds the document a new visit comes with; its
// number is its id.
func (t *tx) createVisitDocument(ctx context.Context, v booking.Visit) error {
	id, err := t.insert(ctx, "INSERT INTO documents (location_id, type_id, visit_id, user_id, created_at) VALUES (?, "+
		documentVisit+", ?, ?, ?)", v.LocationID, v.ID, v.CreatedUserID, unix(v.CreatedAt))
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, "UPDATE documents SET number = id WHERE id = ?", id)
	return err
}

// visitAttendanceExpr is the visit status rule of docs/ARCHITECTURE.md
// ("Visit status") over the visit's non-deleted appointments: any arrived
// → arrived; all no-show → no-show; every other one confirmed →
// confirmed; else waiting.
const visitAttendanceExpr = `CASE
	WHEN EXISTS (SELECT 1 FROM appointments x WHERE x.visit_id = visits.id AND x.deleted_at IS NULL AND x.attendance = 1) THEN 1
	WHEN NOT EXISTS (SELECT 1 FROM appointments x WHERE x.visit_id = visits.id AND x.deleted_at IS NULL AND x.attendance <> -1) THEN -1
	WHEN NOT EXISTS (SELECT 1 FROM appointments x WHERE x.visit_id = visits.id AND x.deleted_at IS NULL AND x.attendance NOT IN (-1, 2)) THEN 2
	ELSE 0 END`

// lockVisits locks the visits (ascending, 0 skipped) before their
// appointments are written: Edit Visit locks the visit, then writes its
// appointments, so a writer of an appointment that later rewrites the
// visit's status must hold the visit first (docs/ARCHITECTURE.md, lock
// order).
func (t *tx) lockVisits(ctx context.Context, ids ...int64) error {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for _, id := range ids {
		if id == 0 {
			continue
		}
		if err := t.Lock(ctx, booking.LockVisit, id); err != nil {
			return err
		}
	}
	return nil
}

// settleVisitAttendance recomputes the status of the visits from their
// appointments; a visit left without appointments keeps its status.
func (t *tx) settleVisitAttendance(ctx context.Context, visitIDs ...int64) error {
	var where []string
	var args []any
	inList("id", visitIDs, &where, &args)
	_, err := t.exec(ctx, "UPDATE visits SET attendance = "+visitAttendanceExpr+" WHERE "+where[0]+
		" AND EXISTS (SELECT 1 FROM appointments x WHERE x.visit_id = visits.id AND x.deleted_at IS NULL)", args...)
	return err
}

func (t *tx) CreatePayment(ctx context.Context, p booking.Payment) (int64, error) {
	return t.insert(ctx, `INSERT INTO payments (location_id, visit_id, appointment_id, account_id, client_id, team_member_id,
		amount, comment, created_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.LocationID, p.VisitID, p.AppointmentID, p.AccountID, nullInt(p.ClientID), p.TeamMemberID, p.Amount, p.Comment,
		p.CreatedUserID, unix(p.CreatedAt))
}

func (t *tx) DeletePayment(ctx context.Context, visitID, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE payments SET deleted_at = ? WHERE visit_id = ? AND id = ? AND deleted_at IS NULL",
		unix(at), visitID, id))
}

func (t *tx) SumVisitPaid(ctx context.Context, visitID int64) error {
	return mustAffect(t.exec(ctx, `UPDATE visits SET paid = (SELECT COALESCE(SUM(amount), 0) FROM payments
		WHERE visit_id = ? AND deleted_at IS NULL) WHERE id = ?`, visitID, visitID))
}

func (t *tx) MovePayments(ctx context.Context, appointmentID, from, to int64) (int64, error) {
	res, err := t.exec(ctx, "UPDATE payments SET visit_id = ? WHERE appointment_id = ? AND visit_id = ? AND deleted_at IS NULL",
		to, appointmentID, from)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
