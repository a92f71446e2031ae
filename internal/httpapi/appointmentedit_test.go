package httpapi_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"appointd/internal/demo"
)

// TestEditWithoutMoveSkipsOverlap: only a change of time, length or team
// member is checked against the member's other appointments; an
// appointment another one was placed over (save_if_busy) keeps taking
// comments and attendance.
func TestEditWithoutMoveSkipsOverlap(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		day := bookingDay()
		book := func(at, phone string, busy bool) int64 {
			r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
				"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "client": map[string]any{"phone": phone},
				"datetime": day + "T" + at, "save_if_busy": busy}})
			expect(t, r, 201)
			return num(r.Data()["id"])
		}
		first := book("10:00:00", "+79990000011", false)
		book("10:30:00", "+79990000012", true)
		path := fmt.Sprintf("/record/%d/%d", e.locA, first)
		for _, body := range []map[string]any{{"comment": "still here"}, {"attendance": 1}, {"api_id": "ext-1"}} {
			expect(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner), Body: body}), 201)
		}
		// A move is still checked: ten minutes later overlaps the other one.
		r := e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner), Body: map[string]any{"datetime": day + "T10:10:00"}})
		if r.Status != 422 || errorCode(r) != 433 {
			t.Fatalf("a move onto the other appointment: %d %s", r.Status, truncate(r.Body))
		}
	})
}

// TestMoveTakesItsPayments: an appointment moved to another day joins
// another visit and the payments taken through it go along, so both
// visits' paid sums stay right.
func TestMoveTakesItsPayments(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		days := bookingDays(2)
		f := newVisitFixtureOn(t, e, days[0])
		expect(t, f.edit(e, f.owner, f.haircut, map[string]any{"new_transactions": []map[string]any{{"amount": 1000, "account_id": f.cash}}}), 200)
		expect(t, f.edit(e, f.owner, f.manicure, map[string]any{"new_transactions": []map[string]any{{"amount": 1800, "account_id": f.card}}}), 200)

		r := e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, f.haircut), Auth: e.userAuth(f.owner),
			Body: map[string]any{"datetime": days[1] + "T11:00:00"}})
		expect(t, r, 201)
		moved := num(r.Data()["visit_id"])
		if moved == f.visit {
			t.Fatal("a move to another day kept the visit")
		}
		payments := func(visit, record int64) []any {
			r := e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, record, visit), Auth: e.userAuth(f.owner)})
			expect(t, r, 200)
			p, _ := r.Data()["payment_transactions"].([]any)
			return p
		}
		if p := payments(moved, f.haircut); len(p) != 1 || p[0].(map[string]any)["amount"] != 1000.0 {
			t.Fatalf("the moved appointment's visit has payments %v, want its 1000", p)
		}
		if p := payments(f.visit, f.manicure); len(p) != 1 || p[0].(map[string]any)["amount"] != 1800.0 {
			t.Fatalf("the old visit has payments %v, want the manicure's 1800", p)
		}
		// The manicure (1800) is now alone in its visit and paid in full;
		// the haircut (4300) has 1000 of it.
		for id, want := range map[int64]int64{f.manicure: 1, f.haircut: 0} {
			a := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(f.owner)}).Data()
			if num(a["paid_full"]) != want {
				t.Errorf("appointment %d: paid_full %v, want %d", id, a["paid_full"], want)
			}
		}
	})
}

// annaSlots lists n starts, one appointment of Anna's haircut apart, on
// the next booking days.
func annaSlots(n int) []string {
	var out []string
	for _, day := range bookingDays((n + 3) / 4) {
		for _, at := range []string{"10:00", "11:15", "12:30", "13:45"} {
			out = append(out, day+"T"+at+":00")
		}
	}
	return out[:n]
}

// bookAnna books Anna's haircut for a new client (whatever her hours that
// day) and returns the appointment and its visit.
func bookAnna(t *testing.T, e *env, owner string, at string, i int) (int64, int64) {
	t.Helper()
	anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
	r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
		"staff_id": anna, "services": []map[string]any{{"id": haircut}},
		"client": map[string]any{"phone": fmt.Sprintf("+7999100%04d", i)}, "datetime": at, "save_if_busy": true}})
	expect(t, r, 201)
	return num(r.Data()["id"]), num(r.Data()["visit_id"])
}

// TestConcurrentEditsLoseNothing: an appointment edited at once through two
// servers on one database, by Edit Appointment (its comment) and by Edit
// Visit (its price) or another Edit Appointment (its attendance), keeps
// every change. Each edit reads the appointment under the locks every
// writer of it holds.
func TestConcurrentEditsLoseNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		second := newEnv(t, e.engine, e.dsn, bookingDefaults(), false)
		second.partner = e.partner
		owner := e.login(demo.OwnerLogin, demo.Password)
		_, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		for i, at := range annaSlots(16) {
			id, visit := bookAnna(t, e, owner, at, i)
			path := fmt.Sprintf("/record/%d/%d", e.locA, id)
			comment := fmt.Sprintf("round %d", i)
			var wg sync.WaitGroup
			statuses := make([]int, 3)
			calls := []func() int{
				func() int {
					return e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner), Body: map[string]any{"comment": comment}}).Status
				},
				func() int {
					return second.do(req{Method: "PUT", Path: fmt.Sprintf("/visits/%d/%d", visit, id), Auth: second.userAuth(owner),
						Body: map[string]any{"services": []map[string]any{{"id": haircut, "discount": i + 1}}}}).Status
				},
				func() int {
					return second.do(req{Method: "PUT", Path: path, Auth: second.userAuth(owner), Body: map[string]any{"attendance": 2}}).Status
				},
			}
			for k, call := range calls {
				wg.Add(1)
				go func() { defer wg.Done(); statuses[k] = call() }()
			}
			wg.Wait()
			if statuses[0] != 201 || statuses[1] != 200 || statuses[2] != 201 {
				t.Fatalf("round %d: statuses %v", i, statuses)
			}
			a := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Data()
			svc, _ := a["services"].([]any)
			if a["comment"] != comment || num(a["attendance"]) != 2 || len(svc) != 1 || num(svc[0].(map[string]any)["discount"]) != int64(i+1) {
				t.Fatalf("round %d lost an edit: comment %v, attendance %v, services %v", i, a["comment"], a["attendance"], a["services"])
			}
		}
	})
}

// TestDeleteRacesPayment: a worker with delete_records_access but without
// delete_paid_records_access deletes an appointment while a payment is taken through it on another
// server. Either the delete comes first (the payment finds no visit) or
// the payment does (the delete is refused); never both.
func TestDeleteRacesPayment(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		second := newEnv(t, e.engine, e.dsn, bookingDefaults(), false)
		second.partner = e.partner
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		workerID := e.userID(owner, e.locA, "Demo Worker")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: e.userAuth(owner),
			Body: map[string]any{"user_permissions": []map[string]any{{"slug": "delete_records_access", "value": true}}}}), 200)
		var cash int64
		for _, acc := range e.do(req{Method: "GET", Path: fmt.Sprintf("/accounts/%d", e.locA), Auth: e.userAuth(owner)}).List() {
			if num(acc["type"]) == 0 {
				cash = num(acc["id"])
			}
		}
		for i, at := range annaSlots(24) {
			id, visit := bookAnna(t, e, owner, at, i)
			var wg sync.WaitGroup
			var deleted, paid int
			wg.Add(2)
			go func() {
				defer wg.Done()
				deleted = e.do(req{Method: "DELETE", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(worker)}).Status
			}()
			go func() {
				defer wg.Done()
				// The delete takes longer to reach its check; a
				// varying head start for it makes the two meet.
				time.Sleep(time.Duration(i%12) * 250 * time.Microsecond)
				paid = second.do(req{Method: "PUT", Path: fmt.Sprintf("/visits/%d/%d", visit, id), Auth: second.userAuth(owner),
					Body: map[string]any{"new_transactions": []map[string]any{{"amount": 100, "account_id": cash}}}}).Status
			}()
			wg.Wait()
			switch {
			case deleted == 204 && paid == 404, deleted == 403 && paid == 200:
			default:
				t.Fatalf("%s: delete %d, payment %d; want 204 and 404, or 403 and 200", at, deleted, paid)
			}
		}
	})
}

// TestConcurrentPartialEditsLoseNothing: partial edits of one client, one
// service, the timetable settings and one user's rights, sent at once
// through two servers on one database, each keep their field: every partial
// edit reads the row under its lock, and a rights change names only the
// rights it changes.
func TestConcurrentPartialEditsLoseNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		second := newEnv(t, e.engine, e.dsn, bookingDefaults(), false)
		second.partner = e.partner
		owner := e.login(demo.OwnerLogin, demo.Password)
		_, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		worker := e.userID(owner, e.locA, "Demo Worker")
		both := func(a, b func() int) [2]int {
			var out [2]int
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); out[0] = a() }()
			go func() { defer wg.Done(); out[1] = b() }()
			wg.Wait()
			return out
		}
		for i := range 12 {
			r := e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(owner),
				Body: map[string]any{"name": "Race", "phone": fmt.Sprintf("+7999200%04d", i)}})
			expect(t, r, 201)
			client := fmt.Sprintf("/client/%d/%d", e.locA, num(r.Data()["id"]))
			name, comment := fmt.Sprintf("Name %d", i), fmt.Sprintf("comment %d", i)
			st := both(
				func() int {
					return e.do(req{Method: "PUT", Path: client, Auth: e.userAuth(owner), Body: map[string]any{"name": name}}).Status
				},
				func() int {
					return second.do(req{Method: "PUT", Path: client, Auth: second.userAuth(owner), Body: map[string]any{"comment": comment}}).Status
				})
			if st != [2]int{200, 200} {
				t.Fatalf("round %d: client edits %v", i, st)
			}
			if d := e.do(req{Method: "GET", Path: client, Auth: e.userAuth(owner)}).Data(); d["name"] != name || d["comment"] != comment {
				t.Fatalf("round %d lost a client edit: name %v, comment %v", i, d["name"], d["comment"])
			}

			service := fmt.Sprintf("/services/%d/%d", e.locA, haircut)
			title, price := fmt.Sprintf("Haircut %d", i), 2000+i
			st = both(
				func() int {
					return e.do(req{Method: "PATCH", Path: service, Auth: e.userAuth(owner), Body: map[string]any{"title": title}}).Status
				},
				func() int {
					return second.do(req{Method: "PATCH", Path: service, Auth: second.userAuth(owner), Body: map[string]any{"price_min": price}}).Status
				})
			if st != [2]int{200, 200} {
				t.Fatalf("round %d: service edits %v", i, st)
			}
			if d := e.do(req{Method: "GET", Path: service, Auth: e.userAuth(owner)}).Data(); d["title"] != title || num(d["price_min"]) != int64(price) {
				t.Fatalf("round %d lost a service edit: title %v, price_min %v", i, d["title"], d["price_min"])
			}

			settings := fmt.Sprintf("/company/%d/settings/timetable", e.locA)
			step, most := []int64{900, 1800, 1200}[i%3], int64(10+i)
			st = both(
				func() int {
					return e.do(req{Method: "PATCH", Path: settings, Auth: e.userAuth(owner), Body: map[string]any{"seance_step": step}}).Status
				},
				func() int {
					return second.do(req{Method: "PATCH", Path: settings, Auth: second.userAuth(owner),
						Body: map[string]any{"activity_record_clients_count_max": most}}).Status
				})
			if st != [2]int{200, 200} {
				t.Fatalf("round %d: timetable settings edits %v", i, st)
			}
			if d := e.do(req{Method: "GET", Path: settings, Auth: e.userAuth(owner)}).Data(); num(d["seance_step"]) != step ||
				num(d["activity_record_clients_count_max"]) != most {
				t.Fatalf("round %d lost a settings edit: %v", i, d)
			}

			rights := fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, worker)
			on := i%2 == 0
			grant := func(srv *env, slug string) func() int {
				return func() int {
					return srv.do(req{Method: "PUT", Path: rights, Auth: srv.userAuth(owner),
						Body: map[string]any{"user_permissions": []map[string]any{{"slug": slug, "value": on}}}}).Status
				}
			}
			if st = both(grant(e, "finances_access"), grant(second, "settings_access")); st != [2]int{200, 200} {
				t.Fatalf("round %d: permission edits %v", i, st)
			}
			if r := e.do(req{Method: "GET", Path: rights, Auth: e.userAuth(owner)}); permValue(r, "finances_access") != on ||
				permValue(r, "settings_access") != on {
				t.Fatalf("round %d lost a permission edit: finances %v settings %v", i, permValue(r, "finances_access"), permValue(r, "settings_access"))
			}
		}
	})
}
