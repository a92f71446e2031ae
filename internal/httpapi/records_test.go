package httpapi_test

import (
	"fmt"
	"math/rand"
	"net/http"
	"sync"
	"testing"
	"time"

	"appointd/internal/demo"
)

// bookingDay is the next day after today (Moscow) on which the demo's
// Anna works her split shift (10–14, 16–20): not a Sunday.
func bookingDay() string { return bookingDays(1)[0] }

// bookingDays lists the next n such days.
func bookingDays(n int) []string {
	moscow, _ := time.LoadLocation("Europe/Moscow")
	var out []string
	for d := time.Now().In(moscow).AddDate(0, 0, 1); len(out) < n; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Sunday {
			out = append(out, d.Format("2006-01-02"))
		}
	}
	return out
}

// demoIDs finds a demo team member and one of its services by name.
func demoIDs(t *testing.T, e *env, tok, member, service string) (int64, int64) {
	t.Helper()
	var mid, sid int64
	for _, m := range e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.partnerAuth()}).List() {
		if m["name"] == member {
			mid = num(m["id"])
		}
	}
	for _, s := range e.do(req{Method: "GET", Path: fmt.Sprintf("/services/%d", e.locA), Auth: e.userAuth(tok)}).List() {
		if s["title"] == service {
			sid = num(s["id"])
		}
	}
	if mid == 0 || sid == 0 {
		t.Fatalf("demo member %q or service %q not found", member, service)
	}
	return mid, sid
}

func errorCode(r resp) int64 {
	errs, _ := r.Meta()["errors"].([]any)
	if len(errs) == 0 {
		return 0
	}
	m, _ := errs[0].(map[string]any)
	return num(m["code"])
}

func TestCreateAppointmentRules(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		worker := e.login(demo.WorkerLogin, demo.Password)
		owner := e.login(demo.OwnerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		_, manicure := demoIDs(t, e, owner, "Vera Popova", "Manicure")
		day := bookingDay()
		create := func(body map[string]any) resp {
			return e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(worker), Body: body,
				Headers: map[string]string{"Accept": "application/vnd.yclients.v2+json"}})
		}
		base := func(dt string) map[string]any {
			return map[string]any{"staff_id": fmt.Sprint(anna), "services": []map[string]any{{"id": haircut}},
				"client":   map[string]any{"name": "Мария Новая", "phone": "+7 999 123-45-67", "email": "m@example.test"},
				"datetime": dt, "send_sms": 0, "save_if_busy": false, "comment": "first visit"}
		}
		// No offset = location time; length = member's duration + break.
		r := create(base(day + "T11:00:00"))
		expect(t, r, http.StatusCreated)
		a := r.Data()
		if a["datetime"] != day+"T11:00:00+03:00" || a["date"] != day+" 11:00:00" || num(a["seance_length"]) != 4200 ||
			num(a["technical_break_duration"]) != 600 || a["deleted"] != false || num(a["visit_id"]) == 0 {
			t.Fatalf("created: %s", truncate(r.Body))
		}
		client := a["client"].(map[string]any)
		if client["name"] != "Мария Новая" || client["phone"] != "+7********67" { // masked for the worker
			t.Fatalf("client: %v", client)
		}
		svc := a["services"].([]any)[0].(map[string]any)
		if svc["cost"] != 2500.0 || svc["first_cost"] != 2500.0 {
			t.Fatalf("service line: %v", svc)
		}
		// Busy: the same start, and a start inside the technical break.
		r = create(base(day + "T11:00:00"))
		expectError(t, r, 422, "busy")
		if errorCode(r) != 433 {
			t.Fatalf("busy code: %s", r.Body)
		}
		expect(t, create(base(day+"T12:05:00")), 422)
		// Outside working hours: the lunch gap, and running past 14:00.
		for _, dt := range []string{day + "T14:30:00", day + "T13:30:00"} {
			r = create(base(dt))
			expectError(t, r, 422, "does not work")
			if errorCode(r) != 436 {
				t.Fatalf("%s: code %s", dt, r.Body)
			}
		}
		// Right after the break ends is free; offset without a colon.
		r = create(base(day + "T09:10:00+0000"))
		expect(t, r, http.StatusCreated)
		if r.Data()["datetime"] != day+"T12:10:00+03:00" {
			t.Fatalf("offset input: %v", r.Data()["datetime"])
		}
		// The same client (phone digits) joins the same visit.
		if num(r.Data()["visit_id"]) != num(a["visit_id"]) || num(r.Data()["client"].(map[string]any)["id"]) != num(client["id"]) {
			t.Fatalf("visit grouping: %v vs %v", r.Data()["visit_id"], a["visit_id"])
		}
		// save_if_busy stores it anyway.
		b := base(day + "T11:00:00")
		b["save_if_busy"] = "1"
		expect(t, create(b), http.StatusCreated)
		// Bad input.
		for field, body := range map[string]map[string]any{
			"services":    {"staff_id": anna, "services": []map[string]any{{"id": manicure}}, "client": map[string]any{"phone": "79990000000"}, "datetime": day + "T16:00:00"},
			"staff_id":    {"staff_id": 99999, "services": []map[string]any{{"id": haircut}}, "client": map[string]any{"phone": "79990000000"}, "datetime": day + "T16:00:00"},
			"datetime":    {"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "client": map[string]any{"phone": "79990000000"}, "datetime": "tomorrow"},
			"activity_id": {"staff_id": anna, "activity_id": 999999, "services": []map[string]any{{"id": haircut}}, "client": map[string]any{"phone": "79990000000"}, "datetime": day + "T16:00:00"},
			"client":      {"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "datetime": day + "T16:00:00"},
		} {
			r := create(body)
			expect(t, r, 422)
			if !bytesContain(r.Body, `"field":"`+field+`"`) {
				t.Errorf("%s: %s", field, r.Body)
			}
		}
		// Another location: 404.
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(e.ownerB), Body: base(day + "T16:00:00")}), 404)
	})
}

func TestGetAndDeleteAppointment(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		day := bookingDay()
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
			"staff_id": anna, "services": []map[string]any{{"id": haircut, "first_cost": 3000, "discount": 10}},
			"client_id": 1, "datetime": day + "T16:00:00+03:00", "attendance": 2, "api_id": 777, "custom_color": "#f44336"}})
		expect(t, r, http.StatusCreated)
		id, visit := num(r.Data()["id"]), num(r.Data()["visit_id"])
		path := fmt.Sprintf("/record/%d/%d", e.locA, id)
		r = e.do(req{Method: "GET", Path: path, Auth: e.userAuth(worker), Headers: map[string]string{"Content-Type": "application/json"}})
		expect(t, r, 200)
		d := r.Data()
		svc := d["services"].([]any)[0].(map[string]any)
		if num(d["attendance"]) != 2 || num(d["confirmed"]) != 1 || d["api_id"] != "777" || d["custom_color"] != "f44336" ||
			svc["cost"] != 2700.0 || num(d["client"].(map[string]any)["id"]) != 1 {
			t.Fatalf("get: %s", truncate(r.Body))
		}
		// The worker may not delete; another location sees nothing.
		expectError(t, e.do(req{Method: "DELETE", Path: path, Auth: e.userAuth(worker)}), 403, "Access denied.")
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/record/%d/%d", e.locB, id), Auth: e.userAuth(e.ownerB)}), 404)
		expect(t, e.do(req{Method: "GET", Path: path, Auth: e.userAuth(e.ownerB)}), 404)
		r = e.do(req{Method: "DELETE", Path: path, Auth: e.userAuth(owner)})
		expect(t, r, 204)
		// Soft: still readable, marked deleted; the slot is free again; the
		// visit went with its only appointment.
		r = e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)})
		if r.Status != 200 || r.Data()["deleted"] != true {
			t.Fatalf("deleted get: %s", truncate(r.Body))
		}
		var deletedAt *int64
		if err := rawDB(t, e).QueryRow(fmt.Sprintf("SELECT deleted_at FROM visits WHERE id = %d", visit)).Scan(&deletedAt); err != nil || deletedAt == nil {
			t.Fatalf("visit not deleted: %v %v", deletedAt, err)
		}
		expect(t, e.do(req{Method: "DELETE", Path: path, Auth: e.userAuth(owner)}), 404)
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
			"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "client_id": 1, "datetime": day + "T16:00:00"}}), 201)
	})
}

// TestNoDoubleBookingUnderConcurrency: 64 requests at once for the same
// team member, all overlapping each other: exactly one wins, and the
// database holds no overlapping pair. The race is run in several windows
// because one round does not always interleave the transactions. Half the
// requests go to a second server with its own connection pool on the same
// database, as a second appointd process would.
func TestNoDoubleBookingUnderConcurrency(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		second := newEnv(t, e.engine, e.dsn, bookingDefaults(), false)
		second.partner = e.partner
		owner := e.login(demo.OwnerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		round := 0
		for _, day := range bookingDays(3) {
			for _, hour := range []int{10, 16} {
				round++
				if got := raceForSlot([]*env{e, second}, e.locA, owner, anna, haircut, day, hour, round); got[201] != 1 || got[422] != 63 {
					t.Fatalf("%s %02d:00: statuses %v, want one 201 and 63 422", day, hour, got)
				}
			}
		}
		var pairs int
		err := rawDB(t, e).QueryRow(`SELECT COUNT(*) FROM appointments a JOIN appointments b
			ON a.team_member_id = b.team_member_id AND a.id < b.id AND a.start_at < b.end_at AND b.start_at < a.end_at
			WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL`).Scan(&pairs)
		if err != nil || pairs != 0 {
			t.Fatalf("overlapping pairs in the database: %d (%v)", pairs, err)
		}
	})
}

// raceForSlot sends 64 creates at once with starts hour:00..hour+1:03, each
// 70 minutes long, so every pair overlaps; it returns the status counts.
func raceForSlot(servers []*env, loc int64, tok string, member, service int64, day string, hour, round int) map[int]int {
	const n = 64
	var wg sync.WaitGroup
	codes := make(chan int, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			dt := fmt.Sprintf("%sT%02d:%02d:00", day, hour+i/60, i%60)
			e := servers[i%len(servers)]
			r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", loc), Auth: e.userAuth(tok), NoValidate: true,
				Body: map[string]any{"staff_id": member, "services": []map[string]any{{"id": service}},
					"client": map[string]any{"name": fmt.Sprintf("Racer %d", i), "phone": fmt.Sprintf("+7999%02d%05d", round, i)}, "datetime": dt}})
			codes <- r.Status
		}(i)
	}
	close(start)
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	return got
}

// TestAppointmentsOccupyTime: free slots and busy intervals see an
// appointment with its technical break.
func TestAppointmentsOccupyTime(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		day := bookingDay()
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
			"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "client": map[string]any{"phone": "+79990001122"},
			"datetime": day + "T11:00:00"}})
		expect(t, r, http.StatusCreated)
		id := num(r.Data()["id"])
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/timetable/seances/%d/%d/%s", e.locA, anna, day), Auth: e.userAuth(owner)})
		taken := map[string]bool{}
		for _, s := range r.List() {
			if s["is_free"] == false {
				taken[s["time"].(string)] = true
			}
		}
		// 11:00–12:10 (70 minutes with the break) takes the 11:00..12:00 starts.
		for _, hm := range []string{"11:00", "11:30", "12:00"} {
			if !taken[hm] {
				t.Errorf("%s is free during the appointment", hm)
			}
		}
		for _, hm := range []string{"10:45", "12:15"} {
			if taken[hm] {
				t.Errorf("%s is taken outside the appointment", hm)
			}
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/staff/schedule?start_date=%s&end_date=%s&staff_ids[]=%d&include[]=busy_intervals",
			e.locA, day, day, anna), Auth: e.userAuth(owner)})
		busy := r.List()[0]["busy_intervals"].([]any)
		if len(busy) != 1 {
			t.Fatalf("busy intervals: %s", r.Body)
		}
		b := busy[0].(map[string]any)
		if b["entity_type"] != "record" || num(b["entity_id"]) != id || b["from"] != "11:00:00" || b["to"] != "12:10:00" {
			t.Fatalf("busy interval: %v", b)
		}
	})
}

func TestEditAppointment(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		dmitry, _ := demoIDs(t, e, owner, "Dmitry Volkov", "Blow-dry")
		days := bookingDays(2)
		book := func(dt, phone string) resp {
			return e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
				"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "client": map[string]any{"phone": phone},
				"datetime": days[0] + dt, "comment": "original"}})
		}
		first := book("T10:00:00", "+79990000001")
		expect(t, first, 201)
		second := book("T16:00:00", "+79990000002")
		expect(t, second, 201)
		path := fmt.Sprintf("/record/%d/%d", e.locA, num(first.Data()["id"]))

		// Comment only: everything else stays.
		r := e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: map[string]any{"comment": "new comment"}})
		expect(t, r, 201)
		if r.Data()["comment"] != "new comment" || r.Data()["datetime"] != days[0]+"T10:00:00+03:00" || num(r.Data()["seance_length"]) != 4200 {
			t.Fatalf("comment edit: %s", truncate(r.Body))
		}
		// A move onto the other appointment is refused; half an hour later
		// overlaps only itself and is fine.
		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: map[string]any{"datetime": days[0] + "T16:30:00"}})
		if r.Status != 422 || errorCode(r) != 433 {
			t.Fatalf("move onto busy: %d %s", r.Status, r.Body)
		}
		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: map[string]any{"datetime": days[0] + "T10:30:00"}})
		expect(t, r, 201)
		// Another member (Dmitry performs the haircut for 75 minutes).
		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: map[string]any{"staff_id": dmitry, "datetime": days[0] + "T11:30:00"}})
		expect(t, r, 201)
		if num(r.Data()["staff_id"]) != dmitry || num(r.Data()["seance_length"]) != 4500+600 {
			t.Fatalf("member change: %s", truncate(r.Body))
		}
		// Another day: a new visit; the old one, now empty, goes.
		oldVisit := num(r.Data()["visit_id"])
		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: map[string]any{"datetime": days[1] + "T11:00:00"}})
		expect(t, r, 201)
		if num(r.Data()["visit_id"]) == oldVisit {
			t.Fatal("a move to another day kept the visit")
		}
		// Bad input changes nothing.
		before := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Body
		for _, body := range []map[string]any{
			{"datetime": "soon"}, {"staff_id": 99999}, {"services": []map[string]any{}}, {"attendance": 5},
			{"datetime": days[1] + "T23:00:00"},
		} {
			expect(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: body}), 422)
		}
		if after := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Body; string(after) != string(before) {
			t.Fatalf("refused edits changed the appointment")
		}
		// Without edit_records_access: 403; another location: 404.
		workerID := e.userID(owner, e.locA, "Demo Worker")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: e.userAuth(owner),
			Body: map[string]any{"user_permissions": []map[string]any{{"slug": "edit_records_access", "value": false}}}}), 200)
		expectError(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: map[string]any{"comment": "x"}}), 403, "Access denied.")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locB, num(first.Data()["id"])), Auth: e.userAuth(e.ownerB), Body: map[string]any{"comment": "x"}}), 404)
	})
}

func TestListAppointments(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		vera, manicure := demoIDs(t, e, owner, "Vera Popova", "Manicure")
		dropDemoClass(t, e, owner)
		days := bookingDays(2)
		made := map[string]int64{}
		var workerID int64
		for _, x := range []struct {
			key, who, day, at, phone string
		}{
			{"a2", "anna", days[0], "16:00", "+79990000001"},
			{"a1", "anna", days[0], "10:00", "+79990000001"},
			{"v1", "vera", days[0], "12:00", "+79990000002"},
			{"a3", "anna", days[1], "10:00", "+79990000003"},
		} {
			member, service := anna, haircut
			if x.who == "vera" {
				member, service = vera, manicure
			}
			r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(worker), Body: map[string]any{
				"staff_id": member, "services": []map[string]any{{"id": service}}, "client": map[string]any{"phone": x.phone},
				"datetime": x.day + "T" + x.at + ":00"}})
			expect(t, r, 201)
			made[x.key], workerID = num(r.Data()["id"]), num(r.Data()["created_user_id"])
		}
		list := func(q string) resp {
			return e.do(req{Method: "GET", Path: fmt.Sprintf("/records/%d?%s", e.locA, q), Auth: e.userAuth(worker)})
		}
		order := func(r resp) []int64 {
			var out []int64
			for _, a := range r.List() {
				out = append(out, num(a["id"]))
			}
			return out
		}
		r := list(fmt.Sprintf("start_date=%s&end_date=%s", days[0], days[0]))
		if got := order(r); fmt.Sprint(got) != fmt.Sprint([]int64{made["a1"], made["v1"], made["a2"]}) || num(r.Meta()["total_count"]) != 3 || num(r.Meta()["page"]) != 1 {
			t.Fatalf("one day by start: %v %v", got, r.Meta())
		}
		r = list(fmt.Sprintf("staff_id=%d", anna))
		if num(r.Meta()["total_count"]) != 3 {
			t.Fatalf("staff_id: %v", r.Meta())
		}
		if r2 := list(fmt.Sprintf("team_member_id=%d", anna)); fmt.Sprint(order(r2)) != fmt.Sprint(order(r)) {
			t.Fatal("team_member_id and staff_id differ")
		}
		r = list(fmt.Sprintf("count=2&page=2&start_date=%s", days[0]))
		if got := order(r); len(got) != 2 || got[0] != made["a2"] || num(r.Meta()["total_count"]) != 4 {
			t.Fatalf("page 2: %v %v", got, r.Meta())
		}
		r = list("client_id=" + fmt.Sprint(num(e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, made["a1"]), Auth: e.userAuth(owner)}).Data()["client"].(map[string]any)["id"])))
		if num(r.Meta()["total_count"]) != 2 {
			t.Fatalf("client_id: %v", r.Meta())
		}
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/record/%d/%d", e.locA, made["v1"]), Auth: e.userAuth(owner)}), 204)
		if n := num(list("").Meta()["total_count"]); n != 3 {
			t.Fatalf("deleted ones are listed: %d", n)
		}
		r = list(fmt.Sprintf("with_deleted=1&include_finance_transactions=1&created_user_id=%d", workerID))
		if num(r.Meta()["total_count"]) != 4 || r.List()[0]["finance_transactions"] == nil {
			t.Fatalf("with_deleted: %v", r.Meta())
		}
		for _, q := range []string{"count=0", "count=abc", "page=0", "start_date=tomorrow", "changed_after=later"} {
			expect(t, list(q), 422)
		}
		if len(list("count=500").List()) != 3 {
			t.Fatal("count above 200 is not clamped")
		}
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(e.ownerB)}), 404)

		// The partner list: appointments made with this partner token, in
		// the user's locations.
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/records/partner?start_date=%s&end_date=%s", reformat(days[0]), days[1]), Auth: e.userAuth(owner)})
		expect(t, r, 200)
		if num(r.Meta()["count"]) != 3 || r.List()[0]["company"].(map[string]any)["title"] != demo.LocationTitle {
			t.Fatalf("partner list: %v %s", r.Meta(), truncate(r.Body))
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/records/partner?salon_id=%d", e.locA), Auth: e.userAuth(e.ownerB)})
		expect(t, r, 404)
		r = e.do(req{Method: "GET", Path: "/records/partner", Auth: e.userAuth(e.ownerB)})
		if num(r.Meta()["count"]) != 0 {
			t.Fatalf("B sees A's appointments: %v", r.Meta())
		}
	})
}

// reformat writes 2026-11-25 as 25.11.2026, as partner clients send it.
func reformat(day string) string {
	d, _ := time.Parse("2006-01-02", day)
	return d.Format("02.01.2006")
}

// TestAppointmentsAcrossDST uses location B (America/New_York): a wall
// time skipped in spring is refused, an appointment spanning the jump has
// its real length, and the repeated hour in autumn holds two appointments
// that list in order with their own offsets.
func TestAppointmentsAcrossDST(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.ownerB
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/staff/%d", e.locB), Auth: e.userAuth(tok), Body: map[string]any{"name": "Night Nurse", "has_access_timetable": true}})
		expect(t, r, 201)
		member := num(r.Data()["id"])
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/service_categories/%d", e.locB), Auth: e.userAuth(tok), Body: map[string]any{"title": "Care"}})
		cat := num(r.Data()["id"])
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/services/%d", e.locB), Auth: e.userAuth(tok), Body: map[string]any{
			"title": "Check-up", "category_id": cat, "duration": 3600, "staff": []map[string]any{{"id": member, "seance_length": 3600}}}})
		expect(t, r, 201)
		service := num(r.Data()["id"])
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/staff/schedule", e.locB), Auth: e.userAuth(tok), Body: map[string]any{
			"schedules_to_set": []map[string]any{{"team_member_id": member, "dates": []string{"2027-03-14", "2027-11-07"},
				"slots": []map[string]string{{"from": "00:00", "to": "06:00"}}}}}}), 200)
		book := func(dt string) resp {
			return e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locB), Auth: e.userAuth(tok), Body: map[string]any{
				"staff_id": member, "services": []map[string]any{{"id": service}}, "client": map[string]any{"phone": "+12125550100"}, "datetime": dt}})
		}
		// Spring forward, 2027-03-14 02:00 → 03:00.
		expectError(t, book("2027-03-14T02:30:00"), 422, "does not exist")
		r = book("2027-03-14T01:30:00")
		expect(t, r, 201)
		if r.Data()["datetime"] != "2027-03-14T01:30:00-05:00" {
			t.Fatalf("before the jump: %v", r.Data()["datetime"])
		}
		// 01:30 EST + 60 minutes is 03:30 EDT: 03:00 is busy, 03:30 free.
		expectError(t, book("2027-03-14T03:00:00"), 422, "busy")
		r = book("2027-03-14T03:30:00")
		expect(t, r, 201)
		if r.Data()["datetime"] != "2027-03-14T03:30:00-04:00" {
			t.Fatalf("after the jump: %v", r.Data()["datetime"])
		}
		// Fall back, 2027-11-07 02:00 → 01:00: 01:30 happens twice.
		for _, dt := range []string{"2027-11-07T01:30:00-05:00", "2027-11-07T00:30:00", "2027-11-07T01:30:00-04:00"} {
			expect(t, book(dt), 201)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/records/%d?start_date=2027-11-07&end_date=2027-11-07", e.locB), Auth: e.userAuth(tok)})
		var got []string
		for _, a := range r.List() {
			got = append(got, a["datetime"].(string))
		}
		want := []string{"2027-11-07T00:30:00-04:00", "2027-11-07T01:30:00-04:00", "2027-11-07T01:30:00-05:00"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("fall-back night: %v, want %v", got, want)
		}
	})
}

// TestRandomOverlapsProperty sends random overlapping bookings at once. The
// stored set must be pairwise non-overlapping, and every refused request
// must overlap some stored appointment (nothing is refused for nothing).
func TestRandomOverlapsProperty(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		seed := time.Now().UnixNano()
		rng := rand.New(rand.NewSource(seed))
		moscow, _ := time.LoadLocation("Europe/Moscow")
		for _, day := range bookingDays(2) {
			type try struct {
				start, end time.Time
				status     int
			}
			tries := make([]try, 40)
			var wg sync.WaitGroup
			for i := range tries {
				d, _ := time.ParseInLocation("2006-01-02T15:04", day+"T10:00", moscow)
				start := d.Add(time.Duration(rng.Intn(37)) * 5 * time.Minute) // 10:00..13:00
				length := time.Duration(1+rng.Intn(12)) * 5 * time.Minute     // 5..60 minutes
				if end := start.Add(length); end.After(d.Add(4 * time.Hour)) {
					length = d.Add(4 * time.Hour).Sub(start)
				}
				tries[i] = try{start: start, end: start.Add(length)}
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), NoValidate: true,
						Body: map[string]any{"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "technical_break_duration": 0,
							"seance_length": int(tries[i].end.Sub(tries[i].start).Seconds()), "client": map[string]any{"phone": "+79995550000"},
							"datetime": tries[i].start.Format(time.RFC3339)}})
					tries[i].status = r.Status
				}(i)
			}
			wg.Wait()
			var stored []try
			for _, x := range tries {
				if x.status == 201 {
					stored = append(stored, x)
				}
			}
			for i, x := range tries {
				overlaps := 0
				for _, y := range stored {
					if x.start.Before(y.end) && y.start.Before(x.end) {
						overlaps++
					}
				}
				switch {
				case x.status == 201 && overlaps != 1: // only itself
					t.Fatalf("seed %d: stored %d overlaps %d stored appointments", seed, i, overlaps-1)
				case x.status == 422 && overlaps == 0:
					t.Fatalf("seed %d: request %d [%s, %s) was refused but overlaps nothing stored", seed, i, x.start, x.end)
				case x.status != 201 && x.status != 422:
					t.Fatalf("seed %d: status %d", seed, x.status)
				}
			}
		}
	})
}

// TestCustomFieldsNeedBothPermissions: the demo worker may read custom
// fields but not edit them, so its values are left as they are.
func TestCustomFieldsNeedBothPermissions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
			"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "client": map[string]any{"phone": "+79990007777"},
			"datetime": bookingDay() + "T10:00:00", "custom_fields": map[string]any{"allergy": "latex"}}})
		expect(t, r, 201)
		if cf, _ := r.Data()["custom_fields"].(map[string]any); cf["allergy"] != "latex" {
			t.Fatalf("owner's custom fields: %v", r.Data()["custom_fields"])
		}
		path := fmt.Sprintf("/record/%d/%d", e.locA, num(r.Data()["id"]))
		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: map[string]any{"comment": "ok", "custom_fields": map[string]any{"allergy": "none"}}})
		expect(t, r, 201)
		if cf, _ := r.Data()["custom_fields"].(map[string]any); cf["allergy"] != "latex" || r.Data()["comment"] != "ok" {
			t.Fatalf("worker changed custom fields: %s", truncate(r.Body))
		}
	})
}
