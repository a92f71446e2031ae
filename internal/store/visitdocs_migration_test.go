package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"testing"
	"testing/fstest"
	"time"

	"appointd/internal/booking"
	"appointd/internal/store"
	"appointd/internal/testenv"
)

// TestMigration0011VisitDocuments: visits that exist before migration 0011
// get their document and the status their appointments give them.
func TestMigration0011VisitDocuments(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st, err := store.Open(context.Background(), testenv.DSN(t, engine), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ctx := context.Background()
			dir := os.DirFS("migrations/" + engine)
			before := fstest.MapFS{}
			names, err := fs.Glob(dir, "*.sql")
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				if n < "0011" {
					b, _ := fs.ReadFile(dir, n)
					before[n] = &fstest.MapFile{Data: b}
				}
			}
			store.SetMigrations(st, before)
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			loc := newLocation(t, st, "Before 0011")
			var member int64
			if err := st.Write(ctx, func(tx booking.Tx) error {
				member, err = tx.CreateTeamMember(ctx, booking.TeamMember{LocationID: loc, Name: "M", CreatedAt: time.Now()})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			raw := func(q string, args ...any) {
				t.Helper()
				if err := store.ExecRaw(st, fmt.Sprintf(q, args...)); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			raw("INSERT INTO visits (location_id, day, attendance, created_at) VALUES (%d, '2026-01-05', 0, 100)", loc)
			raw(`INSERT INTO appointments (location_id, team_member_id, visit_id, start_at, end_at, seance_length, attendance,
				created_user_id, created_at, updated_at) SELECT %d, %d, id, 0, 60, 60, 1, 77, 0, 0 FROM visits WHERE location_id = %d`, loc, member, loc)
			raw(`INSERT INTO appointments (location_id, team_member_id, visit_id, start_at, end_at, seance_length, attendance,
				created_user_id, created_at, updated_at) SELECT %d, %d, id, 60, 120, 60, 0, 78, 0, 0 FROM visits WHERE location_id = %d`, loc, member, loc)

			store.SetMigrations(st, dir)
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			err = st.Read(ctx, func(tx booking.Tx) error {
				var visitID int64
				list, _, err := tx.Appointments(ctx, booking.AppointmentQuery{LocationIDs: []int64{loc}, Limit: 10})
				if err != nil || len(list) != 2 {
					return fmt.Errorf("appointments %v: %v", list, err)
				}
				visitID = list[0].VisitID
				docs, err := tx.VisitDocuments(ctx, []int64{visitID})
				if err != nil {
					return err
				}
				if len(docs) != 1 || docs[0].TypeID != booking.DocumentVisit || docs[0].UserID != 77 ||
					docs[0].Number != docs[0].ID || docs[0].LocationID != loc {
					return fmt.Errorf("documents of the old visit: %+v", docs)
				}
				if v, err := tx.Visit(ctx, visitID); err != nil || v.Attendance != booking.AttendanceArrived {
					return fmt.Errorf("old visit's status %d (%v), want arrived", v.Attendance, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
