package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"appointd/internal/demo"
)

// TestPaymentsNeedFinances: taking or undoing a payment needs
// finances_access; attendance and comments do not.
func TestPaymentsNeedFinances(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newVisitFixture(t, e)
		workerID := e.userID(f.owner, e.locA, "Demo Worker")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: e.userAuth(f.owner),
			Body: map[string]any{"user_permissions": []map[string]any{{"slug": "finances_access", "value": false}}}}), 200)
		expect(t, f.edit(e, f.owner, f.haircut, map[string]any{"new_transactions": []map[string]any{{"amount": 100, "account_id": f.cash}}}), 200)
		details := func() string {
			return string(e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, f.haircut, f.visit),
				Auth: e.userAuth(f.owner)}).Body)
		}
		before := details()
		pay := e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, f.haircut, f.visit), Auth: e.userAuth(f.owner)}).
			Data()["payment_transactions"].([]any)[0].(map[string]any)
		for name, body := range map[string]any{
			"new payment":     map[string]any{"new_transactions": []map[string]any{{"amount": 500, "account_id": f.cash}}},
			"fast payment":    map[string]any{"fast_payment": 1},
			"deleted payment": map[string]any{"deleted_transaction_ids": []int64{num(pay["id"])}},
		} {
			if r := f.edit(e, f.worker, f.haircut, body); r.Status != 403 {
				t.Errorf("%s without finances_access: %d %s", name, r.Status, truncate(r.Body))
			}
		}
		if after := details(); after != before {
			t.Fatalf("refused payments changed the visit:\n%s\n%s", before, after)
		}
		expect(t, f.edit(e, f.worker, f.haircut, map[string]any{"attendance": 2, "comment": "called"}), 200)
	})
}

// TestFullyPaidAppointmentKeepsItsPlace: without
// record_edit_full_paid_access a fully paid appointment cannot be moved,
// lengthened or repriced; its comment can still change.
func TestFullyPaidAppointmentKeepsItsPlace(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newVisitFixture(t, e)
		expect(t, f.edit(e, f.owner, f.haircut, map[string]any{"fast_payment": 1}), 200)
		path := fmt.Sprintf("/record/%d/%d", e.locA, f.haircut)
		a := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(f.owner)}).Data()
		day := a["date"].(string)[:10]
		staff := num(a["staff_id"])
		services := []map[string]any{{"id": num(a["services"].([]any)[0].(map[string]any)["id"])}}
		for name, body := range map[string]any{
			"move":    map[string]any{"staff_id": staff, "services": services, "datetime": day + "T12:00:00"},
			"longer":  map[string]any{"seance_length": 5400},
			"reprice": map[string]any{"services": []map[string]any{{"id": services[0]["id"], "cost": 1}}},
		} {
			if r := e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(f.worker), Body: body}); r.Status != 403 {
				t.Errorf("%s of a paid appointment without the right: %d %s", name, r.Status, truncate(r.Body))
			}
		}
		if b := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(f.owner)}).Data(); b["datetime"] != a["datetime"] || b["seance_length"] != a["seance_length"] {
			t.Fatalf("refused edits moved it: %v %v", b["datetime"], b["seance_length"])
		}
		expect(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(f.worker), Body: map[string]any{"comment": "still paid"}}), 201)
		// The owner holds the right.
		expect(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(f.owner),
			Body: map[string]any{"staff_id": staff, "services": services, "datetime": day + "T12:00:00"}}), 201)
	})
}

// TestTimetableReach: a worker linked to a team member sees and changes
// only that member's appointments (the calendar's own-column rule), and
// last_days_count keeps a user out of older days.
func TestTimetableReach(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		vera, polish := demoIDs(t, e, owner, "Vera Popova", "Gel polish")
		day := bookingDay()
		visitOf := map[int64]int64{}
		book := func(member, service int64, date, at string) int64 {
			r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner),
				Body: map[string]any{"staff_id": member, "services": []map[string]any{{"id": service}},
					"client": map[string]any{"name": "Reach Client", "phone": "+79990002233"}, "datetime": date + "T" + at}})
			expect(t, r, 201)
			visitOf[num(r.Data()["id"])] = num(r.Data()["visit_id"])
			return num(r.Data()["id"])
		}
		// Two days ago Anna worked; she had an appointment then.
		moscow, _ := time.LoadLocation(demo.LocationZone)
		past := time.Now().In(moscow).AddDate(0, 0, -2).Format("2006-01-02")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/schedule/%d/%d", e.locA, anna), Auth: e.userAuth(owner),
			Body: workingDay(past)}), 201)
		old := book(anna, haircut, past, "11:00:00")
		annas, veras := book(anna, haircut, day, "11:00:00"), book(vera, polish, day, "11:00:00")

		list := func(query string) map[int64]bool {
			r := e.do(req{Method: "GET", Path: fmt.Sprintf("/records/%d?%s", e.locA, query), Auth: e.userAuth(worker)})
			expect(t, r, 200)
			out := map[int64]bool{}
			for _, a := range r.List() {
				out[num(a["id"])] = true
			}
			return out
		}
		all := "start_date=" + past + "&end_date=" + day
		// The worker role's default last_days_count is 0: nothing before today.
		if got := list(all); got[old] || !got[annas] || !got[veras] {
			t.Fatalf("worker's list (last_days_count 0): %v", got)
		}
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, old), Auth: e.userAuth(worker)}), 403)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/visits/%d", visitOf[old]), Auth: e.userAuth(worker)}), 403)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, old, visitOf[old]), Auth: e.userAuth(worker)}), 403)
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, old), Auth: e.userAuth(worker),
			Body: map[string]any{"comment": "too late"}}), 403)

		// Linked to Anna: Anna's appointments only.
		workerID := e.userID(owner, e.locA, "Demo Worker")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: e.userAuth(owner),
			Body: map[string]any{"staff_id": anna, "user_permissions": []map[string]any{{"slug": "last_days_count", "value": -1},
				{"slug": "delete_records_access", "value": true}}}}), 200)
		if got := list(all); !got[old] || !got[annas] || got[veras] {
			t.Fatalf("Anna's worker's list: %v", got)
		}
		if got := list(all + fmt.Sprintf("&staff_id=%d", vera)); len(got) != 0 {
			t.Fatalf("Anna's worker lists Vera's: %v", got)
		}
		verasPath := fmt.Sprintf("/record/%d/%d", e.locA, veras)
		expect(t, e.do(req{Method: "GET", Path: verasPath, Auth: e.userAuth(worker)}), 403)
		expect(t, e.do(req{Method: "PUT", Path: verasPath, Auth: e.userAuth(worker), Body: map[string]any{"comment": "not mine"}}), 403)
		expect(t, e.do(req{Method: "DELETE", Path: verasPath, Auth: e.userAuth(worker)}), 403)
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(worker),
			Body: map[string]any{"staff_id": vera, "services": []map[string]any{{"id": polish}},
				"client": map[string]any{"name": "Reach Client", "phone": "+79990002233"}, "datetime": day + "T15:00:00"}})
		expect(t, r, 403)
		// One visit holds both (same client, same day): seen whole, but
		// Vera's appointment in it is not hers to open or to edit.
		if visitOf[annas] != visitOf[veras] {
			t.Fatalf("one client's day is one visit: %v", visitOf)
		}
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/visits/%d", visitOf[veras]), Auth: e.userAuth(worker)}), 200)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, veras, visitOf[veras]), Auth: e.userAuth(worker)}), 403)
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/visits/%d/%d", visitOf[veras], veras), Auth: e.userAuth(worker),
			Body: map[string]any{"attendance": 2}}), 403)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, annas, visitOf[annas]), Auth: e.userAuth(worker)}), 200)
		// Her own: read, edit, but not hand over to Vera.
		annasPath := fmt.Sprintf("/record/%d/%d", e.locA, annas)
		expect(t, e.do(req{Method: "GET", Path: annasPath, Auth: e.userAuth(worker)}), 200)
		expect(t, e.do(req{Method: "PUT", Path: annasPath, Auth: e.userAuth(worker), Body: map[string]any{"comment": "mine"}}), 201)
		expect(t, e.do(req{Method: "PUT", Path: annasPath, Auth: e.userAuth(worker),
			Body: map[string]any{"staff_id": vera, "services": []map[string]any{{"id": polish}}, "datetime": day + "T16:00:00"}}), 403)
		if got := e.do(req{Method: "GET", Path: verasPath, Auth: e.userAuth(owner)}).Data(); got["deleted"] == true {
			t.Fatal("a refused delete deleted Vera's appointment")
		}
	})
}
