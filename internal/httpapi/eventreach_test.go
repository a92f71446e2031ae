package httpapi_test

import (
	"fmt"
	"testing"

	"appointd/internal/demo"
)

// TestWorkerReachOverGroupEvents: the demo worker, linked to Anna, sees and
// changes only Anna's group events, as with appointments: another member's
// event is a 403 to read, change, delete or take a seat in, searches list
// only Anna's, and nothing changes on refusal.
func TestWorkerReachOverGroupEvents(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		workerID := e.userID(owner, e.locA, "Demo Worker")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: e.userAuth(owner),
			Body: map[string]any{"staff_id": anna, "user_permissions": []map[string]any{{"slug": "delete_records_access", "value": true}}}}), 200)
		vera, _ := demoIDs(t, e, owner, "Vera Popova", "Gel polish")
		day := bookingDay()
		event := func(tok string, member int64, at string) resp {
			return e.do(req{Method: "POST", Path: fmt.Sprintf("/activity/%d", e.locA), Auth: e.userAuth(tok), Body: map[string]any{
				"date": day + " " + at, "service_id": haircut, "staff_id": member, "capacity": 3, "length": 1800, "force": true}})
		}
		r := event(owner, vera, "20:00")
		expect(t, r, 200)
		veras := num(r.Data()["id"])
		path := fmt.Sprintf("/activity/%d/%d", e.locA, veras)
		before := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Body

		expectError(t, e.do(req{Method: "GET", Path: path, Auth: e.userAuth(worker)}), 403, "Access denied.")
		expectError(t, event(worker, vera, "21:00"), 403, "Access denied.")
		expectError(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: map[string]any{
			"date": day + " 20:00", "service_id": haircut, "staff_id": vera, "capacity": 5, "length": 1800, "force": true}}), 403, "Access denied.")
		expectError(t, seatIn(e, worker, e.locA, veras, "+79990000031"), 403, "Access denied.")
		expectError(t, e.do(req{Method: "DELETE", Path: path, Auth: e.userAuth(worker)}), 403, "Access denied.")
		if after := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Body; string(after) != string(before) {
			t.Fatalf("a refused change changed the event:\n%s\n%s", before, after)
		}

		// Her own member's events are hers; she cannot hand one to Vera.
		r = event(worker, anna, "20:00")
		expect(t, r, 200)
		annas := num(r.Data()["id"])
		own := fmt.Sprintf("/activity/%d/%d", e.locA, annas)
		expect(t, e.do(req{Method: "GET", Path: own, Auth: e.userAuth(worker)}), 200)
		expect(t, seatIn(e, worker, e.locA, annas, "+79990000032"), 201)
		expectError(t, e.do(req{Method: "PUT", Path: own, Auth: e.userAuth(worker), Body: map[string]any{
			"date": day + " 20:00", "service_id": haircut, "staff_id": vera, "capacity": 3, "length": 1800, "force": true}}), 403, "Access denied.")

		search := fmt.Sprintf("/activity/%d/search?from=%s&till=%s&count=200", e.locA, day, day)
		ids := func(tok string) map[int64]int64 {
			r := e.do(req{Method: "GET", Path: search, Auth: e.userAuth(tok)})
			expect(t, r, 200)
			out := map[int64]int64{}
			for _, a := range r.List() {
				out[num(a["id"])] = num(a["staff_id"])
			}
			return out
		}
		if all := ids(owner); all[veras] != vera || all[annas] != anna {
			t.Fatalf("the owner's search: %v", all)
		}
		mine := ids(worker)
		for id, member := range mine {
			if member != anna {
				t.Errorf("the worker's search lists event %d of member %d", id, member)
			}
		}
		if mine[annas] != anna {
			t.Errorf("the worker's search misses her own event: %v", mine)
		}
		expect(t, e.do(req{Method: "DELETE", Path: own, Auth: e.userAuth(worker)}), 202)
	})
}
