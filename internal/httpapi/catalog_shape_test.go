package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"appointd/internal/demo"
)

// serviceSample is the service object as Altegio documents the PATCH answer,
// with the documented types (values are the documents' examples; prices are
// documented as numbers, so the sample gives them with a fraction).
const serviceSample = `{"id":123,"salon_service_id":123,"title":"Men's haircut","booking_title":"Men's haircut",
"category_id":83167,"price_min":1300.5,"price_max":1300.5,"duration":3600,"technical_break_duration":null,
"discount":0,"comment":"","weight":0,"active":1,"api_id":"0","is_multi":false,"prepaid":"forbidden",
"image_group":[],"staff":[{"id":456,"seance_length":3600,"technological_card_id":null,"image_url":"","price":null,"name":"Anna"}],
"tax_variant":1,"vat_id":3,"print_title":"","service_type":1,"api_service_id":0,"repeat_visit_days_step":null,
"seance_search_start":36000,"seance_search_finish":84600,"seance_search_step":900,"step":300,
"is_need_limit_date":true,"date_from":"2026-01-01","date_to":"2026-12-31","schedule_template_type":1,
"online_invoicing_status":0,"is_abonement_autopayment_enabled":0,"autopayment_before_visit_time":0,
"abonement_restriction_value":0,"is_chain":false,"is_price_managed_only_in_chain":false,
"is_comment_managed_only_in_chain":false,"price_prepaid_amount":0,"price_prepaid_percent":100,
"capacity":0,"dates":[],"resources":[],"is_online":true}`

// categorySample is a service category with the documented types.
const categorySample = `{"id":83167,"category_id":1,"salon_service_id":83167,"title":"Hair","booking_title":"Hair",
"api_id":"0","weight":10,"price_min":1300.5,"price_max":2500.5,"sex":0,"is_chain":false,"staff":[456]}`

func TestServiceAndCategoryShapes(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c := newCatalog(t, e)
		owner := e.userAuth(c.owner)
		one := func(r resp) any {
			if r.Status != http.StatusOK && r.Status != http.StatusCreated {
				t.Fatalf("status %d: %s", r.Status, truncate(r.Body))
			}
			return r.JSON["data"]
		}
		list := func(r resp) any {
			expect(t, r, http.StatusOK)
			if len(r.List()) == 0 {
				t.Fatalf("empty list: %s", r.Body)
			}
			return r.JSON["data"]
		}
		svc := fmt.Sprintf("/services/%d/%d", e.locA, c.service)
		assertShape(t, "created service", serviceSample, one(e.do(req{Method: "POST", Path: fmt.Sprintf("/services/%d", e.locA), Auth: owner,
			Body: map[string]any{"title": "Beard", "category_id": c.category, "price_min": 500, "price_max": 700}})))
		assertShape(t, "patched service", serviceSample, one(e.do(req{Method: "PATCH", Path: svc, Auth: owner,
			Body: map[string]any{"comment": "shape"}})))
		assertShape(t, "put service", serviceSample, one(e.do(req{Method: "PUT", Path: svc, Auth: owner, Body: map[string]any{"weight": 3}})))
		assertShape(t, "public service", serviceSample, one(e.do(req{Method: "GET", Path: svc, Auth: e.partnerAuth()})))
		assertShape(t, "services", "["+serviceSample+"]", list(e.do(req{Method: "GET", Path: fmt.Sprintf("/services/%d", e.locA), Auth: owner})))
		assertShape(t, "company services", "["+serviceSample+"]", list(e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/services", e.locA), Auth: owner})))
		assertShape(t, "company service", "["+serviceSample+"]", list(e.do(req{Method: "GET",
			Path: fmt.Sprintf("/company/%d/services/%d", e.locA, c.service), Auth: owner})))

		// Derived values: the member's name and avatar, the location's grid.
		r := e.do(req{Method: "GET", Path: svc, Auth: e.partnerAuth()})
		d := r.Data()
		links, _ := d["staff"].([]any)
		if len(links) != 1 || links[0].(map[string]any)["name"] != "Anna Stylist" || d["print_title"] != "Haircut" ||
			num(d["step"]) != 900 || num(d["seance_search_step"]) != 900 || d["is_online"] != true {
			t.Fatalf("derived service fields: %s", r.Body)
		}
		expect(t, e.do(req{Method: "PATCH", Path: fmt.Sprintf("/company/%d/settings/timetable", e.locA), Auth: owner,
			Body: map[string]any{"seance_step": 1800}}), http.StatusOK)
		if r = e.do(req{Method: "GET", Path: svc, Auth: e.partnerAuth()}); num(r.Data()["step"]) != 1800 {
			t.Fatalf("step follows the location's grid: %s", r.Body)
		}

		cat := fmt.Sprintf("/service_category/%d/%d", e.locA, c.category)
		assertShape(t, "created category", categorySample, one(e.do(req{Method: "POST", Path: fmt.Sprintf("/service_categories/%d", e.locA),
			Auth: owner, Body: map[string]any{"title": "Nails"}})))
		assertShape(t, "put category", categorySample, one(e.do(req{Method: "PUT", Path: cat, Auth: owner, Body: map[string]any{"weight": 11}})))
		assertShape(t, "category", categorySample, one(e.do(req{Method: "GET", Path: cat, Auth: e.partnerAuth()})))
		for _, p := range []string{fmt.Sprintf("/service_categories/%d", e.locA), fmt.Sprintf("/service_categories/%d/%d", e.locA, c.category),
			fmt.Sprintf("/company/%d/service_categories", e.locA), fmt.Sprintf("/company/%d/service_categories/%d", e.locA, c.category)} {
			assertShape(t, p, "["+categorySample+"]", list(e.do(req{Method: "GET", Path: p, Auth: owner})))
		}
		// price_min/price_max span the category's services: 1500.50 .. 2500 and 500 .. 700.
		r = e.do(req{Method: "GET", Path: cat, Auth: e.partnerAuth()})
		if r.Data()["price_min"] != 500.0 || r.Data()["price_max"] != 2500.0 || r.Data()["booking_title"] != "Hair" {
			t.Fatalf("category prices: %s", r.Body)
		}
	})
}

// The service list answers the partner token alone, like the team members,
// the categories and one service.
func TestServiceListWithPartnerToken(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c := newCatalog(t, e)
		for _, p := range []string{fmt.Sprintf("/services/%d", e.locA), fmt.Sprintf("/services/%d/", e.locA)} {
			r := e.do(req{Method: "GET", Path: p, Auth: e.partnerAuth()})
			expect(t, r, http.StatusOK)
			found := false
			for _, s := range r.List() {
				found = found || num(s["id"]) == c.service
			}
			if !found {
				t.Fatalf("GET %s with the partner token: %s", p, truncate(r.Body))
			}
		}
		r := e.do(req{Method: "GET", Path: "/services/999999", Auth: e.partnerAuth()})
		expect(t, r, http.StatusNotFound)
	})
}

// staffSample is a team member with the documented types; user is an
// object or null, never an array.
const staffSample = `{"id":456,"api_id":"","company_id":123,"name":"Anna","specialization":"Hair","rating":0,
"show_rating":1,"user_id":0,"has_access_timetable":true,"avatar":"","avatar_big":"","comments_count":0,
"votes_count":0,"bookable":true,"image_group":[],"information":"","position_id":0,"schedule_till":"",
"weight":0,"fired":0,"status":0,"hidden":0,"user":{"id":1},"prepaid":"forbidden",
"position":{"id":1,"title":"Stylist","description":""},"is_fired":false,"is_deleted":false,"is_online":true,
"is_bookable":true,"is_rating_shown":true,"seance_step":900,
"services_links":[{"service_id":1,"master_id":456,"length":3600,"technological_card_id":null}]}`

func TestTeamMemberShape(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c := newCatalog(t, e)
		owner := e.userAuth(c.owner)
		// Every member gets a position, so that its object is checked too.
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/staff/positions", e.locA), Auth: owner})
		expect(t, r, http.StatusOK)
		if len(r.List()) == 0 {
			t.Fatalf("no positions: %s", r.Body)
		}
		position := num(r.List()[0]["id"])
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.partnerAuth()})
		for _, m := range r.List() {
			expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/staff/%d/%d", e.locA, num(m["id"])), Auth: owner,
				Body: map[string]any{"position_id": position}}), http.StatusOK)
		}
		// user is null without an account, never [].
		check := func(what string, got any) {
			t.Helper()
			list, ok := got.([]any)
			if !ok {
				list = []any{got}
			}
			for _, m := range list {
				assertShape(t, what, staffSample, m, "user")
			}
		}
		// Three votes, 5, 5 and 4: the rating is their mean rounded.
		for _, mark := range []int{5, 5, 4} {
			expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/comments/%d/%d", e.locA, c.member), Auth: owner,
				Body: map[string]any{"text": "Vote", "mark": mark, "name": "Voter"}}), http.StatusCreated)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.partnerAuth()})
		expect(t, r, http.StatusOK)
		check("staff", r.JSON["data"])
		for _, m := range r.List() {
			if num(m["id"]) == c.member && (m["rating"] != float64(5) || num(m["votes_count"]) != 3) {
				t.Fatalf("rating %v from %v votes 5, 5 and 4; want 5 from 3", m["rating"], m["votes_count"])
			}
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d/%d", e.locA, c.member), Auth: e.partnerAuth()})
		expect(t, r, http.StatusOK)
		check("public member", r.JSON["data"])
		links, _ := r.List()[0]["services_links"].([]any)
		if len(links) != 1 || num(links[0].(map[string]any)["service_id"]) != c.service ||
			num(links[0].(map[string]any)["length"]) != 2700 || num(r.List()[0]["seance_step"]) != 900 ||
			r.List()[0]["is_bookable"] != true || r.List()[0]["is_fired"] != false {
			t.Fatalf("derived member fields: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/staff", e.locA), Auth: owner})
		expect(t, r, http.StatusOK)
		check("company staff", r.JSON["data"])
		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/staff/%d/%d", e.locA, c.member), Auth: owner, Body: map[string]any{"fired": 1}})
		expect(t, r, http.StatusOK)
		check("put member", r.JSON["data"])
		if r.Data()["is_fired"] != true || r.Data()["is_bookable"] != false {
			t.Fatalf("fired member: %s", r.Body)
		}
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: owner, Body: map[string]any{"name": "Cleo", "position_id": position}})
		expect(t, r, http.StatusCreated)
		check("created member", r.JSON["data"])
		if r.Data()["user"] != nil {
			t.Fatalf("user without an account is null: %s", r.Body)
		}
	})
}

// activitySample is a group event as the search answer documents it, with
// the documented types (the staff rating is a fraction there).
const activitySample = `{"id":3480140,"service_id":5243360,"company_id":68570,"staff_id":921105,
"date":"2026-09-21T23:00:00-05:00","timestamp":1790050800,"length":3600,"capacity":40,"records_count":0,"color":"",
"instructions":"","stream_link":"","font_color":"","notified":false,"prepaid":"forbidden",
"service":{"id":5243360,"category_id":5092305,"title":"Lecture","price_min":500.5,"price_max":500.5,"comment":"",
"image_url":"","salon_service_id":5792535,"is_category":false,"prepaid":"forbidden",
"category":{"id":5092305,"category_id":1,"title":"Psychoanalysis"}},
"staff":{"id":921105,"api_id":"","name":"Natalie","company_id":68570,"specialization":"Do not touch","rating":4.57,
"show_rating":0,"user_id":0,"avatar":"","avatar_big":"","comments_count":7,"votes_count":7,"average_score":4.57,
"prepaid":"forbidden","position":null},"resource_instances":[],"labels":[]}`

func TestGroupEventShape(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		member, service := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		day := bookingDay()
		act := groupClass(t, e, owner, map[string]any{"date": day + " 18:00", "service_id": service, "staff_id": member,
			"capacity": 2, "length": 3600})
		assertShape(t, "created event", activitySample, act)
		id := num(act["id"])
		start, err := time.Parse(time.RFC3339, act["date"].(string))
		if err != nil || num(act["timestamp"]) != start.Unix() {
			t.Fatalf("timestamp is the start in Unix seconds: %v", act)
		}
		sv := act["service"].(map[string]any)
		cat := sv["category"].(map[string]any)
		if num(sv["salon_service_id"]) != service || num(cat["id"]) != num(sv["category_id"]) || cat["title"] == "" {
			t.Fatalf("event service: %v", sv)
		}
		path := fmt.Sprintf("/activity/%d/%d", e.locA, id)
		r := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)})
		expect(t, r, http.StatusOK)
		assertShape(t, "event", activitySample, r.JSON["data"])
		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner), Body: map[string]any{"capacity": 3}})
		expect(t, r, http.StatusOK)
		assertShape(t, "changed event", activitySample, r.JSON["data"])
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/activity/%d/search?from=%s&till=%s", e.locA, day, day), Auth: e.userAuth(owner)})
		expect(t, r, http.StatusOK)
		if len(r.List()) == 0 {
			t.Fatalf("search: %s", truncate(r.Body))
		}
		assertShape(t, "found events", "["+activitySample+"]", r.JSON["data"])
	})
}
