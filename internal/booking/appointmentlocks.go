package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// relock is a transaction's request to be run again with more locks taken
// up front: it found, after taking locks, that it needs one earlier in the
// lock order (docs/ARCHITECTURE.md) than a lock it already holds.
type relock struct {
	members, visits []int64
}

func (r *relock) Error() string {
	return fmt.Sprintf("rerun with team members %v and visits %v locked", r.members, r.visits)
}

// add merges another request into r.
func (r *relock) add(o *relock) {
	r.members = append(r.members, o.members...)
	r.visits = append(r.visits, o.visits...)
}

// maxRelocks bounds the reruns of one request; each rerun is caused by a
// concurrent move of the same appointment, so more than a few means heavy
// contention on it, answered as a conflict.
const maxRelocks = 4

// writeRelocking runs fn in write transactions until it asks for no more
// locks: each rerun starts with every lock asked for so far.
func (s *Service) writeRelocking(ctx context.Context, fn func(tx Tx, plan relock) error) error {
	var plan relock
	for range maxRelocks {
		err := s.store.Write(ctx, func(tx Tx) error { return fn(tx, plan) })
		var r *relock
		if !errors.As(err, &r) {
			return err
		}
		plan.add(r)
	}
	return Invalid("", "the appointment was changed by another request meanwhile; try again")
}

// lockAppointment reads a live appointment of the location under the locks
// every writer of it holds, in the lock order: its group event (a seat),
// its team member, its visit, together with the plan's. An edit or a
// delete that reads the appointment after them cannot lose a concurrent
// change. If it moved to another member or visit between the first read
// and the locks, the transaction reruns with those locked too.
func lockAppointment(ctx context.Context, tx Tx, locationID, id int64, plan relock) (Appointment, error) {
	a, err := liveAppointment(ctx, tx, locationID, id)
	if err != nil {
		return a, err
	}
	if a.ActivityID != 0 {
		if err := tx.Lock(ctx, LockActivity, a.ActivityID); err != nil {
			return a, err
		}
	}
	members := append(slices.Clone(plan.members), a.TeamMemberID)
	visits := append(slices.Clone(plan.visits), a.VisitID)
	// A team member the edit names that does not exist is refused later,
	// as bad input (422), not here.
	if err := lockAll(ctx, tx, LockTeamMember, members); err != nil && !errors.Is(err, ErrNotFound) {
		return a, err
	}
	if err := lockAll(ctx, tx, LockVisit, visits); err != nil {
		return a, err
	}
	now, err := liveAppointment(ctx, tx, locationID, id)
	if err != nil {
		return now, err
	}
	if now.ActivityID != a.ActivityID {
		return now, fmt.Errorf("appointment %d changed its group event", id)
	}
	if !slices.Contains(members, now.TeamMemberID) || !slices.Contains(visits, now.VisitID) {
		return now, &relock{members: []int64{now.TeamMemberID}, visits: []int64{now.VisitID}}
	}
	return now, nil
}

// joinVisit locks an existing visit an appointment is about to join and
// tells whether it is still live: the last appointment's delete drops its
// visit under the same lock. held are the visits the transaction already
// holds; a lower id than one of them would break the lock order, so then
// the transaction reruns with it locked up front.
func joinVisit(ctx context.Context, tx Tx, id int64, held []int64) (bool, error) {
	if !slices.Contains(held, id) {
		if len(held) > 0 && id < slices.Max(held) {
			return false, &relock{visits: []int64{id}}
		}
		if err := tx.Lock(ctx, LockVisit, id); errors.Is(err, ErrNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	if _, err := tx.Visit(ctx, id); errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, nil
}
