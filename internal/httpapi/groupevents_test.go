package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"appointd/internal/demo"
)

// groupClass creates a group event in the demo location.
func groupClass(t *testing.T, e *env, tok string, body map[string]any) map[string]any {
	t.Helper()
	r := e.do(req{Method: "POST", Path: fmt.Sprintf("/activity/%d", e.locA), Auth: e.userAuth(tok), Body: body})
	expect(t, r, http.StatusOK)
	return r.Data()
}

func seatIn(e *env, tok string, loc, activity int64, phone string) resp {
	return e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", loc), Auth: e.userAuth(tok), Body: map[string]any{
		"activity_id": activity, "client": map[string]any{"name": "Client " + phone, "phone": phone}}})
}

// TestGroupEventSeats: a group event occupies its team member; clients take
// seats through POST /records with activity_id up to the capacity, never
// twice; moving the event moves its seats; deleting it deletes them.
func TestGroupEventSeats(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		member, service := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		day := bookingDay()
		act := groupClass(t, e, owner, map[string]any{"date": day + " 18:00", "service_id": service, "staff_id": member,
			"capacity": 2, "length": 3600, "comment": "Yoga basics"})
		id := num(act["id"])
		if act["date"] != day+"T18:00:00+03:00" || num(act["records_count"]) != 0 || num(act["capacity"]) != 2 {
			t.Fatalf("created activity: %v", act)
		}
		first := seatIn(e, owner, e.locA, id, "+79990000001")
		expect(t, first, 201)
		rec := first.Data()
		if num(rec["activity_id"]) != id || num(rec["staff_id"]) != member || rec["datetime"] != day+"T18:00:00+03:00" ||
			num(rec["seance_length"]) != 3600 || num(rec["visit_id"]) == 0 {
			t.Fatalf("seat: %s", truncate(first.Body))
		}
		r := seatIn(e, owner, e.locA, id, "+7 999 000-00-01")
		expect(t, r, 422)
		if errorCode(r) != 435 {
			t.Fatalf("the same client twice: %s", truncate(r.Body))
		}
		// clients_count takes several seats: two do not fit in the one left.
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
			"activity_id": id, "clients_count": 2, "client": map[string]any{"phone": "+79990000002"}}})
		if r.Status != 422 || errorCode(r) != 434 {
			t.Fatalf("two seats in one: %s", truncate(r.Body))
		}
		expect(t, seatIn(e, owner, e.locA, id, "+79990000002"), 201)
		r = seatIn(e, owner, e.locA, id, "+79990000003")
		expectError(t, r, 422, "full")
		if errorCode(r) != 434 {
			t.Fatalf("full: %s", truncate(r.Body))
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/activity/%d/%d", e.locA, id), Auth: e.userAuth(owner)})
		expect(t, r, 200)
		if num(r.Data()["records_count"]) != 2 {
			t.Fatalf("records_count: %v", r.Data()["records_count"])
		}

		// The event occupies its member: no appointment, no other event,
		// unless forced.
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
			"staff_id": member, "services": []map[string]any{{"id": service}}, "client": map[string]any{"phone": "+79990000009"},
			"datetime": day + "T18:30:00", "save_if_busy": false}})
		if r.Status != 422 || errorCode(r) != 433 {
			t.Fatalf("appointment over a group event: %s", truncate(r.Body))
		}
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/activity/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
			"date": day + " 18:30", "service_id": service, "staff_id": member, "capacity": 5, "length": 1800}})
		if r.Status != 422 || errorCode(r) != 433 {
			t.Fatalf("second event over the first: %s", truncate(r.Body))
		}
		forced := groupClass(t, e, owner, map[string]any{"date": day + " 18:30", "service_id": service, "staff_id": member,
			"capacity": 5, "length": 1800, "force": true})
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/staff/schedule?start_date=%s&end_date=%s&staff_ids=%d&include[]=busy_intervals",
			e.locA, day, day, member), Auth: e.userAuth(owner)})
		expect(t, r, 200)
		if got := fmt.Sprint(r.List()[0]["busy_intervals"]); !strings.Contains(got, "activity") || !strings.Contains(got, fmt.Sprint(id)) {
			t.Fatalf("busy intervals do not show the event: %s", got)
		}

		// Search and dates.
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/activity/%d/search?from=%s&till=%s&staff_ids=%d", e.locA, day, day, member), Auth: e.userAuth(owner)})
		expect(t, r, 200)
		if num(r.Meta()["count"]) != 2 || num(r.List()[0]["id"]) != id {
			t.Fatalf("search: %s", truncate(r.Body))
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/activity/%d/search_dates?from=%s&till=%s", e.locA, day, day), Auth: e.userAuth(owner)})
		expect(t, r, 200)
		if fmt.Sprint(r.JSON["data"]) != "["+day+"]" {
			t.Fatalf("search_dates: %s", truncate(r.Body))
		}
		expectError(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/activity/%d/search?from=%s", e.locA, day), Auth: e.userAuth(owner)}), 422, "till")

		// A seat keeps the event's time; its other fields change.
		seat := num(rec["id"])
		expectError(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, seat), Auth: e.userAuth(owner),
			Body: map[string]any{"datetime": day + "T12:00:00"}}), 422, "move the event")
		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, seat), Auth: e.userAuth(owner),
			Body: map[string]any{"comment": "front row", "datetime": day + "T18:00:00"}})
		expect(t, r, 201)
		if r.Data()["comment"] != "front row" {
			t.Fatalf("seat edit: %s", truncate(r.Body))
		}

		// Moving the event moves its seats; a move onto the forced event
		// is refused and changes nothing.
		expectError(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/activity/%d/%d", e.locA, id), Auth: e.userAuth(owner),
			Body: map[string]any{"date": day + " 17:45"}}), 422, "busy")
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/activity/%d/%d", e.locA, num(forced["id"])), Auth: e.userAuth(owner)}), 202)
		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/activity/%d/%d", e.locA, id), Auth: e.userAuth(owner),
			Body: map[string]any{"date": day + " 19:00", "capacity": 3}})
		expect(t, r, 200)
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, seat), Auth: e.userAuth(owner)})
		if r.Data()["datetime"] != day+"T19:00:00+03:00" {
			t.Fatalf("the seat did not move with the event: %v", r.Data()["datetime"])
		}
		expectError(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/activity/%d/%d", e.locA, id), Auth: e.userAuth(owner),
			Body: map[string]any{"capacity": 1}}), 422, "already booked")

		// Other locations see nothing; bad input changes nothing.
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/activity/%d/%d", e.locB, id), Auth: e.userAuth(e.ownerB)}), 404)
		expectError(t, seatIn(e, e.ownerB, e.locB, id, "+12125550199"), 422, "does not exist")
		expectError(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/activity/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
			"date": "tomorrow", "service_id": service, "staff_id": member, "capacity": 0, "length": 3600}}), 422, "not a date")

		// Deleting the event deletes its seats.
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/activity/%d/%d", e.locA, id), Auth: e.userAuth(owner)}), 202)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/activity/%d/%d", e.locA, id), Auth: e.userAuth(owner)}), 404)
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, seat), Auth: e.userAuth(owner)})
		if r.Data()["deleted"] != true {
			t.Fatalf("the seat outlived its event: %s", truncate(r.Body))
		}
	})
}

// dropDemoClass deletes the demo's group events, and so the appointments of
// its recurring client, for tests that count every appointment.
func dropDemoClass(t *testing.T, e *env, tok string) {
	t.Helper()
	from := time.Now().Format("2006-01-02")
	till := time.Now().AddDate(0, 0, 70).Format("2006-01-02")
	r := e.do(req{Method: "GET", Path: fmt.Sprintf("/activity/%d/search?from=%s&till=%s&count=200", e.locA, from, till), Auth: e.userAuth(tok)})
	expect(t, r, 200)
	if len(r.List()) == 0 {
		t.Fatal("the demo has no group events")
	}
	for _, a := range r.List() {
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/activity/%d/%d", e.locA, num(a["id"])), Auth: e.userAuth(tok)}), 202)
	}
}

// careTeam creates a team member and a service in location B
// (America/New_York).
func careTeam(t *testing.T, e *env) (member, service int64) {
	t.Helper()
	tok := e.ownerB
	r := e.do(req{Method: "POST", Path: fmt.Sprintf("/staff/%d", e.locB), Auth: e.userAuth(tok), Body: map[string]any{"name": "Night Nurse", "has_access_timetable": true}})
	expect(t, r, 201)
	member = num(r.Data()["id"])
	r = e.do(req{Method: "POST", Path: fmt.Sprintf("/service_categories/%d", e.locB), Auth: e.userAuth(tok), Body: map[string]any{"title": "Care"}})
	cat := num(r.Data()["id"])
	r = e.do(req{Method: "POST", Path: fmt.Sprintf("/services/%d", e.locB), Auth: e.userAuth(tok), Body: map[string]any{
		"title": "Check-up", "category_id": cat, "duration": 3600, "staff": []map[string]any{{"id": member, "seance_length": 3600}}}})
	expect(t, r, 201)
	return member, num(r.Data()["id"])
}

type schedFixture struct {
	e                  *env
	member, service    int64
	original, schedule int64
	tue, thu           int64 // series ids
}

func (f schedFixture) path(format string, args ...any) string {
	return fmt.Sprintf("/company/%d/schedules", f.e.locB) + fmt.Sprintf(format, args...)
}

func (f schedFixture) do(method, path string, body any) resp {
	return f.e.do(req{Method: method, Path: path, Auth: f.e.userAuth(f.e.ownerB), Body: body})
}

func (f schedFixture) events(t *testing.T, series int64) []map[string]any {
	t.Helper()
	r := f.do("GET", f.path("/%d/days/%d/events", f.schedule, series), nil)
	expect(t, r, 200)
	if num(r.Meta()["count"]) != int64(len(r.List())) {
		t.Fatalf("meta.count %v for %d events", r.Meta()["count"], len(r.List()))
	}
	return r.List()
}

// clientRecords lists a client's live appointments in location B.
func (f schedFixture) clientRecords(t *testing.T, client int64) []map[string]any {
	t.Helper()
	r := f.do("GET", fmt.Sprintf("/records/%d?client_id=%d&count=200", f.e.locB, client), nil)
	expect(t, r, 200)
	return r.List()
}

// newSchedule: a Tuesday 19:00 class from 2027-03-02 repeated on Tuesdays
// at 19:00 and Thursdays at 07:30 to the end of March 2027, across the US
// spring-forward change on 2027-03-14.
func newSchedule(t *testing.T, e *env) schedFixture {
	t.Helper()
	f := schedFixture{e: e}
	f.member, f.service = careTeam(t, e)
	r := e.do(req{Method: "POST", Path: fmt.Sprintf("/activity/%d", e.locB), Auth: e.userAuth(e.ownerB), Body: map[string]any{
		"date": "2027-03-02T19:00:00", "service_id": f.service, "staff_id": f.member, "capacity": 3, "length": 3600}})
	expect(t, r, 200)
	f.original = num(r.Data()["id"])
	r = f.do("POST", f.path("?include[]=days&include[]=days.events_master"), map[string]any{
		"original_entity_type": "activity", "original_entity_id": f.original, "date_end": "2027-03-31",
		"add_clients_from_original_entity": false,
		"days": []map[string]any{
			{"day_of_week": "thu", "events_master_id": f.member, "events_time": "07:30:00", "events_duration": 1800, "events_capacity": 2},
			{"day_of_week": "tue", "events_master_id": f.member, "events_time": "19:00:00", "events_duration": 3600, "events_capacity": 3},
		}})
	expect(t, r, 201)
	d := r.Data()
	f.schedule = num(d["id"])
	days, _ := d["days"].([]any)
	if d["date_start"] != "2027-03-02" || d["date_end"] != "2027-03-31" || len(days) != 2 {
		t.Fatalf("schedule: %s", truncate(r.Body))
	}
	for _, x := range days {
		day := x.(map[string]any)
		master, _ := day["events_master"].(map[string]any)
		if num(master["id"]) != f.member {
			t.Fatalf("events_master not included: %v", day)
		}
		switch day["day_of_week"] {
		case "tue":
			f.tue = num(day["id"])
		case "thu":
			f.thu = num(day["id"])
		}
	}
	if f.tue == 0 || f.thu == 0 || days[0].(map[string]any)["day_of_week"] != "tue" {
		t.Fatalf("series: %v", days)
	}
	return f
}

func eventTimes(events []map[string]any) []string {
	var out []string
	for _, ev := range events {
		out = append(out, ev["event_datetime"].(string))
	}
	return out
}

// TestEventScheduleAcrossDST: the series' events land on the right local
// dates at the same wall-clock time before and after the DST change, the
// first Tuesday is the original event, and the events are real activities.
func TestEventScheduleAcrossDST(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newSchedule(t, e)
		tue := f.events(t, f.tue)
		want := "[2027-03-02T19:00:00-05:00 2027-03-09T19:00:00-05:00 2027-03-16T19:00:00-04:00 2027-03-23T19:00:00-04:00 2027-03-30T19:00:00-04:00]"
		if got := fmt.Sprint(eventTimes(tue)); got != want {
			t.Fatalf("Tuesday events\n got %s\nwant %s", got, want)
		}
		if num(tue[0]["event_entity_id"]) != f.original || tue[0]["event_status"] != "stable" || tue[0]["event_entity_type"] != "activity" {
			t.Fatalf("the first Tuesday is not the original event: %v", tue[0])
		}
		for _, ev := range tue {
			if ev["is_entity_datetime_changed"] != false || num(ev["entity_duration"]) != 3600 {
				t.Fatalf("event: %v", ev)
			}
		}
		if tue[2]["entity_datetime"] != "2027-03-16 19:00:00" {
			t.Fatalf("entity_datetime: %v", tue[2]["entity_datetime"])
		}
		thu := f.events(t, f.thu)
		want = "[2027-03-04T07:30:00-05:00 2027-03-11T07:30:00-05:00 2027-03-18T07:30:00-04:00 2027-03-25T07:30:00-04:00]"
		if got := fmt.Sprint(eventTimes(thu)); got != want {
			t.Fatalf("Thursday events\n got %s\nwant %s", got, want)
		}
		r := f.do("GET", fmt.Sprintf("/activity/%d/search?from=2027-03-01&till=2027-03-31&count=50", e.locB), nil)
		expect(t, r, 200)
		if num(r.Meta()["count"]) != 9 || r.List()[8]["date"] != "2027-03-30T19:00:00-04:00" || num(r.List()[1]["capacity"]) != 2 {
			t.Fatalf("activities of the schedule: %s", truncate(r.Body))
		}

		// Found by any of its events.
		r = f.do("GET", f.path("/search/activity/%d?include[]=days", num(thu[1]["event_entity_id"])), nil)
		expect(t, r, 200)
		if num(r.Data()["id"]) != f.schedule {
			t.Fatalf("search: %s", truncate(r.Body))
		}
		expect(t, f.do("GET", f.path("/search/activity/%d", 999999), nil), 404)

		// Bad input.
		bad := func(body map[string]any, msg string) {
			t.Helper()
			base := map[string]any{"original_entity_type": "activity", "original_entity_id": f.original, "date_end": "2027-04-30",
				"add_clients_from_original_entity": false,
				"days":                             []map[string]any{{"day_of_week": "wed", "events_master_id": f.member, "events_time": "10:00:00", "events_duration": 3600, "events_capacity": 2}}}
			for k, v := range body {
				base[k] = v
			}
			expectError(t, f.do("POST", f.path(""), base), 422, msg)
		}
		bad(map[string]any{}, "already belongs to a schedule")
		other := e.do(req{Method: "POST", Path: fmt.Sprintf("/activity/%d", e.locB), Auth: e.userAuth(e.ownerB), Body: map[string]any{
			"date": "2027-04-06T10:00:00", "service_id": f.service, "staff_id": f.member, "capacity": 3, "length": 3600}})
		expect(t, other, 200)
		oid := num(other.Data()["id"])
		bad(map[string]any{"original_entity_id": oid, "date_end": "2027-04-01"}, "before the schedule's start")
		bad(map[string]any{"original_entity_id": oid, "original_entity_type": "record"}, "not supported")
		bad(map[string]any{"original_entity_id": oid, "days": []map[string]any{}}, "1 to 7")
		bad(map[string]any{"original_entity_id": oid, "days": []map[string]any{{"day_of_week": "wed", "events_master_id": f.member,
			"events_time": "10:00", "events_duration": 3600, "events_capacity": 2}}}, "HH:MM:SS")
		bad(map[string]any{"original_entity_id": oid, "days": []map[string]any{{"day_of_week": "someday", "events_master_id": f.member,
			"events_time": "10:00:00", "events_duration": 3600, "events_capacity": 2}}}, "day_of_week")
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/schedules/%d/days/%d/events", e.locA, f.schedule, f.tue),
			Auth: e.userAuth(e.login(demo.OwnerLogin, demo.Password))}), 404)
		expectError(t, f.do("PATCH", f.path("/%d", f.schedule), map[string]any{"date_end": "2027-03-01"}), 422, "before")

		// Shortening removes the events past the end; extending adds them.
		expect(t, f.do("PATCH", f.path("/%d", f.schedule), map[string]any{"date_end": "2027-03-20"}), 200)
		if n := len(f.events(t, f.tue)); n != 3 {
			t.Fatalf("after shortening: %d Tuesday events", n)
		}
		r = f.do("GET", fmt.Sprintf("/activity/%d/search?from=2027-03-21&till=2027-03-31", e.locB), nil)
		if num(r.Meta()["count"]) != 0 {
			t.Fatalf("activities left past the end: %s", truncate(r.Body))
		}
		expect(t, f.do("PATCH", f.path("/%d", f.schedule), map[string]any{"date_end": "2027-04-08"}), 200)
		if got := eventTimes(f.events(t, f.thu)); len(got) != 6 || got[5] != "2027-04-08T07:30:00-04:00" {
			t.Fatalf("after extending: %v", got)
		}

		// Deleting the schedule removes its future events.
		expect(t, f.do("DELETE", f.path("/%d", f.schedule), nil), 204)
		expect(t, f.do("GET", f.path("/%d/days/%d/events", f.schedule, f.tue), nil), 404)
		r = f.do("GET", fmt.Sprintf("/activity/%d/search?from=2027-03-01&till=2027-04-30", e.locB), nil)
		if num(r.Meta()["count"]) != 1 || num(r.List()[0]["id"]) != oid {
			t.Fatalf("activities after deleting the schedule: %s", truncate(r.Body))
		}
	})
}

// TestSeriesChanges: a series change moves its future events, but without
// force an event moved by hand keeps its time; a new series fills its
// weekday; deleting a series removes its events.
func TestSeriesChanges(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newSchedule(t, e)
		tue := f.events(t, f.tue)
		moved := num(tue[3]["event_entity_id"])
		expect(t, f.do("PUT", fmt.Sprintf("/activity/%d/%d", e.locB, moved), map[string]any{"date": "2027-03-23T17:00:00"}), 200)
		expectError(t, f.do("PATCH", f.path("/%d/days/%d", f.schedule, f.tue), map[string]any{"events_time": "20:00:00"}), 422, "force")
		r := f.do("PATCH", f.path("/%d/days/%d?include[]=events", f.schedule, f.tue), map[string]any{"events_time": "20:00:00", "force": false})
		expect(t, r, 200)
		if r.Data()["events_time"] != "20:00:00" {
			t.Fatalf("series: %s", truncate(r.Body))
		}
		got := map[string]any{}
		for _, ev := range f.events(t, f.tue) {
			got[ev["event_datetime"].(string)] = ev["entity_datetime"]
			if ev["event_datetime"] == "2027-03-23T20:00:00-04:00" && ev["is_entity_datetime_changed"] != true {
				t.Fatalf("the hand-moved event is not marked changed: %v", ev)
			}
		}
		if got["2027-03-16T20:00:00-04:00"] != "2027-03-16 20:00:00" || got["2027-03-23T20:00:00-04:00"] != "2027-03-23 17:00:00" ||
			got["2027-03-09T20:00:00-05:00"] != "2027-03-09 20:00:00" {
			t.Fatalf("events after the change without force: %v", got)
		}
		expect(t, f.do("PATCH", f.path("/%d/days/%d", f.schedule, f.tue), map[string]any{"events_time": "20:00:00", "force": true}), 200)
		for _, ev := range f.events(t, f.tue) {
			if ev["is_entity_datetime_changed"] != false {
				t.Fatalf("force did not override: %v", ev)
			}
		}

		// A new Wednesday series; the weekday cannot be taken twice.
		r = f.do("POST", f.path("/%d/days?include[]=events", f.schedule), map[string]any{"day_of_week": "wed", "events_master_id": f.member,
			"events_time": "12:00:00", "events_duration": 3600, "events_capacity": 4})
		expect(t, r, 201)
		wed := num(r.Data()["id"])
		if evs, _ := r.Data()["events"].([]any); len(evs) != 5 {
			t.Fatalf("Wednesday events: %s", truncate(r.Body))
		}
		expectError(t, f.do("POST", f.path("/%d/days", f.schedule), map[string]any{"day_of_week": "wed", "events_master_id": f.member,
			"events_time": "15:00:00", "events_duration": 3600, "events_capacity": 4}), 422, "already")
		// A client booked into the Wednesdays loses them with the series.
		r = f.do("POST", fmt.Sprintf("/clients/%d", e.locB), map[string]any{"name": "Wed Client", "phone": "+12125550111"})
		expect(t, r, 201)
		wedClient := num(r.Data()["id"])
		expect(t, f.do("POST", f.path("/%d/client_schedules", f.schedule), map[string]any{"client_id": wedClient, "schedule_days_ids": []int64{wed}}), 201)
		if n := len(f.clientRecords(t, wedClient)); n != 5 {
			t.Fatalf("%d Wednesday appointments, want 5", n)
		}
		expect(t, f.do("DELETE", f.path("/%d/days/%d", f.schedule, wed), nil), 204)
		expect(t, f.do("GET", f.path("/%d/days/%d/events", f.schedule, wed), nil), 404)
		if n := len(f.clientRecords(t, wedClient)); n != 0 {
			t.Fatalf("%d Wednesday appointments left after deleting the series", n)
		}
		r = f.do("GET", fmt.Sprintf("/activity/%d/search_dates?from=2027-03-01&till=2027-03-31", e.locB), nil)
		if fmt.Sprint(r.JSON["data"]) != "[2027-03-02 2027-03-04 2027-03-09 2027-03-11 2027-03-16 2027-03-18 2027-03-23 2027-03-25 2027-03-30]" {
			t.Fatalf("dates after deleting the Wednesday series: %s", truncate(r.Body))
		}
	})
}

// TestScheduleCopiesOriginalClients: add_clients_from_original_entity books
// the original event's clients into every new event of the schedule.
func TestScheduleCopiesOriginalClients(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := schedFixture{e: e}
		f.member, f.service = careTeam(t, e)
		r := f.do("POST", fmt.Sprintf("/activity/%d", e.locB), map[string]any{
			"date": "2027-05-04T10:00:00", "service_id": f.service, "staff_id": f.member, "capacity": 2, "length": 3600})
		expect(t, r, 200)
		f.original = num(r.Data()["id"])
		seat := seatIn(e, e.ownerB, e.locB, f.original, "+12125550121")
		expect(t, seat, 201)
		client := num(seat.Data()["client"].(map[string]any)["id"])
		expect(t, f.do("POST", f.path(""), map[string]any{"original_entity_type": "activity", "original_entity_id": f.original,
			"date_end": "2027-05-18", "add_clients_from_original_entity": true,
			"days": []map[string]any{{"day_of_week": "tue", "events_master_id": f.member, "events_time": "10:00:00",
				"events_duration": 3600, "events_capacity": 2}}}), 201)
		var got []string
		for _, rec := range f.clientRecords(t, client) {
			got = append(got, rec["datetime"].(string))
		}
		if fmt.Sprint(got) != "[2027-05-04T10:00:00-04:00 2027-05-11T10:00:00-04:00 2027-05-18T10:00:00-04:00]" {
			t.Fatalf("the original's client in the scheduled events: %v", got)
		}
	})
}

// TestRecurringAppointments: a client schedule books its client into every
// future event of its series, skips full events and reports them, never
// books twice, and on change or deletion removes only future appointments.
func TestRecurringAppointments(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newSchedule(t, e)
		client := func(phone string) int64 {
			r := f.do("POST", fmt.Sprintf("/clients/%d", e.locB), map[string]any{"name": "Client " + phone, "phone": phone})
			expect(t, r, 201)
			return num(r.Data()["id"])
		}
		olga := client("+12125550101")
		r := f.do("POST", f.path("/%d/client_schedules", f.schedule), map[string]any{"client_id": olga, "schedule_days_ids": []int64{f.tue}})
		expect(t, r, 201)
		cs := num(r.Data()["id"])
		days, _ := r.Data()["days"].([]any)
		if r.Data()["final_day"] != "2027-03-30 19:00:00" || len(days) != 1 || days[0].(map[string]any)["day_of_week"] != "tue" ||
			r.Data()["loyalty_abonement_id"] != nil || len(r.Meta()) != 0 {
			t.Fatalf("client schedule: %s", truncate(r.Body))
		}
		recs := f.clientRecords(t, olga)
		if len(recs) != 5 {
			t.Fatalf("%d appointments for 5 Tuesday events", len(recs))
		}
		tue := f.events(t, f.tue)
		for i, rec := range recs {
			if num(rec["activity_id"]) != num(tue[i]["event_entity_id"]) || rec["datetime"] != tue[i]["event_datetime"] {
				t.Fatalf("appointment %d: %v at %v, event %v", i, rec["activity_id"], rec["datetime"], tue[i])
			}
		}
		r = f.do("GET", f.path("/search/record/%d", num(recs[0]["id"])), nil)
		expect(t, r, 200)
		if num(r.Data()["id"]) != f.schedule {
			t.Fatalf("schedule of an appointment: %s", truncate(r.Body))
		}

		// Two other clients fill the Thursday event of 2027-03-11.
		thu := f.events(t, f.thu)
		full := num(thu[1]["event_entity_id"])
		expect(t, seatIn(e, e.ownerB, e.locB, full, "+12125550102"), 201)
		expect(t, seatIn(e, e.ownerB, e.locB, full, "+12125550103"), 201)
		// Olga is already in the Thursday event of 2027-03-18.
		expect(t, seatIn(e, e.ownerB, e.locB, num(thu[2]["event_entity_id"]), "+12125550101"), 201)
		r = f.do("PATCH", f.path("/%d/client_schedules/%d", f.schedule, cs), map[string]any{"schedule_days_ids": []int64{f.tue, f.thu}})
		expect(t, r, 200)
		skipped, _ := r.Meta()["skipped_events"].([]any)
		if len(skipped) != 1 || num(skipped[0].(map[string]any)["activity_id"]) != full || r.Data()["final_day"] != "2027-03-30 19:00:00" {
			t.Fatalf("patch: %s", truncate(r.Body))
		}
		if n := len(f.clientRecords(t, olga)); n != 5+3 {
			t.Fatalf("%d appointments after attaching Thursdays, want 8", n)
		}
		// The same set again books nothing twice.
		expect(t, f.do("PATCH", f.path("/%d/client_schedules/%d", f.schedule, cs), map[string]any{"schedule_days_ids": []int64{f.thu, f.tue}}), 200)
		if n := len(f.clientRecords(t, olga)); n != 8 {
			t.Fatalf("%d appointments after repeating the set", n)
		}

		// Bad input changes nothing.
		for _, c := range []struct {
			body map[string]any
			msg  string
		}{
			{map[string]any{"schedule_days_ids": []int64{}}, "1 to 7"},
			{map[string]any{"schedule_days_ids": []int64{1, 2, 3, 4, 5, 6, 7, 8}}, "1 to 7"},
			{map[string]any{"schedule_days_ids": []int64{f.tue, 987654}}, "not a series"},
		} {
			expectError(t, f.do("PATCH", f.path("/%d/client_schedules/%d", f.schedule, cs), c.body), 422, c.msg)
		}
		expectError(t, f.do("POST", f.path("/%d/client_schedules", f.schedule), map[string]any{"schedule_days_ids": []int64{f.tue}}), 422, "client_id")
		if n := len(f.clientRecords(t, olga)); n != 8 {
			t.Fatalf("%d appointments after bad input", n)
		}
		owner := e.login(demo.OwnerLogin, demo.Password)
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(owner)})
		foreign := num(r.List()[0]["id"])
		expect(t, f.do("POST", f.path("/%d/client_schedules", f.schedule), map[string]any{"client_id": foreign, "schedule_days_ids": []int64{f.tue}}), 404)
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/company/%d/schedules/%d/client_schedules", e.locA, f.schedule), Auth: e.userAuth(owner),
			Body: map[string]any{"client_id": foreign, "schedule_days_ids": []int64{f.tue}}}), 404)

		// Detaching Tuesdays deletes the future Tuesday appointments.
		r = f.do("PATCH", f.path("/%d/client_schedules/%d", f.schedule, cs), map[string]any{"schedule_days_ids": []int64{f.thu}})
		expect(t, r, 200)
		if r.Data()["final_day"] != "2027-03-25 07:30:00" {
			t.Fatalf("final_day after detaching: %v", r.Data()["final_day"])
		}
		recs = f.clientRecords(t, olga)
		if len(recs) != 3 {
			t.Fatalf("%d appointments after detaching Tuesdays, want 3", len(recs))
		}

		// Time passes to 2027-03-20: deleting the client schedule removes
		// the future appointment of 03-25 and keeps 03-04 and 03-18.
		e.clock.Add(time.Until(time.Date(2027, 3, 20, 0, 0, 0, 0, time.UTC)))
		expect(t, f.do("DELETE", f.path("/%d/client_schedules/%d", f.schedule, cs), nil), 204)
		expect(t, f.do("DELETE", f.path("/%d/client_schedules/%d", f.schedule, cs), nil), 404)
		var left []string
		for _, rec := range f.clientRecords(t, olga) {
			left = append(left, rec["datetime"].(string))
		}
		if fmt.Sprint(left) != "[2027-03-04T07:30:00-05:00 2027-03-18T07:30:00-04:00]" {
			t.Fatalf("after deleting the client schedule: %v", left)
		}
	})
}

// TestRecurringNeverOverfills: many clients attach to a series of
// capacity 3 at once through two servers; every event ends with exactly 3
// clients and every client either got a seat or a skip report.
func TestRecurringNeverOverfills(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		second := newEnv(t, e.engine, e.dsn, bookingDefaults(), false)
		second.partner = e.partner
		f := newSchedule(t, e)
		const n = 10
		clients := make([]int64, n)
		for i := range clients {
			r := f.do("POST", fmt.Sprintf("/clients/%d", e.locB), map[string]any{"name": fmt.Sprint("Racer ", i), "phone": fmt.Sprintf("+1212555%04d", i)})
			expect(t, r, 201)
			clients[i] = num(r.Data()["id"])
		}
		type result struct {
			status  int
			skipped int
		}
		results := make(chan result, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, cl := range clients {
			srv := e
			if i%2 == 1 {
				srv = second
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := srv.do(req{Method: "POST", Path: f.path("/%d/client_schedules", f.schedule), Auth: srv.userAuth(e.ownerB),
					Body: map[string]any{"client_id": cl, "schedule_days_ids": []int64{f.tue, f.thu}}})
				sk, _ := r.Meta()["skipped_events"].([]any)
				results <- result{r.Status, len(sk)}
			}()
		}
		close(start)
		wg.Wait()
		close(results)
		skips := 0
		for r := range results {
			if r.status != 201 {
				t.Fatalf("status %d", r.status)
			}
			skips += r.skipped
		}
		r := f.do("GET", fmt.Sprintf("/activity/%d/search?from=2027-03-01&till=2027-03-31", e.locB), nil)
		seats := 0
		for _, a := range r.List() {
			if num(a["records_count"]) != num(a["capacity"]) {
				t.Fatalf("event %v has %v clients for %v seats", a["date"], a["records_count"], a["capacity"])
			}
			seats += int(num(a["records_count"]))
		}
		// 5 Tuesdays of 3 seats and 4 Thursdays of 2: every client asked
		// for all 9 events.
		if seats != 5*3+4*2 || seats+skips != n*9 {
			t.Fatalf("%d seats and %d skips for %d clients × 9 events", seats, skips, n)
		}
	})
}

// TestScheduleExtendAndEventEditRace: extending a schedule (which books
// its client schedules into the series' events) and editing one of those
// events, at once, many times. On PostgreSQL the two used to lock the
// event and its team member in opposite orders: a deadlock, answered 500.
func TestScheduleExtendAndEventEditRace(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newSchedule(t, e)
		r := f.do("POST", fmt.Sprintf("/clients/%d", e.locB), map[string]any{"name": "Regular", "phone": "+12125550199"})
		expect(t, r, 201)
		expect(t, f.do("POST", f.path("/%d/client_schedules", f.schedule),
			map[string]any{"client_id": num(r.Data()["id"]), "schedule_days_ids": []int64{f.tue, f.thu}}), 201)
		// The last Thursday: the extension books it after the Tuesdays.
		thu := f.events(t, f.thu)
		event := num(thu[len(thu)-1]["event_entity_id"])
		const rounds = 50
		for round := 0; round < rounds; round++ {
			end := "2027-06-30"
			if round%2 == 1 {
				end = "2027-03-31"
			}
			var wg sync.WaitGroup
			var extend, edit resp
			wg.Add(2)
			go func() {
				defer wg.Done()
				extend = f.do("PATCH", f.path("/%d", f.schedule), map[string]any{"date_end": end})
			}()
			go func() {
				defer wg.Done()
				// Land inside the extension's work, at a different point each round.
				time.Sleep(time.Duration(round%10) * 4 * time.Millisecond)
				edit = e.do(req{Method: "PUT", Path: fmt.Sprintf("/activity/%d/%d", e.locB, event), Auth: e.userAuth(e.ownerB),
					Body: map[string]any{"comment": fmt.Sprint("round ", round)}})
			}()
			wg.Wait()
			if extend.Status != 200 || edit.Status != 200 {
				t.Fatalf("round %d: extend %d, edit %d: %s %s", round, extend.Status, edit.Status, truncate(extend.Body), truncate(edit.Body))
			}
		}
	})
}

// TestClientScheduleVsSeriesDeletion: attaching a client to a series while
// the series is deleted. The client schedule either is refused (the series
// is gone) or was attached first and then detached by the deletion; no
// client schedule may keep a link to a deleted series. On PostgreSQL the
// client schedule used to read the series without the schedule's lock.
func TestClientScheduleVsSeriesDeletion(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newSchedule(t, e)
		db := rawDB(t, e)
		const rounds = 20
		for round := 0; round < rounds; round++ {
			r := f.do("POST", f.path("/%d/days", f.schedule), map[string]any{"day_of_week": "wed", "events_master_id": f.member,
				"events_time": "12:00:00", "events_duration": 3600, "events_capacity": 4})
			expect(t, r, 201)
			wed := num(r.Data()["id"])
			r = f.do("POST", fmt.Sprintf("/clients/%d", e.locB), map[string]any{"name": fmt.Sprint("Wed ", round), "phone": fmt.Sprintf("+1212556%04d", round)})
			expect(t, r, 201)
			client := num(r.Data()["id"])
			var wg sync.WaitGroup
			var del, attach resp
			wg.Add(2)
			go func() {
				defer wg.Done()
				del = f.do("DELETE", f.path("/%d/days/%d", f.schedule, wed), nil)
			}()
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(round%5) * 2 * time.Millisecond)
				attach = f.do("POST", f.path("/%d/client_schedules", f.schedule), map[string]any{"client_id": client, "schedule_days_ids": []int64{wed}})
			}()
			wg.Wait()
			expect(t, del, 204)
			if attach.Status != 201 && attach.Status != 422 {
				t.Fatalf("round %d: attach %d: %s", round, attach.Status, truncate(attach.Body))
			}
			var stale int
			if err := db.QueryRow(`SELECT COUNT(*) FROM client_schedule_series l JOIN schedule_series s ON s.id = l.series_id
				WHERE s.deleted_at IS NOT NULL`).Scan(&stale); err != nil {
				t.Fatal(err)
			}
			if stale != 0 {
				t.Fatalf("round %d: %d links to a deleted series (attach answered %d)", round, stale, attach.Status)
			}
		}
	})
}

// TestSeatEditVsEventMove: editing a seat while its event moves. The seat
// must end at the event's time; the seat edit used to write back the time
// it had read before the move.
func TestSeatEditVsEventMove(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		member, service := careTeam(t, e)
		tok := e.ownerB
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/activity/%d", e.locB), Auth: e.userAuth(tok), Body: map[string]any{
			"date": "2027-05-04T10:00:00", "service_id": service, "staff_id": member, "capacity": 5, "length": 3600}})
		expect(t, r, 200)
		act := num(r.Data()["id"])
		seats := make([]int64, 4)
		for i := range seats {
			r := seatIn(e, tok, e.locB, act, fmt.Sprintf("+1212557%04d", i))
			expect(t, r, 201)
			seats[i] = num(r.Data()["id"])
		}
		for round := 0; round < 20; round++ {
			date := fmt.Sprintf("2027-05-%02dT10:00:00", 5+round)
			var wg sync.WaitGroup
			var move resp
			edits := make([]resp, len(seats))
			for i, seat := range seats {
				wg.Add(1)
				go func() {
					defer wg.Done()
					edits[i] = e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locB, seat), Auth: e.userAuth(tok),
						Body: map[string]any{"comment": fmt.Sprint("round ", round)}})
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				move = e.do(req{Method: "PUT", Path: fmt.Sprintf("/activity/%d/%d", e.locB, act), Auth: e.userAuth(tok), Body: map[string]any{"date": date}})
			}()
			wg.Wait()
			expect(t, move, 200)
			for _, ed := range edits {
				expect(t, ed, 201)
			}
			want := move.Data()["date"]
			for _, seat := range seats {
				r := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locB, seat), Auth: e.userAuth(tok)})
				expect(t, r, 200)
				if r.Data()["datetime"] != want {
					t.Fatalf("round %d: seat %d at %v, its event at %v", round, seat, r.Data()["datetime"], want)
				}
			}
		}
	})
}

// TestOneLinkPerClientPerSchedule: a client is attached to an event
// schedule once; a second attach is a 422 naming the existing link and
// books nothing, also when several attaches arrive at once through two
// servers.
func TestOneLinkPerClientPerSchedule(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newSchedule(t, e)
		second := newEnv(t, e.engine, e.dsn, bookingDefaults(), false)
		second.partner = e.partner
		client := func(phone string) int64 {
			r := f.do("POST", fmt.Sprintf("/clients/%d", e.locB), map[string]any{"name": "Client " + phone, "phone": phone})
			expect(t, r, 201)
			return num(r.Data()["id"])
		}
		olga := client("+12125550171")
		r := f.do("POST", f.path("/%d/client_schedules", f.schedule), map[string]any{"client_id": olga, "schedule_days_ids": []int64{f.tue}})
		expect(t, r, 201)
		first := num(r.Data()["id"])
		before := len(f.clientRecords(t, olga))
		r = f.do("POST", f.path("/%d/client_schedules", f.schedule), map[string]any{"client_id": olga, "schedule_days_ids": []int64{f.thu}})
		expectError(t, r, 422, fmt.Sprintf("client %d is already attached to this schedule by client schedule %d; change that one instead", olga, first))
		if after := len(f.clientRecords(t, olga)); after != before {
			t.Fatalf("a refused attach changed the client's appointments: %d → %d", before, after)
		}

		for round := range 2 { // Tuesdays seat 3: Olga and two more
			cl := client(fmt.Sprintf("+1212555018%d", round))
			statuses := make(chan int, 6)
			var wg sync.WaitGroup
			for i := range 6 {
				srv := e
				if i%2 == 1 {
					srv = second
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses <- srv.do(req{Method: "POST", Path: f.path("/%d/client_schedules", f.schedule), Auth: srv.userAuth(e.ownerB),
						Body: map[string]any{"client_id": cl, "schedule_days_ids": []int64{f.tue}}}).Status
				}()
			}
			wg.Wait()
			close(statuses)
			got := map[int]int{}
			for st := range statuses {
				got[st]++
			}
			if got[201] != 1 || got[422] != 5 {
				t.Fatalf("round %d: six attaches of one client answered %v, want one 201 and five 422", round, got)
			}
			if recs := f.clientRecords(t, cl); len(recs) != 5 {
				t.Fatalf("round %d: %d appointments for 5 Tuesday events", round, len(recs))
			}
		}
	})
}
