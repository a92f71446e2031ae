package booking

import (
	"context"
	"time"

	"appointd/internal/auth"
)

// reach is the part of a location's timetable one membership may see and
// touch (docs/RIGHTS.md): a worker linked to a team member only that
// member's appointments, the calendar's column rule (SeesOnlyOwnColumn);
// with last_days_count N ≥ 0 nothing that starts before the location's
// midnight N days ago.
type reach struct {
	member int64     // 0: every team member
	from   time.Time // zero: no limit into the past
}

func reachOf(m Membership, loc Location, now time.Time) reach {
	var r reach
	if SeesOnlyOwnColumn(m) {
		r.member = *m.StaffID
	}
	if days := m.Permissions().Days(auth.PermLastDaysCount); days >= 0 {
		y, mo, d := now.In(loc.Zone()).Date()
		r.from = time.Date(y, mo, d-int(days), 0, 0, 0, 0, loc.Zone())
	}
	return r
}

// allows reports whether an appointment of member starting at start is
// inside the reach.
func (r reach) allows(member int64, start time.Time) bool {
	return (r.member == 0 || member == r.member) && (r.from.IsZero() || !start.Before(r.from))
}

// check is allows as an error: ErrForbidden outside the reach.
func (r reach) check(member int64, start time.Time) error {
	if !r.allows(member, start) {
		return ErrForbidden
	}
	return nil
}

// checkAny is ErrForbidden unless one of a visit's appointments is inside
// the reach: a visit is seen whole by whoever may see part of it.
func (r reach) checkAny(records []AppointmentView) error {
	for _, a := range records {
		if r.allows(a.TeamMemberID, a.Start) {
			return nil
		}
	}
	return ErrForbidden
}

// narrow limits a list query to the reach.
func (r reach) narrow(q *AppointmentQuery) {
	if r.member != 0 {
		if q.TeamMemberID != 0 && q.TeamMemberID != r.member {
			q.TeamMemberID = -1 // matches nothing
		} else {
			q.TeamMemberID = r.member
		}
	}
	if !r.from.IsZero() && (q.StartFrom == nil || q.StartFrom.Before(r.from)) {
		from := r.from
		q.StartFrom = &from
	}
}

// paidInFull reports whether the visit is paid in full (or over).
func paidInFull(ctx context.Context, tx Tx, loc Location, visitID int64) (bool, error) {
	v, err := tx.Visit(ctx, visitID)
	if err != nil {
		return false, err
	}
	if v.Paid <= 0 {
		return false, nil
	}
	d, err := visitDetails(ctx, tx, loc, v)
	return err == nil && d.PaidInFull(), err
}

// sameServiceLines reports whether two appointments bill the same: the same
// services at the same prices, discounts and amounts, in order.
func sameServiceLines(a, b []ServiceLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ServiceID != y.ServiceID || x.FirstCost != y.FirstCost || x.Discount != y.Discount || x.Cost != y.Cost || x.Amount != y.Amount {
			return false
		}
	}
	return true
}
