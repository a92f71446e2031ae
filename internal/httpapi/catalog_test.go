package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"appointd/internal/demo"
)

// catalog is a small catalog built through the API in location A.
type catalog struct {
	owner, worker string
	member        int64 // has_access_timetable
	other         int64 // no timetable access
	category      int64
	service       int64 // 3600 s, linked to member for 2700 s
}

func newCatalog(t *testing.T, e *env) catalog {
	t.Helper()
	c := catalog{owner: e.login(demo.OwnerLogin, demo.Password), worker: e.login(demo.WorkerLogin, demo.Password)}
	r := e.do(req{Method: "POST", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.userAuth(c.owner),
		Body: map[string]any{"name": "Anna Stylist", "specialization": "Hair", "has_access_timetable": 1, "weight": "5"}})
	expect(t, r, http.StatusCreated)
	c.member = num(r.Data()["id"])
	r = e.do(req{Method: "POST", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.userAuth(c.owner),
		Body: map[string]any{"name": "Boris Trainee"}})
	expect(t, r, http.StatusCreated)
	c.other = num(r.Data()["id"])
	r = e.do(req{Method: "POST", Path: fmt.Sprintf("/service_categories/%d", e.locA), Auth: e.userAuth(c.owner),
		Body: map[string]any{"title": "Hair", "weight": 10}})
	expect(t, r, http.StatusCreated)
	c.category = num(r.Data()["id"])
	r = e.do(req{Method: "POST", Path: fmt.Sprintf("/services/%d", e.locA), Auth: e.userAuth(c.owner),
		Body: map[string]any{"title": "Haircut", "category_id": c.category, "price_min": "1500.50", "price_max": 2500,
			"duration": 3600, "technical_break_duration": 600, "staff": []map[string]any{{"id": c.member, "seance_length": 2700}}}})
	expect(t, r, http.StatusCreated)
	c.service = num(r.Data()["id"])
	return c
}

func TestTeamMembers(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c := newCatalog(t, e)
		// The partner token alone lists them (real clients call it so).
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.partnerAuth()})
		expect(t, r, 200)
		byID := map[int64]map[string]any{}
		for _, m := range r.List() {
			byID[num(m["id"])] = m
		}
		total := len(r.List())
		if byID[c.member]["name"] != "Anna Stylist" || byID[c.member]["bookable"] != true || byID[c.other]["bookable"] != false {
			t.Fatalf("list (bookable): %s", truncate(r.Body))
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d/%d", e.locA, c.member), Auth: e.partnerAuth()})
		if len(r.List()) != 1 || num(r.List()[0]["id"]) != c.member {
			t.Fatalf("public read is an array: %s", r.Body)
		}
		// Partial update keeps the other fields.
		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/staff/%d/%d", e.locA, c.member), Auth: e.userAuth(c.owner),
			Body: map[string]any{"hidden": "1"}})
		expect(t, r, 200)
		if r.Data()["name"] != "Anna Stylist" || num(r.Data()["hidden"]) != 1 || r.Data()["specialization"] != "Hair" {
			t.Fatalf("partial PUT: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/staff", e.locA), Auth: e.userAuth(c.worker)})
		if num(r.Meta()["total_count"]) != int64(total) || len(r.List()) != total {
			t.Fatalf("company list: %s", truncate(r.Body))
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/staff/%d", e.locA, c.other), Auth: e.userAuth(c.worker)})
		if len(r.List()) != 1 || num(r.Meta()["total_count"]) != 1 {
			t.Fatalf("company one: %s", r.Body)
		}
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/company/%d/staff/quick", e.locA), Auth: e.userAuth(c.owner),
			Body: map[string]any{"name": "Quick Vera", "specialization": "Nails", "position_id": nil, "phone_number": "79161234567",
				"user_email": "vera@salon.test", "user_phone": "79161234568", "is_user_invite": false}})
		expect(t, r, http.StatusCreated)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/staff/positions", e.locA), Auth: e.userAuth(c.owner)}), 200)

		// Bad input changes nothing.
		before := e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.partnerAuth()}).Body
		for _, bad := range []map[string]any{
			{"name": ""}, {"position_id": 999}, {"user_id": 999}, {"fired": "maybe"}, {"weight": "heavy"},
		} {
			expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/staff/%d/%d", e.locA, c.member), Auth: e.userAuth(c.owner), Body: bad}), 422)
		}
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/company/%d/staff/quick", e.locA), Auth: e.userAuth(c.owner),
			Body: map[string]any{"name": "X", "phone_number": "12ab"}}), 422)
		if after := e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.partnerAuth()}).Body; string(after) != string(before) {
			t.Fatal("refused requests changed team members")
		}
		// Permissions and other locations.
		expectError(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.userAuth(c.worker), Body: map[string]any{"name": "W"}}), 403, "Access denied.")
		expectError(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/staff/%d/%d", e.locB, c.member), Auth: e.userAuth(e.ownerB), Body: map[string]any{"name": "B"}}), 404, "Not found")
		expectError(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d/%d", e.locB, c.member), Auth: e.partnerAuth()}), 404, "Not found")
		expectError(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/staff", e.locA), Auth: e.userAuth(e.ownerB)}), 404, "Not found")
		// Delete: gone from lists and public reads, and from its services.
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/staff/%d/%d", e.locA, c.member), Auth: e.userAuth(c.owner)}), 204)
		expectError(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d/%d", e.locA, c.member), Auth: e.partnerAuth()}), 404, "Not found")
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/services/%d/%d", e.locA, c.service), Auth: e.partnerAuth()})
		if staff, _ := r.Data()["staff"].([]any); len(staff) != 0 {
			t.Fatalf("removed member still linked: %s", r.Body)
		}
		expectError(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/staff/%d/%d", e.locA, c.member), Auth: e.userAuth(c.owner)}), 404, "Not found")
	})
}

func TestCategoriesAndServices(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c := newCatalog(t, e)
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/services/%d/%d", e.locA, c.service), Auth: e.partnerAuth()})
		expect(t, r, 200)
		d := r.Data()
		if d["price_min"] != 1500.5 || d["price_max"] != 2500.0 || num(d["duration"]) != 3600 || num(d["technical_break_duration"]) != 600 || num(d["active"]) != 1 {
			t.Fatalf("service: %s", r.Body)
		}
		staff := d["staff"].([]any)
		if len(staff) != 1 || num(staff[0].(map[string]any)["seance_length"]) != 2700 {
			t.Fatalf("links: %v", staff)
		}
		// Category lists who performs its services; filters by member.
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/service_category/%d/%d", e.locA, c.category), Auth: e.partnerAuth()})
		if s := r.Data()["staff"].([]any); len(s) != 1 || num(s[0]) != c.member {
			t.Fatalf("category staff: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/service_categories?team_member_id=%d", e.locA, c.other), Auth: e.userAuth(c.owner)})
		if len(r.List()) != 0 || num(r.Meta()["total_count"]) != 0 {
			t.Fatalf("categories of a member with no services: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/services/%d?staff_id=%d", e.locA, c.member), Auth: e.userAuth(c.worker)})
		if len(r.List()) != 1 || num(r.List()[0]["id"]) != c.service {
			t.Fatalf("services by staff_id: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/services?master_id=%d", e.locA, c.other), Auth: e.userAuth(c.worker)})
		if len(r.List()) != 0 {
			t.Fatalf("services by master_id: %s", r.Body)
		}
		// Links: add, change, refuse a duplicate, remove.
		link := fmt.Sprintf("/company/%d/services/%d/staff", e.locA, c.service)
		r = e.do(req{Method: "POST", Path: link, Auth: e.userAuth(c.owner), Body: map[string]any{"master_id": c.other, "seance_length": 1800, "technological_card_id": nil}})
		expect(t, r, http.StatusCreated)
		if num(r.Data()["length"]) != 1800 || num(r.Data()["master_id"]) != c.other {
			t.Fatalf("link: %s", r.Body)
		}
		expect(t, e.do(req{Method: "POST", Path: link, Auth: e.userAuth(c.owner), Body: map[string]any{"master_id": c.other, "seance_length": 1800}}), 422)
		for _, bad := range []int{0, 299, 86400, 1000} {
			expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("%s/%d", link, c.other), Auth: e.userAuth(c.owner), Body: map[string]any{"seance_length": bad}}), 422)
		}
		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("%s/%d", link, c.other), Auth: e.userAuth(c.owner), Body: map[string]any{"seance_length": "3600"}})
		if r.Status != 200 || num(r.Data()["length"]) != 3600 {
			t.Fatalf("link PUT: %d %s", r.Status, r.Body)
		}
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("%s/%d", link, c.other), Auth: e.userAuth(c.owner)}), 204)
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("%s/%d", link, c.other), Auth: e.userAuth(c.owner)}), 404)

		// Partial service update; null clears the technical break.
		r = e.do(req{Method: "PATCH", Path: fmt.Sprintf("/services/%d/%d", e.locA, c.service), Auth: e.userAuth(c.owner),
			Body: map[string]any{"title": "Long haircut", "technical_break_duration": nil}})
		expect(t, r, 200)
		if r.Data()["title"] != "Long haircut" || r.Data()["technical_break_duration"] != nil || r.Data()["price_min"] != 1500.5 {
			t.Fatalf("PATCH: %s", r.Body)
		}
		// Bad input: 422 naming the field, nothing changed.
		before := e.do(req{Method: "GET", Path: fmt.Sprintf("/services/%d/%d", e.locA, c.service), Auth: e.partnerAuth()}).Body
		cases := map[string]map[string]any{
			"price_min":                {"price_min": -1},
			"price_max":                {"price_min": 3000, "price_max": 2000},
			"duration":                 {"duration": 1000},
			"technical_break_duration": {"technical_break_duration": 4000},
			"category_id":              {"category_id": 99999},
			"discount":                 {"discount": 101},
			"staff":                    {"staff": []map[string]any{{"id": 99999, "seance_length": 3600}}},
			"title":                    {"title": ""},
		}
		for field, body := range cases {
			r := e.do(req{Method: "PUT", Path: fmt.Sprintf("/services/%d/%d", e.locA, c.service), Auth: e.userAuth(c.owner), Body: body})
			expect(t, r, 422)
			if !strings.Contains(string(r.Body), `"field":"`+field+`"`) {
				t.Errorf("%v: error does not name %s: %s", body, field, r.Body)
			}
		}
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/services/%d/%d", e.locA, c.service), Auth: e.userAuth(c.owner), Body: `{"price_min": "cheap"}`}), 422)
		if after := e.do(req{Method: "GET", Path: fmt.Sprintf("/services/%d/%d", e.locA, c.service), Auth: e.partnerAuth()}).Body; string(after) != string(before) {
			t.Fatalf("refused updates changed the service:\n%s\n%s", before, after)
		}
		// A category with services cannot go; an empty one can.
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/service_category/%d/%d", e.locA, c.category), Auth: e.userAuth(c.owner)}), 422)
		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/service_category/%d/%d", e.locA, c.category), Auth: e.userAuth(c.owner), Body: map[string]any{"title": "Hair & Beard"}})
		if r.Status != 200 || r.Data()["title"] != "Hair & Beard" || num(r.Data()["weight"]) != 10 {
			t.Fatalf("category PUT: %s", r.Body)
		}
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/services/%d/%d", e.locA, c.service), Auth: e.userAuth(c.owner)}), 204)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/services/%d/%d", e.locA, c.service), Auth: e.partnerAuth()}), 404)
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/service_category/%d/%d", e.locA, c.category), Auth: e.userAuth(c.owner)}), 204)
		// Other location, permissions.
		// (GET /services/{location_id} is public, like the categories; the company list is not.)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/services", e.locA), Auth: e.userAuth(e.ownerB)}), 404)
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/services/%d", e.locA), Auth: e.userAuth(c.worker), Body: map[string]any{"title": "x"}}), 403)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/service_categories/%d", e.locA), Auth: e.partnerAuth()}), 200)
	})
}

// TestCatalogReadAliases covers the one-item and public spellings.
func TestCatalogReadAliases(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c := newCatalog(t, e)
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/service_categories/%d/%d", e.locA, c.category), Auth: e.partnerAuth()})
		if len(r.List()) != 1 || r.List()[0]["title"] != "Hair" {
			t.Fatalf("public category list: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/service_categories/%d", e.locA, c.category), Auth: e.userAuth(c.worker)})
		if len(r.List()) != 1 || num(r.Meta()["total_count"]) != 1 {
			t.Fatalf("company category: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/services/%d", e.locA, c.service), Auth: e.userAuth(c.worker)})
		if len(r.List()) != 1 || num(r.List()[0]["id"]) != c.service || num(r.Meta()["total_count"]) != 1 {
			t.Fatalf("company service: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/services?category_id=%d", e.locA, c.category), Auth: e.userAuth(c.worker)})
		if len(r.List()) != 1 {
			t.Fatalf("services by category: %s", r.Body)
		}
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/service_category/%d/999999", e.locA), Auth: e.partnerAuth()}), 404)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/services/%d", e.locB, c.service), Auth: e.userAuth(e.ownerB)}), 404)
		// The /location spelling of the bulk schedule PUT (D21).
		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/location/%d/staff/schedule", e.locA), Auth: e.userAuth(c.owner), Body: map[string]any{
			"schedules_to_set": []map[string]any{{"team_member_id": fmt.Sprint(c.member), "dates": []string{"2030-06-07"}, "slots": []map[string]string{{"from": "10:00", "to": "12:00"}}}}}})
		if r.Status != 200 || num(r.Meta()["count"]) != 1 {
			t.Fatalf("location spelling: %s", r.Body)
		}
		// Dates of the whole location: the month of the date, any bookable member.
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/timetable/dates/%d/20300615", e.locA), Auth: e.userAuth(c.worker)})
		if fmt.Sprint(r.JSON["data"]) != "[2030-06-07]" {
			t.Fatalf("location dates: %s", r.Body)
		}
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/timetable/dates/%d/2027-13-01", e.locA), Auth: e.userAuth(c.worker)}), 422)
	})
}

func TestWorkingHoursAndFreeSlots(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c := newCatalog(t, e)
		sched := fmt.Sprintf("/schedule/%d/%d", e.locA, c.member)
		// A split shift on two days, written by range.
		r := e.do(req{Method: "PUT", Path: sched + "/20261201/2026-12-02", Auth: e.userAuth(c.owner),
			Body: map[string]any{"is_working": true, "slots": []map[string]string{{"from": "15:00", "to": "19:00"}, {"from": "10:00", "to": "13:00"}}}})
		expect(t, r, http.StatusCreated)
		if len(r.List()) != 2 {
			t.Fatalf("range PUT: %s", r.Body)
		}
		// A day off, with the deprecated route.
		expect(t, e.do(req{Method: "PUT", Path: sched, Auth: e.userAuth(c.owner), Body: map[string]any{"date": "2026-12-02", "is_working": 0}}), http.StatusCreated)
		r = e.do(req{Method: "GET", Path: sched + "/20261201/20261203", Auth: e.userAuth(c.worker)})
		expect(t, r, 200)
		days := r.List()
		if len(days) != 3 || num(days[0]["is_working"]) != 1 || num(days[1]["is_working"]) != 0 || num(days[2]["is_working"]) != 0 {
			t.Fatalf("days: %s", r.Body)
		}
		if s := days[0]["slots"].([]any); len(s) != 2 || s[0].(map[string]any)["from"] != "10:00" {
			t.Fatalf("slots sorted: %v", s)
		}
		// Bad slots and a member without timetable access: 422, nothing set.
		for _, bad := range []any{
			map[string]any{"is_working": 1, "slots": []map[string]string{{"from": "14:00", "to": "10:00"}}},
			map[string]any{"is_working": 1, "slots": []map[string]string{{"from": "10:00", "to": "14:00"}, {"from": "13:00", "to": "16:00"}}},
			map[string]any{"is_working": 1, "slots": []map[string]string{{"from": "9am", "to": "14:00"}}},
			map[string]any{"is_working": 1, "slots": []map[string]string{}},
		} {
			expect(t, e.do(req{Method: "PUT", Path: sched + "/20261203/20261203", Auth: e.userAuth(c.owner), Body: bad}), 422)
		}
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/schedule/%d/%d/20261203/20261203", e.locA, c.other), Auth: e.userAuth(c.owner),
			Body: map[string]any{"is_working": 1, "slots": []map[string]string{{"from": "10:00", "to": "14:00"}}}}), 422)
		expect(t, e.do(req{Method: "PUT", Path: sched + "/20261203/20261201", Auth: e.userAuth(c.owner), Body: map[string]any{"is_working": 0}}), 422)
		// The worker lacks schedule_edit_access.
		expect(t, e.do(req{Method: "PUT", Path: sched, Auth: e.userAuth(c.worker), Body: map[string]any{"date": "2026-12-03", "is_working": 0}}), 403)

		// Bulk set/delete.
		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/staff/schedule", e.locA), Auth: e.userAuth(c.owner), Body: map[string]any{
			"schedules_to_set":    []map[string]any{{"team_member_id": c.member, "dates": []string{"2026-12-03", "2026-12-05"}, "slots": []map[string]string{{"from": "09:00", "to": "18:00"}}}},
			"schedules_to_delete": []map[string]any{{"team_member_id": c.member, "dates": []string{"2026-12-04"}}},
		}})
		expect(t, r, 200)
		if num(r.Meta()["count"]) != 3 {
			t.Fatalf("bulk answer: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/staff/schedule?start_date=2026-12-01&end_date=2026-12-31&staff_ids[]=%d", e.locA, c.member), Auth: e.userAuth(c.owner)})
		if num(r.Meta()["count"]) != 3 { // Dec 1, 3, 5 are working days
			t.Fatalf("working days: %s", truncate(r.Body))
		}

		// Free slots: a 45-minute service (the member's duration) fits only
		// where 45 minutes remain before the slot ends.
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/timetable/seances/%d/%d/2026-12-01?service_ids[]=%d", e.locA, c.member, c.service), Auth: e.userAuth(c.worker)})
		expect(t, r, 200)
		var free, busy []string
		for _, s := range r.List() {
			if s["is_free"] == true {
				free = append(free, s["time"].(string))
			} else {
				busy = append(busy, s["time"].(string))
			}
		}
		if len(r.List()) != 28 || free[0] != "10:00" || busy[0] != "12:30" || len(busy) != 4 || busy[2] != "18:30" {
			t.Fatalf("seances: free %v busy %v", free, busy)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/timetable/seances/%d/%d/2026-12-02", e.locA, c.member), Auth: e.userAuth(c.worker)})
		if len(r.List()) != 0 {
			t.Fatalf("day off has seances: %s", r.Body)
		}
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/timetable/seances/%d/%d/2026-12-01?service_ids[]=%d", e.locA, c.other, c.service), Auth: e.userAuth(c.worker)}), 422)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/timetable/seances/%d/%d/2026-12-01", e.locB, c.member), Auth: e.userAuth(e.ownerB)}), 404)
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/timetable/dates/%d/2026-12-15?staff_id=%d", e.locA, c.member), Auth: e.userAuth(c.worker)})
		if got := fmt.Sprint(r.JSON["data"]); got != "[2026-12-01 2026-12-03 2026-12-05]" {
			t.Fatalf("dates: %s", got)
		}

		// A 30-minute grid after changing the location's step.
		r = e.do(req{Method: "PATCH", Path: fmt.Sprintf("/company/%d/settings/timetable", e.locA), Auth: e.userAuth(c.owner),
			Body: map[string]any{"record_type": 0, "activity_record_clients_count_max": 12, "seance_step": 1800}})
		if r.Status != 200 || num(r.Data()["activity_record_clients_count_max"]) != 12 {
			t.Fatalf("settings PATCH: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/timetable/seances/%d/%d/2026-12-03", e.locA, c.member), Auth: e.userAuth(c.worker)})
		if len(r.List()) != 18 || r.List()[1]["time"] != "09:30" {
			t.Fatalf("30-minute grid: %s", truncate(r.Body))
		}
		expect(t, e.do(req{Method: "PATCH", Path: fmt.Sprintf("/company/%d/settings/timetable", e.locA), Auth: e.userAuth(c.owner), Body: map[string]any{"record_type": 7}}), 422)
		expect(t, e.do(req{Method: "PATCH", Path: fmt.Sprintf("/company/%d/settings/timetable", e.locA), Auth: e.userAuth(c.worker), Body: map[string]any{"record_type": 1}}), 403)
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/settings/timetable", e.locA), Auth: e.userAuth(c.worker)})
		if num(r.Data()["record_type"]) != 0 || num(r.Data()["seance_step"]) != 1800 {
			t.Fatalf("settings: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/resources/%d", e.locA), Auth: e.userAuth(c.worker)})
		if r.Status != 200 || num(r.Meta()["count"]) != 0 {
			t.Fatalf("resources: %s", r.Body)
		}
	})
}

// TestScheduleBodyRequired: a working-hours PUT without is_working or
// slots is refused and changes nothing (it used to turn the whole range
// into days off); is_working false still sets days off, and a one-digit
// hour is a clock.
func TestScheduleBodyRequired(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c := newCatalog(t, e)
		sched := fmt.Sprintf("/schedule/%d/%d", e.locA, c.member)
		expect(t, e.do(req{Method: "PUT", Path: sched + "/20261201/20261203", Auth: e.userAuth(c.owner),
			Body: map[string]any{"is_working": true, "slots": []map[string]string{{"from": "9:00", "to": "13:30"}}}}), http.StatusCreated)
		working := func() string {
			r := e.do(req{Method: "GET", Path: sched + "/20261201/20261203", Auth: e.userAuth(c.owner)})
			expect(t, r, 200)
			return fmt.Sprint(r.List())
		}
		before := working()
		if !strings.Contains(before, "from:09:00") {
			t.Fatalf("9:00 not stored as 09:00: %s", before)
		}
		for _, body := range []any{map[string]any{}, map[string]any{"slots": []any{}}, map[string]any{"date": "2026-12-01"}} {
			expectError(t, e.do(req{Method: "PUT", Path: sched + "/20261201/20261203", Auth: e.userAuth(c.owner), Body: body}), 422, "slots")
			expectError(t, e.do(req{Method: "PUT", Path: sched, Auth: e.userAuth(c.owner), Body: body}), 422, "")
		}
		if after := working(); after != before {
			t.Fatalf("refused bodies changed the days:\nbefore %s\nafter  %s", before, after)
		}
		expect(t, e.do(req{Method: "PUT", Path: sched + "/20261202/20261203", Auth: e.userAuth(c.owner), Body: map[string]any{"is_working": false}}), http.StatusCreated)
		r := e.do(req{Method: "GET", Path: sched + "/20261201/20261203", Auth: e.userAuth(c.owner)})
		if days := r.List(); num(days[0]["is_working"]) != 1 || num(days[1]["is_working"]) != 0 || num(days[2]["is_working"]) != 0 {
			t.Fatalf("days off: %s", r.Body)
		}
	})
}
