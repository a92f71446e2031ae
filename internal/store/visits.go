package store

import (
	"context"
	"database/sql"
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
	_, err := t.exec(ctx, "UPDATE appointments SET attendance = ?, updated_at = ?, sequence = sequence + 1 WHERE visit_id = ? AND deleted_at IS NULL",
		attendance, unix(at), visitID)
	return err
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

func (t *tx) Payments(ctx context.Context, visitID int64) ([]booking.Payment, error) {
	rows, err := t.query(ctx, `SELECT id, location_id, visit_id, appointment_id, account_id, client_id, team_member_id, amount,
		comment, created_user_id, created_at FROM payments WHERE visit_id = ? AND deleted_at IS NULL ORDER BY id`, visitID)
	return scanAll(rows, err, func(r scanner) (booking.Payment, error) {
		var p booking.Payment
		var client sql.NullInt64
		var created int64
		err := r.Scan(&p.ID, &p.LocationID, &p.VisitID, &p.AppointmentID, &p.AccountID, &client, &p.TeamMemberID,
			&p.Amount, &p.Comment, &p.CreatedUserID, &created)
		p.ClientID, p.CreatedAt = intPtr(client), fromUnix(created)
		return p, err
	})
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
