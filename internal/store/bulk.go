package store

import (
	"context"
	"fmt"
	"time"

	"appointd/internal/booking"
)

// BulkAppointments fills a location with n appointments for load tests:
// each member gets back-to-back 30-minute appointments from 08:00 UTC
// onwards, 24 a day, from day `from` on, with one visit each. It writes
// in transactions of 5,000 rows and reports progress.
func (s *Store) BulkAppointments(ctx context.Context, locationID int64, members []int64, serviceID, clientID int64, from time.Time, n int, progress func(done int)) error {
	const perTx, perDay, length = 5000, 24, 1800
	if len(members) == 0 {
		return fmt.Errorf("store: no team members to book")
	}
	now := unix(time.Now())
	for done := 0; done < n; {
		batch := min(perTx, n-done)
		t, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		x := &tx{tx: t, d: s.d}
		for i := done; i < done+batch; i++ {
			member := members[i%len(members)]
			slot := i / len(members)
			day := from.AddDate(0, 0, slot/perDay)
			start := day.Add(8*time.Hour + time.Duration(slot%perDay)*length*time.Second)
			visit, err := x.insert(ctx, "INSERT INTO visits (location_id, client_id, day, created_at) VALUES (?, ?, ?, ?)",
				locationID, clientID, day.Format(dayLayout), now)
			if err == nil {
				err = x.createVisitDocument(ctx, booking.Visit{ID: visit, LocationID: locationID, CreatedAt: fromUnix(now)})
			}
			if err != nil {
				t.Rollback()
				return err
			}
			id, err := x.insert(ctx, `INSERT INTO appointments (location_id, team_member_id, client_id, visit_id, start_at,
				end_at, seance_length, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				locationID, member, clientID, visit, unix(start), unix(start)+length, length, now, now)
			if err != nil {
				t.Rollback()
				return err
			}
			if _, err := x.exec(ctx, `INSERT INTO appointment_services (appointment_id, position, service_id, title,
				first_cost, cost, length) VALUES (?, 0, ?, 'Load test', 100000, 100000, ?)`, id, serviceID, length); err != nil {
				t.Rollback()
				return err
			}
		}
		if err := t.Commit(); err != nil {
			return err
		}
		done += batch
		if progress != nil {
			progress(done)
		}
	}
	return nil
}
