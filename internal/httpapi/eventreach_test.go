package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

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

// TestWorkerReachOverEventSchedules: a schedule is the linked worker's only
// when every series of it is led by her member; any other schedule is a 403
// on every schedule route, and nothing changes on refusal.
func TestWorkerReachOverEventSchedules(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		vera, _ := demoIDs(t, e, owner, "Vera Popova", "Gel polish")
		workerID := e.userID(owner, e.locA, "Demo Worker")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: e.userAuth(owner),
			Body: map[string]any{"staff_id": anna, "user_permissions": []map[string]any{{"slug": "delete_records_access", "value": true}}}}), 200)
		day := bookingDay()
		first, _ := time.Parse("2006-01-02", day)
		end := first.AddDate(0, 0, 14).Format("2006-01-02")
		base := fmt.Sprintf("/company/%d/schedules", e.locA)
		// schedule makes an event led by member at 21:00 and a weekly
		// schedule of it with one series led by member.
		schedule := func(tok string, member int64) (resp, int64) {
			r := e.do(req{Method: "POST", Path: fmt.Sprintf("/activity/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
				"date": day + " 21:00", "service_id": haircut, "staff_id": member, "capacity": 3, "length": 1800, "force": true}})
			expect(t, r, 200)
			event := num(r.Data()["id"])
			weekday := strings.ToLower(first.Weekday().String()[:3])
			return e.do(req{Method: "POST", Path: base + "?include[]=days", Auth: e.userAuth(tok), Body: map[string]any{
				"original_entity_type": "activity", "original_entity_id": event, "date_end": end,
				"add_clients_from_original_entity": false,
				"days": []map[string]any{{"day_of_week": weekday, "events_master_id": member, "events_time": "21:00:00",
					"events_duration": 1800, "events_capacity": 3}}}}), event
		}
		expectError(t, func() resp { r, _ := schedule(worker, vera); return r }(), 403, "Access denied.")
		r, veraEvent := schedule(owner, vera)
		expect(t, r, 201)
		veras := num(r.Data()["id"])
		series := num(r.Data()["days"].([]any)[0].(map[string]any)["id"])
		find := fmt.Sprintf("%s/search/activity/%d", base, veraEvent)
		before := e.do(req{Method: "GET", Path: find + "?include[]=days", Auth: e.userAuth(owner)})
		expect(t, before, 200)
		client := num(e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(owner),
			Body: map[string]any{"name": "Schedule Reach", "phone": "+79990000041"}}).Data()["id"])
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", find, nil},
			{"GET", fmt.Sprintf("%s/%d/days/%d/events", base, veras, series), nil},
			{"PATCH", fmt.Sprintf("%s/%d", base, veras), map[string]any{"date_end": day}},
			{"POST", fmt.Sprintf("%s/%d/days", base, veras), map[string]any{"day_of_week": "sun", "events_master_id": anna,
				"events_time": "08:00:00", "events_duration": 1800, "events_capacity": 2}},
			{"PATCH", fmt.Sprintf("%s/%d/days/%d", base, veras, series), map[string]any{"events_capacity": 5, "force": true}},
			{"POST", fmt.Sprintf("%s/%d/client_schedules", base, veras), map[string]any{"client_id": client, "schedule_days_ids": []int64{series}}},
			{"DELETE", fmt.Sprintf("%s/%d/days/%d", base, veras, series), nil},
			{"DELETE", fmt.Sprintf("%s/%d", base, veras), nil},
		} {
			if r := e.do(req{Method: c.method, Path: c.path, Auth: e.userAuth(worker), Body: c.body}); r.Status != 403 {
				t.Errorf("%s %s on Vera's schedule: %d %s", c.method, c.path, r.Status, truncate(r.Body))
			}
		}
		if after := e.do(req{Method: "GET", Path: find + "?include[]=days", Auth: e.userAuth(owner)}); string(after.Body) != string(before.Body) {
			t.Fatalf("refused changes changed the schedule:\n%s\n%s", before.Body, after.Body)
		}

		// Her own schedule is hers, but she cannot add a series led by Vera.
		r, _ = schedule(worker, anna)
		expect(t, r, 201)
		annas := num(r.Data()["id"])
		expectError(t, e.do(req{Method: "POST", Path: fmt.Sprintf("%s/%d/days", base, annas), Auth: e.userAuth(worker), Body: map[string]any{
			"day_of_week": "sun", "events_master_id": vera, "events_time": "08:00:00", "events_duration": 1800, "events_capacity": 2}}), 403, "Access denied.")
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("%s/%d/client_schedules", base, annas), Auth: e.userAuth(worker),
			Body: map[string]any{"client_id": client, "schedule_days_ids": []int64{num(r.Data()["days"].([]any)[0].(map[string]any)["id"])}}}), 201)
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("%s/%d", base, annas), Auth: e.userAuth(worker)}), 204)
	})
}
