package booking

import (
	"context"
	"slices"
	"time"

	"appointd/internal/auth"
)

// reach is the part of a location's timetable one membership may see and
// touch (docs/RIGHTS.md): a worker linked to a team member only that
// member's appointments, the calendar's column rule (SeesOnlyOwnColumn);
// with last_days_count N ≥ 0 nothing that starts before the location's
// midnight N days ago. perms are m's effective rights, which the caller
// has already computed (m.Permissions builds them anew on each call).
type reach struct {
	member int64     // 0: every team member
	from   time.Time // zero: no limit into the past
}

func reachOf(m Membership, perms auth.Permissions, loc Location, now time.Time) reach {
	var r reach
	if SeesOnlyOwnColumn(m) {
		r.member = *m.StaffID
	}
	if days := perms.Days(auth.PermLastDaysCount); days >= 0 {
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

// checkSchedule is ErrForbidden unless every series of an event schedule
// is led by the reach's member: a worker changes only schedules wholly in
// her own column. Dates are not checked (a schedule spans past and future).
func (r reach) checkSchedule(series []Series) error {
	for _, sr := range series {
		if r.member != 0 && sr.MasterID != r.member {
			return ErrForbidden
		}
	}
	return nil
}

// narrowActivities limits a group event query to the reach.
func (r reach) narrowActivities(q *ActivityQuery) {
	if r.member != 0 {
		ids := []int64{-1} // matches nothing
		if len(q.TeamMemberIDs) == 0 || slices.Contains(q.TeamMemberIDs, r.member) {
			ids = []int64{r.member}
		}
		q.TeamMemberIDs = ids
	}
	if !r.from.IsZero() && q.From.Before(r.from) {
		q.From = r.from
	}
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
