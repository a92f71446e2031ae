package httpapi_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"appointd/internal/auth"
	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/httpapi"
	"appointd/internal/testenv"
)

// The isolation matrix walks the route table and calls every route
//
//	(a) without a token: 401 (every route that reads one);
//	(b) with a partner token alone: 401 (every route that needs a user);
//	(c) with location B's ids, as the owner of location A: 404 and nothing
//	    of B in the body. c1 swaps in all of B's ids (location and
//	    entities), with the valid body and with a broken one (the location
//	    is checked before the body is read); c2 keeps A's location and
//	    swaps in B's entity ids, all of them and each one alone, as A's
//	    owner and as an owner of both A and B (whom only the check that an
//	    entity belongs to the path's location stops); c3 keeps A's path and
//	    puts B's ids in the query and body. Each answer must equal, numbers
//	    aside, the answer for ids that never existed, so existence does not
//	    leak. None of these calls changes anything: the database is
//	    compared row by row, and B's entities are re-read through the API
//	    as B's owner;
//	(d) as a worker of A who lacks a permission the route needs: 403 — a
//	    worker with every permission switched off (403 exactly where
//	    isoTable names a permission or the owner role, 2xx elsewhere), for
//	    each named permission a worker with every permission but that one
//	    (403), and the demo worker with the worker role's defaults (403
//	    exactly where a named permission is not among them, through the
//	    gate otherwise).
//
// Every call uses the route's valid query and body from isoTable; as a
// control, each route with an id is also called by A's owner with A's ids
// and must succeed, so a 404 above is the isolation, not a bad request.
// A route missing from isoTable, or a path parameter no fixture fills, fails
// the test: a new route is covered as soon as it has an entry.

// isoSpec says how to call one route.
type isoSpec struct {
	// open: an operations route that reads no token (why).
	open string
	// query is appended to the path; {name} placeholders take ids like
	// path parameters do.
	query string
	// body is the valid JSON body for the ids of one fixture (nil: none).
	body func(x isoIDs) any
	// perms are the permissions a member needs for this call (nil:
	// membership alone); owner: only the owner role may.
	perms []string
	owner bool
	// ids maps a path parameter to another fixture key.
	ids map[string]string
	// foreign is the status for another location's entity id in the path
	// where the contract names one other than 404.
	foreign int
}

var (
	needSettings      = []string{auth.PermSettings}
	needUsers         = []string{auth.PermUsers}
	needTimetable     = []string{auth.PermTimetable}
	needSchedEdit     = []string{auth.PermScheduleEdit}
	needCreate        = []string{auth.PermCreateRecords}
	needEdit          = []string{auth.PermEditRecords}
	needDelete        = []string{auth.PermDeleteRecords}
	needClients       = []string{auth.PermClients}
	needClientsDelete = []string{auth.PermClientsDelete}
	needStorages      = []string{auth.PermStorages}
)

// isoTable is every route of the server, by "METHOD PATH".
var isoTable = map[string]isoSpec{
	"GET /healthz":             {open: "readiness probe"},
	"GET /livez":               {open: "liveness probe"},
	"GET /readyz":              {open: "readiness probe"},
	"GET /metrics":             {open: "Prometheus scrape"},
	"GET /api/v1/openapi.yaml": {open: "the published contract"},
	"GET /docs":                {open: "the API reference"},
	"GET /docs/openapi.yaml":   {open: "the published contract"},

	"POST /api/v1/auth":   {body: func(isoIDs) any { return map[string]any{"login": demo.OwnerLogin, "password": demo.Password} }},
	"DELETE /api/v1/auth": {},

	"GET /api/v1/companies":                                         {},
	"POST /api/v1/companies":                                        {body: func(isoIDs) any { return map[string]any{"title": "Isolation New Salon"} }},
	"GET /api/v1/company/{location_id}":                             {},
	"PUT /api/v1/company/{location_id}":                             {body: func(isoIDs) any { return map[string]any{"short_descr": "isolation check"} }, perms: needSettings},
	"DELETE /api/v1/company/{location_id}":                          {owner: true},
	"GET /api/v1/user/permissions/{location_id}":                    {},
	"GET /api/v1/company/{location_id}/users":                       {perms: needUsers},
	"GET /api/v1/company/{location_id}/users/{user_id}/permissions": {perms: needUsers},
	"PUT /api/v1/company/{location_id}/users/{user_id}/permissions": {perms: needUsers,
		body: func(isoIDs) any { return map[string]any{"user_role": auth.RoleWorker} }},
	"DELETE /api/v1/company/{location_id}/users/{user_id}": {perms: needUsers},

	"GET /api/v1/staff/{location_id}": {},
	"POST /api/v1/staff/{location_id}": {perms: needSettings,
		body: func(isoIDs) any { return map[string]any{"name": "Isolation New Member"} }},
	"GET /api/v1/staff/{location_id}/{team_member_id}": {},
	"PUT /api/v1/staff/{location_id}/{team_member_id}": {perms: needSettings,
		body: func(isoIDs) any { return map[string]any{"information": "isolation check"} }},
	"DELETE /api/v1/staff/{location_id}/{team_member_id}": {perms: needSettings},
	"POST /api/v1/company/{location_id}/staff/quick": {perms: needSettings,
		body: func(isoIDs) any { return map[string]any{"name": "Isolation Quick Member"} }},
	"GET /api/v1/company/{location_id}/staff":                  {},
	"GET /api/v1/company/{location_id}/staff/{team_member_id}": {},
	"GET /api/v1/company/{location_id}/staff/positions":        {},

	"POST /api/v1/service_categories/{location_id}": {perms: needSettings,
		body: func(isoIDs) any { return map[string]any{"title": "Isolation New Category"} }},
	"GET /api/v1/service_categories/{location_id}":      {},
	"GET /api/v1/service_categories/{location_id}/{id}": {},
	"GET /api/v1/service_category/{location_id}/{id}":   {},
	"PUT /api/v1/service_category/{location_id}/{id}": {perms: needSettings,
		body: func(isoIDs) any { return map[string]any{"weight": 7} }},
	// A category with services cannot be deleted: the empty one.
	"DELETE /api/v1/service_category/{location_id}/{id}":        {perms: needSettings, ids: map[string]string{"id": "empty_category_id"}},
	"GET /api/v1/company/{location_id}/service_categories":      {},
	"GET /api/v1/company/{location_id}/service_categories/{id}": {},

	"GET /api/v1/services/{location_id}": {},
	"POST /api/v1/services/{location_id}": {perms: needSettings, body: func(x isoIDs) any {
		return map[string]any{"title": "Isolation New Service", "category_id": x.n("category_id"), "duration": 1800}
	}},
	"GET /api/v1/services/{location_id}/{service_id}": {},
	"PUT /api/v1/services/{location_id}/{service_id}": {perms: needSettings,
		body: func(isoIDs) any { return map[string]any{"comment": "isolation check"} }},
	"PATCH /api/v1/services/{location_id}/{service_id}": {perms: needSettings,
		body: func(isoIDs) any { return map[string]any{"comment": "isolation check"} }},
	"DELETE /api/v1/services/{location_id}/{service_id}":      {perms: needSettings},
	"GET /api/v1/company/{location_id}/services":              {},
	"GET /api/v1/company/{location_id}/services/{service_id}": {},
	"POST /api/v1/company/{location_id}/services/{service_id}/staff": {perms: needSettings, body: func(x isoIDs) any {
		return map[string]any{"master_id": x.n("team_member2_id"), "seance_length": 3600}
	}},
	"PUT /api/v1/company/{location_id}/services/{service_id}/staff/{team_member_id}": {perms: needSettings,
		body: func(isoIDs) any { return map[string]any{"seance_length": 2700} }},
	"DELETE /api/v1/company/{location_id}/services/{service_id}/staff/{team_member_id}": {perms: needSettings},

	"GET /api/v1/schedule/{location_id}/{team_member_id}/{start_date}/{end_date}": {perms: needTimetable},
	"PUT /api/v1/schedule/{location_id}/{team_member_id}/{start_date}/{end_date}": {perms: needSchedEdit,
		body: func(isoIDs) any { return workingDay("") }},
	"PUT /api/v1/schedule/{location_id}/{team_member_id}": {perms: needSchedEdit,
		body: func(x isoIDs) any { return workingDay(x["date"]) }},
	"GET /api/v1/company/{location_id}/staff/schedule": {perms: needTimetable,
		query: "?start_date={date}&end_date={date}&staff_ids={team_member_id}&include[]=busy_intervals"},
	"PUT /api/v1/company/{location_id}/staff/schedule":  {perms: needSchedEdit, body: staffSchedules},
	"PUT /api/v1/location/{location_id}/staff/schedule": {perms: needSchedEdit, body: staffSchedules},

	"GET /api/v1/timetable/dates/{location_id}/{date}":                    {perms: needTimetable, query: "?staff_id={team_member_id}"},
	"GET /api/v1/timetable/seances/{location_id}/{team_member_id}/{date}": {perms: needTimetable, query: "?service_ids={service_id}"},
	"GET /api/v1/company/{location_id}/settings/timetable":                {},
	"PATCH /api/v1/company/{location_id}/settings/timetable": {perms: needSettings,
		body: func(isoIDs) any { return map[string]any{"seance_step": 900} }},
	"GET /api/v1/resources/{location_id}": {},

	"POST /api/v1/clients/{location_id}": {perms: needClients, body: func(isoIDs) any {
		return map[string]any{"name": "Isolation New Client", "phone": "+79994440001"}
	}},
	"GET /api/v1/clients/{location_id}": {perms: needClients, query: "?id={client_id}"},
	"POST /api/v1/clients/{location_id}/bulk": {perms: needClients, body: func(isoIDs) any {
		return []map[string]any{{"name": "Isolation Bulk Client", "phone": "+79993330001"}}
	}},
	"GET /api/v1/client/{location_id}/{id}": {perms: needClients},
	"PUT /api/v1/client/{location_id}/{id}": {perms: needClients,
		body: func(isoIDs) any { return map[string]any{"comment": "isolation check"} }},
	"DELETE /api/v1/client/{location_id}/{id}": {perms: needClientsDelete},
	"POST /api/v1/company/{location_id}/clients/search": {perms: needClients, body: func(x isoIDs) any {
		return map[string]any{"filters": []map[string]any{{"type": "id", "state": map[string]any{"value": []int64{x.n("client_id")}}}}}
	}},

	"GET /api/v1/records/{location_id}": {perms: needTimetable, query: "?client_id={client_id}"},
	"POST /api/v1/records/{location_id}": {perms: needCreate, body: func(x isoIDs) any {
		return map[string]any{"staff_id": x.n("team_member_id"), "services": []map[string]any{{"id": x.n("service_id")}},
			"client_id": x.n("client_id"), "datetime": x["date"] + "T12:00:00", "save_if_busy": true}
	}},
	"GET /api/v1/records/partner":                     {perms: needTimetable, query: "?company_id={location_id}"},
	"GET /api/v1/record/{location_id}/{record_id}":    {perms: needTimetable},
	"PUT /api/v1/record/{location_id}/{record_id}":    {perms: needEdit, body: func(isoIDs) any { return map[string]any{"comment": "isolation check"} }},
	"DELETE /api/v1/record/{location_id}/{record_id}": {perms: needDelete},

	"GET /api/v1/visits/{visit_id}":                                  {perms: needTimetable},
	"GET /api/v1/visit/details/{location_id}/{record_id}/{visit_id}": {perms: needTimetable},
	"PUT /api/v1/visits/{visit_id}/{record_id}": {perms: []string{auth.PermTimetable, auth.PermEditRecords},
		body: func(isoIDs) any { return map[string]any{"comment": "isolation check"} }},
	"GET /api/v1/attendance/receipt_print/{visit_id}": {perms: needTimetable},
	"GET /api/v1/accounts/{location_id}":              {perms: []string{auth.PermFinances}},

	"GET /api/v1/goods/{location_id}":              {perms: needStorages, query: "?term=Good"},
	"GET /api/v1/goods/{location_id}/{good_id}":    {perms: needStorages},
	"POST /api/v1/goods/{location_id}":             {perms: needStorages, body: func(isoIDs) any { return map[string]any{"title": "Isolation Good", "amount": 2} }},
	"PUT /api/v1/goods/{location_id}/{good_id}":    {perms: needStorages, body: func(isoIDs) any { return map[string]any{"cost": 3} }},
	"DELETE /api/v1/goods/{location_id}/{good_id}": {perms: needStorages, ids: map[string]string{"good_id": "good2_id"}},

	"POST /api/v1/activity/{location_id}": {perms: needCreate, body: func(x isoIDs) any {
		return map[string]any{"date": x["date"] + " 19:00", "service_id": x.n("service_id"), "staff_id": x.n("team_member_id"),
			"capacity": 2, "length": 1800, "force": true}
	}},
	"GET /api/v1/activity/{location_id}/search":        {perms: needTimetable, query: "?from={date}&till={date}&staff_ids={team_member_id}"},
	"GET /api/v1/activity/{location_id}/search_dates":  {perms: needTimetable, query: "?from={date}&till={date}&service_ids={service_id}"},
	"GET /api/v1/activity/{location_id}/{activity_id}": {perms: needTimetable},
	"PUT /api/v1/activity/{location_id}/{activity_id}": {perms: needEdit,
		body: func(isoIDs) any { return map[string]any{"comment": "isolation check"} }},
	"DELETE /api/v1/activity/{location_id}/{activity_id}": {perms: needDelete},

	"GET /api/v1/company/{location_id}/schedules/search/{entity_type}/{entity_id}": {perms: needTimetable, query: "?include[]=days"},
	// The schedule's own activity has one: a second activity without.
	"POST /api/v1/company/{location_id}/schedules": {perms: needEdit, body: func(x isoIDs) any {
		return map[string]any{"original_entity_type": "activity", "original_entity_id": x.n("activity2_id"),
			"date_end": x["date_end"], "days": []map[string]any{{"day_of_week": x["weekday"], "events_master_id": x.n("team_member_id"),
				"events_time": "17:00:00", "events_duration": 3600, "events_capacity": 3}}}
	}},
	"PATCH /api/v1/company/{location_id}/schedules/{schedule_id}": {perms: needEdit,
		body: func(x isoIDs) any { return map[string]any{"date_end": x["date_end"]} }},
	"DELETE /api/v1/company/{location_id}/schedules/{schedule_id}": {perms: needDelete},
	"POST /api/v1/company/{location_id}/schedules/{schedule_id}/days": {perms: needEdit, body: func(x isoIDs) any {
		return map[string]any{"day_of_week": x["weekday2"], "events_master_id": x.n("team_member_id"), "events_time": "08:00:00",
			"events_duration": 1800, "events_capacity": 2, "force": true}
	}},
	"PATCH /api/v1/company/{location_id}/schedules/{schedule_id}/days/{day_id}": {perms: needEdit,
		body: func(isoIDs) any { return map[string]any{"events_capacity": 4, "force": true} }},
	"DELETE /api/v1/company/{location_id}/schedules/{schedule_id}/days/{day_id}":     {perms: needDelete},
	"GET /api/v1/company/{location_id}/schedules/{schedule_id}/days/{day_id}/events": {perms: needTimetable},
	"POST /api/v1/company/{location_id}/schedules/{schedule_id}/client_schedules": {perms: needCreate, body: func(x isoIDs) any {
		return map[string]any{"client_id": x.n("client2_id"), "schedule_days_ids": []int64{x.n("day_id")}}
	}},
	"PATCH /api/v1/company/{location_id}/schedules/{schedule_id}/client_schedules/{client_schedule_id}": {perms: needEdit,
		body: func(x isoIDs) any { return map[string]any{"schedule_days_ids": []int64{x.n("day_id")}} }},
	"DELETE /api/v1/company/{location_id}/schedules/{schedule_id}/client_schedules/{client_schedule_id}": {perms: needDelete},

	"POST /api/v1/company/{location_id}/staff/{team_member_id}/ical":   {perms: needSettings},
	"DELETE /api/v1/company/{location_id}/staff/{team_member_id}/ical": {perms: needSettings},
	"GET /ical/{file}":                         {open: "calendar feed: the secret in the URL is the credential"},
	"GET /api/v1/hooks_settings/{location_id}": {perms: needSettings},
	"POST /api/v1/hooks_settings/{location_id}": {perms: needSettings, body: func(isoIDs) any {
		return map[string]any{"urls": []string{"https://hooks.example.test/appointd"}, "active": 1, "record": 1, "client": 1}
	}},
	"GET /api/v1/hooks_settings/{location_id}/deliveries": {perms: needSettings, query: "?state=failed,pending"},

	"GET /api/v1/comments/{location_id}": {},
	// D17: a review of a team member not in the location is a 422, the
	// same answer an unknown id gets (c2 checks the sameness).
	"POST /api/v1/comments/{location_id}/{team_member_id}": {foreign: http.StatusUnprocessableEntity,
		body: func(isoIDs) any {
			return map[string]any{"text": "isolation review", "mark": 4, "name": "Isolation Reviewer"}
		}},
}

func workingDay(date string) map[string]any {
	b := map[string]any{"is_working": true, "slots": []map[string]any{{"from": "09:00", "to": "20:00"}}}
	if date != "" {
		b["date"] = date
	}
	return b
}

func staffSchedules(x isoIDs) any {
	return map[string]any{"schedules_to_set": []map[string]any{{"team_member_id": x.n("team_member_id"),
		"dates": []string{x["date"]}, "slots": []map[string]any{{"from": "09:00", "to": "20:00"}}}}}
}

// isoIDs are one fixture's ids (and dates) by path parameter name.
type isoIDs map[string]string

func (x isoIDs) n(k string) int64 {
	v, err := strconv.ParseInt(x[k], 10, 64)
	if err != nil {
		panic(fmt.Sprintf("fixture has no numeric %q", k))
	}
	return v
}

// notEntity are the path parameters that name no row of a location.
var notEntity = map[string]bool{"location_id": true, "start_date": true, "end_date": true, "date": true, "entity_type": true}

var pathParam = regexp.MustCompile(`\{([a-z0-9_]+)\}`)

// fixtureKey is the fixture key a path parameter of pattern takes.
func fixtureKey(pattern, name string, sp isoSpec) string {
	if k, ok := sp.ids[name]; ok {
		return k
	}
	if name != "id" {
		return name
	}
	switch {
	case strings.Contains(pattern, "/client/"):
		return "client_id"
	case strings.Contains(pattern, "service_categor"):
		return "category_id"
	}
	return "?"
}

// isoCall is one request of the matrix.
type isoCall struct {
	method, path string
	body         any
}

// build fills the path parameters from pick(name) and the query and body
// from rest.
func build(t *testing.T, key string, sp isoSpec, pick func(name string) isoIDs, rest isoIDs) isoCall {
	t.Helper()
	method, pattern, _ := strings.Cut(key, " ")
	fill := func(s string, side func(string) isoIDs) string {
		return pathParam.ReplaceAllStringFunc(s, func(m string) string {
			name := m[1 : len(m)-1]
			k := fixtureKey(pattern, name, sp)
			v, ok := side(name)[k]
			if !ok || v == "" {
				t.Fatalf("%s: no fixture id for {%s} (key %q); add it to isoFixture or the route's ids", key, name, k)
			}
			return v
		})
	}
	c := isoCall{method: method}
	c.path = strings.TrimPrefix(fill(pattern, pick), "/api/v1") + fill(sp.query, func(string) isoIDs { return rest })
	if sp.body != nil {
		c.body = sp.body(rest)
	}
	return c
}

func params(pattern string) []string {
	var out []string
	for _, m := range pathParam.FindAllStringSubmatch(pattern, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestIsolationMatrix(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		start := time.Now()
		ownerA := e.login(demo.OwnerLogin, demo.Password)
		renameB := e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d", e.locB), Auth: e.userAuth(e.ownerB),
			Body: map[string]any{"title": "Bravo Salon", "address": "9 Bravo Street", "phones": []string{"+12125550100"}}})
		expect(t, renameB, 200)
		A := isoFixture(t, e, ownerA, e.locA, "Alpha")
		B := isoFixture(t, e, e.ownerB, e.locB, "Bravo")
		// dual owns both locations: the gate lets it into both, so only
		// the check that an entity is in the path's location stops it.
		dual := func() string {
			const login = "dual-owner@appointd.test"
			if _, err := e.svc.CreateUser(t.Context(), booking.NewUser{Login: login, Password: demo.Password, Name: "Dual Owner"}); err != nil {
				t.Fatal(err)
			}
			for _, loc := range []int64{e.locA, e.locB} {
				if err := e.svc.Grant(t.Context(), login, loc, auth.RoleOwner); err != nil {
					t.Fatal(err)
				}
			}
			return e.login(login, demo.Password)
		}()
		// Nothing of B may reach anyone else: every name B's fixture
		// wrote carries "Bravo", and its phones share a prefix.
		markers := []string{"Bravo", "bravo", "1212555"}
		fromB := func(body []byte) string {
			for _, m := range markers {
				if strings.Contains(string(body), m) {
					return m
				}
			}
			return ""
		}
		tokB := e.userAuth(e.ownerB)
		do := func(c isoCall, authz string) resp {
			t.Helper()
			r := e.do(req{Method: c.method, Path: c.path, Auth: authz, Body: c.body})
			if authz != tokB {
				if m := fromB(r.Body); m != "" {
					t.Errorf("%s %s shows B's %q: %s", c.method, c.path, m, truncate(r.Body))
				}
			}
			return r
		}

		table := httpapi.RouteAuth(httpapi.NewServer(httpapi.Deps{Service: e.svc}))
		var keys []string
		for k := range table {
			keys = append(keys, k)
			if _, ok := isoTable[k]; !ok {
				t.Errorf("route %s has no entry in isoTable: add its query, body and permissions", k)
			}
		}
		for k := range isoTable {
			if _, ok := table[k]; !ok {
				t.Errorf("isoTable names %s, which is not a route", k)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		sort.Strings(keys)
		ghost := ghostOf(B)
		onA := func(string) isoIDs { return A }
		onB := func(string) isoIDs { return B }
		onGhost := func(string) isoIDs { return ghost }
		hasIDs := func(key string) bool {
			_, pattern, _ := strings.Cut(key, " ")
			return pathParam.MatchString(pattern) || pathParam.MatchString(isoTable[key].query)
		}
		entities := func(key string) []string {
			_, pattern, _ := strings.Cut(key, " ")
			var out []string
			for _, p := range params(pattern) {
				if !notEntity[p] {
					out = append(out, p)
				}
			}
			return out
		}
		count := map[string]int{}
		skipped := map[string][]string{}
		skip := func(cs, key, why string) { skipped[cs] = append(skipped[cs], key+": "+why) }

		before := snapshot(t, e)
		readsB := rereadB(t, e, B)

		for _, key := range keys {
			sp, level := isoTable[key], table[key]
			_, pattern, _ := strings.Cut(key, " ")
			if level == "none" {
				for _, cs := range []string{"a", "b", "c", "d"} {
					skip(cs, key, sp.open)
				}
				continue
			}
			// (a) no token
			if r := do(build(t, key, sp, onB, B), ""); r.Status != http.StatusUnauthorized {
				t.Errorf("(a) %s without a token: %d, want 401: %s", key, r.Status, truncate(r.Body))
			}
			count["a"]++
			// (b) a partner token alone
			if level == "partner" {
				skip("b", key, "a partner token is all it needs")
			} else {
				if r := do(build(t, key, sp, onB, B), e.partnerAuth()); r.Status != http.StatusUnauthorized {
					t.Errorf("(b) %s with a partner token alone: %d, want 401: %s", key, r.Status, truncate(r.Body))
				}
				count["b"]++
			}
			if !hasIDs(key) {
				skip("c", key, "no location or entity id to swap")
				continue
			}
			// (c1) A's owner with all of B's ids: 404, the answer for ids
			// that never existed.
			if level == "partner" {
				skip("c1", key, "public read: any partner may read any location's page and catalogue")
			} else {
				c := build(t, key, sp, onB, B)
				r := do(c, e.userAuth(ownerA))
				if r.Status != http.StatusNotFound {
					t.Errorf("(c1) %s %s as another location's owner: %d, want 404: %s", c.method, c.path, r.Status, truncate(r.Body))
				}
				sameAsGhost(t, "(c1)", c, r, do(build(t, key, sp, onGhost, ghost), e.userAuth(ownerA)))
				// A broken body is not read before the location is
				// checked: an outsider learns nothing from validation.
				if c.body != nil {
					c.body = []byte(`{"broken`)
					r := do(c, e.userAuth(ownerA))
					if slices.Contains(params(pattern), "location_id") && r.Status != http.StatusNotFound {
						t.Errorf("(c1) %s %s with a broken body as another location's owner: %d, want 404: %s", c.method, c.path, r.Status, truncate(r.Body))
					}
					g := build(t, key, sp, onGhost, ghost)
					g.body = c.body
					sameAsGhost(t, "(c1)", c, r, do(g, e.userAuth(ownerA)))
				}
				count["c1"]++
			}
			// (c2) A's location (and A's body), B's entity ids: all, then
			// each alone.
			ents := entities(key)
			if len(ents) == 0 {
				skip("c2", key, "no entity id in the path")
			} else {
				sets := [][]string{ents}
				if len(ents) > 1 {
					for _, p := range ents {
						sets = append(sets, []string{p})
					}
				}
				want := http.StatusNotFound
				if sp.foreign != 0 {
					want = sp.foreign
				}
				for _, set := range sets {
					swap := func(other isoIDs) func(string) isoIDs {
						return func(name string) isoIDs {
							if slices.Contains(set, name) {
								return other
							}
							return A
						}
					}
					c := build(t, key, sp, swap(B), A)
					callers := []struct{ name, tok string }{{"A's owner", ownerA}, {"an owner of A and B", dual}}
					if len(set) == len(ents) && !slices.Contains(params(pattern), "location_id") {
						callers = callers[:1] // all of B's ids and no location: B's owner may
					}
					for _, who := range callers {
						r := do(c, e.userAuth(who.tok))
						if r.Status != want {
							t.Errorf("(c2) %s %s (B's %v) as %s: %d, want %d: %s", c.method, c.path, set, who.name, r.Status, want, truncate(r.Body))
						}
						sameAsGhost(t, "(c2)", c, r, do(build(t, key, sp, swap(ghost), A), e.userAuth(who.tok)))
					}
				}
				count["c2"]++
			}
			// (c3) A's path, B's ids in the query and body: what ids that
			// never existed get.
			ca, cb := build(t, key, sp, onA, A), build(t, key, sp, onA, B)
			if fmt.Sprint(ca) == fmt.Sprint(cb) {
				skip("c3", key, "no id in the query or body")
			} else {
				r := do(cb, e.userAuth(ownerA))
				if r.Status >= 500 {
					t.Errorf("(c3) %s %s: %d", cb.method, cb.path, r.Status)
				}
				sameAsGhost(t, "(c3)", cb, r, do(build(t, key, sp, onA, ghost), e.userAuth(ownerA)))
				count["c3"]++
			}
		}
		if after := snapshot(t, e); after != before {
			t.Errorf("the refused calls changed data:\n%s", diffLines(before, after))
		}
		if after := rereadB(t, e, B); !slices.Equal(after, readsB) {
			for i := range readsB {
				if readsB[i] != after[i] {
					t.Errorf("B's data changed:\nbefore %s\nafter  %s", readsB[i], after[i])
				}
			}
		}

		// Control: A's owner with A's ids gets through. Deletions get a
		// fresh location each.
		for _, key := range keys {
			sp, level := isoTable[key], table[key]
			if level == "none" || !hasIDs(key) {
				continue
			}
			ids := A
			if strings.HasPrefix(key, "DELETE ") {
				ids = freshLocation(t, e, ownerA)
			}
			c := build(t, key, sp, func(string) isoIDs { return ids }, ids)
			if r := do(c, e.userAuth(ownerA)); r.Status < 200 || r.Status > 299 {
				t.Errorf("control: %s %s %v as its owner: %d, want 2xx: %s", c.method, c.path, c.body, r.Status, truncate(r.Body))
			}
			count["control"]++
		}

		// (d) workers of A without the route's permission.
		stripped := isoWorker(t, e, ownerA, "stripped", func(string) bool { return false })
		lacking := map[string]string{}
		for _, sp := range isoTable {
			for _, p := range sp.perms {
				if _, ok := lacking[p]; !ok {
					lacking[p] = isoWorker(t, e, ownerA, "lacks-"+p, func(s string) bool { return s != p })
				}
			}
		}
		allFlags := isoWorker(t, e, ownerA, "all-flags", func(string) bool { return true })
		worker := e.login(demo.WorkerLogin, demo.Password)
		defaults := auth.Defaults(auth.RoleWorker)
		var workerRefused []string
		for _, key := range keys {
			sp, level := isoTable[key], table[key]
			switch {
			case level == "none":
				continue
			case !hasIDs(key):
				skip("d", key, "no location: nothing to be a member of")
				continue
			case level == "partner":
				skip("d", key, "public read: no permission")
				continue
			}
			c := build(t, key, sp, onA, A)
			needs := len(sp.perms) > 0 || sp.owner
			r := do(c, e.userAuth(stripped))
			if needs && r.Status != http.StatusForbidden {
				t.Errorf("(d) %s %s as a worker without permissions: %d, want 403: %s", c.method, c.path, r.Status, truncate(r.Body))
			}
			if !needs && (r.Status < 200 || r.Status > 299) {
				t.Errorf("(d) %s %s needs no permission, but a worker without any gets %d: %s", c.method, c.path, r.Status, truncate(r.Body))
			}
			for _, p := range sp.perms {
				if r := do(c, e.userAuth(lacking[p])); r.Status != http.StatusForbidden {
					t.Errorf("(d) %s %s as a worker lacking only %s: %d, want 403: %s", c.method, c.path, p, r.Status, truncate(r.Body))
				}
			}
			if sp.owner {
				if r := do(c, e.userAuth(allFlags)); r.Status != http.StatusForbidden {
					t.Errorf("(d) %s %s as a worker with every permission: %d, want 403 (owners only): %s", c.method, c.path, r.Status, truncate(r.Body))
				}
			}
			refused := sp.owner
			for _, p := range sp.perms {
				refused = refused || !defaults.Allows(p)
			}
			r = do(c, e.userAuth(worker))
			switch {
			case refused && r.Status != http.StatusForbidden:
				t.Errorf("(d) %s %s as the demo worker: %d, want 403: %s", c.method, c.path, r.Status, truncate(r.Body))
			case !refused && (r.Status == 401 || r.Status == 403 || r.Status == 404 || r.Status >= 500):
				t.Errorf("(d) %s %s as the demo worker, who has %v: %d: %s", c.method, c.path, sp.perms, r.Status, truncate(r.Body))
			}
			if refused {
				workerRefused = append(workerRefused, key)
			}
			count["d"]++
		}
		t.Logf("the demo worker is refused %d routes: %s", len(workerRefused), strings.Join(workerRefused, "; "))
		t.Logf("routes checked: (a) %d, (b) %d, (c1) %d, (c2) %d, (c3) %d, (d) %d, controls %d",
			count["a"], count["b"], count["c1"], count["c2"], count["c3"], count["d"], count["control"])
		for _, cs := range []string{"a", "b", "c", "c1", "c2", "c3", "d"} {
			t.Logf("not in (%s): %s", cs, strings.Join(skipped[cs], "; "))
		}
		t.Logf("took %s", time.Since(start).Round(time.Millisecond))
	})
}

var isoFixtures atomic.Int64

// ghostOf is fx with every id replaced by one that never existed (dates
// and names stay).
func ghostOf(fx isoIDs) isoIDs {
	g := isoIDs{}
	i := 0
	for k, v := range fx {
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			i++
			v = fmt.Sprint(990000000 + i)
		}
		g[k] = v
	}
	return g
}

var digits = regexp.MustCompile(`[0-9]+`)

// sameAsGhost: another location's ids get the answer ids that never
// existed get (numbers aside), so existence does not leak.
func sameAsGhost(t *testing.T, cs string, c isoCall, foreign, ghost resp) {
	t.Helper()
	f, g := digits.ReplaceAllString(string(foreign.Body), "#"), digits.ReplaceAllString(string(ghost.Body), "#")
	if foreign.Status != ghost.Status || f != g {
		t.Errorf("%s %s %s: another location's ids get %d %s, unknown ids %d %s", cs, c.method, c.path,
			foreign.Status, truncate(foreign.Body), ghost.Status, truncate(ghost.Body))
	}
}

// isoFixture creates, through the API as the location's owner, one of
// everything a path parameter can name, with tag in every name, and
// returns the ids by parameter name.
func isoFixture(t *testing.T, e *env, tok string, loc int64, tag string) isoIDs {
	t.Helper()
	n := isoFixtures.Add(1)
	day := time.Now().AddDate(0, 0, 3)
	date := day.Format("2006-01-02")
	post := func(path string, body any, want int) map[string]any {
		t.Helper()
		r := e.do(req{Method: "POST", Path: path, Auth: e.userAuth(tok), Body: body})
		if r.Status != want {
			t.Fatalf("fixture %s: POST %s: %d: %s", tag, path, r.Status, truncate(r.Body))
		}
		if l := r.List(); len(l) == 1 && l[0] != nil {
			return l[0]
		}
		return r.Data()
	}
	id := func(m map[string]any) string { return fmt.Sprint(num(m["id"])) }
	x := isoIDs{"location_id": fmt.Sprint(loc), "date": date, "start_date": date, "end_date": date,
		"date_end": day.AddDate(0, 0, 21).Format("2006-01-02"), "weekday": booking.Weekdays[day.Weekday()],
		"weekday2":    booking.Weekdays[(day.Weekday()+1)%7],
		"entity_type": "activity"}
	member := post(fmt.Sprintf("/staff/%d", loc), map[string]any{"name": tag + " Staffer", "specialization": tag + " stylist",
		"has_access_timetable": true}, 201)
	x["team_member_id"] = id(member)
	x["team_member2_id"] = id(post(fmt.Sprintf("/staff/%d", loc), map[string]any{"name": tag + " Second Staffer"}, 201))
	x["category_id"] = id(post(fmt.Sprintf("/service_categories/%d", loc), map[string]any{"title": tag + " Category"}, 201))
	x["empty_category_id"] = id(post(fmt.Sprintf("/service_categories/%d", loc), map[string]any{"title": tag + " Empty Category"}, 201))
	for _, k := range []string{"good_id", "good2_id"} {
		x[k] = fmt.Sprint(num(post(fmt.Sprintf("/goods/%d", loc), map[string]any{"title": tag + " Good " + k, "cost": 5, "amount": 3}, 201)["good_id"]))
	}
	x["service_id"] = id(post(fmt.Sprintf("/services/%d", loc), map[string]any{"title": tag + " Service", "category_id": x.n("category_id"),
		"duration": 3600, "staff": []map[string]any{{"id": x.n("team_member_id"), "seance_length": 3600}}}, 201))
	expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/schedule/%d/%s/%s/%s", loc, x["team_member_id"], date, date),
		Auth: e.userAuth(tok), Body: workingDay("")}), 201)
	phone := func(i int64) string {
		if tag == "Bravo" {
			return fmt.Sprintf("+1212555%04d", i)
		}
		return fmt.Sprintf("+7999555%02d%02d", n, i)
	}
	x["client_id"] = id(post(fmt.Sprintf("/clients/%d", loc), map[string]any{"name": tag + " Clientname", "phone": phone(1),
		"email": strings.ToLower(tag) + ".client@example.test", "comment": tag + " client note"}, 201))
	x["client2_id"] = id(post(fmt.Sprintf("/clients/%d", loc), map[string]any{"name": tag + " Otherclient", "phone": phone(2)}, 201))
	rec := post(fmt.Sprintf("/records/%d", loc), map[string]any{"staff_id": x.n("team_member_id"),
		"services": []map[string]any{{"id": x.n("service_id")}}, "client_id": x.n("client_id"), "datetime": date + "T10:00:00",
		"save_if_busy": true, "comment": tag + " record note"}, 201)
	x["record_id"], x["visit_id"] = id(rec), fmt.Sprint(num(rec["visit_id"]))
	post(fmt.Sprintf("/comments/%d/%s", loc, x["team_member_id"]), map[string]any{"text": tag + " review", "mark": 5,
		"name": tag + " Reviewer"}, 201)
	activity := func(at, comment string) string {
		return id(post(fmt.Sprintf("/activity/%d", loc), map[string]any{"date": date + " " + at, "service_id": x.n("service_id"),
			"staff_id": x.n("team_member_id"), "capacity": 3, "length": 3600, "comment": comment, "force": true}, 200))
	}
	x["activity_id"] = activity("15:00", tag+" class")
	x["activity2_id"] = activity("17:00", tag+" second class")
	x["entity_id"] = x["activity_id"]
	sch := post(fmt.Sprintf("/company/%d/schedules?include[]=days", loc), map[string]any{"original_entity_type": "activity",
		"original_entity_id": x.n("activity_id"), "date_end": x["date_end"], "days": []map[string]any{{"day_of_week": x["weekday"],
			"events_master_id": x.n("team_member_id"), "events_time": "15:00:00", "events_duration": 3600, "events_capacity": 3}}}, 201)
	x["schedule_id"] = id(sch)
	days, _ := sch["days"].([]any)
	if len(days) != 1 {
		t.Fatalf("fixture %s: schedule days: %v", tag, sch)
	}
	x["day_id"] = id(days[0].(map[string]any))
	x["client_schedule_id"] = id(post(fmt.Sprintf("/company/%d/schedules/%s/client_schedules", loc, x["schedule_id"]),
		map[string]any{"client_id": x.n("client_id"), "schedule_days_ids": []int64{x.n("day_id")}}, 201))
	login := fmt.Sprintf("%s-worker-%d@appointd.test", strings.ToLower(tag), n)
	u, err := e.svc.CreateUser(t.Context(), booking.NewUser{Login: login, Password: demo.Password, Name: tag + " Worker"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Grant(t.Context(), login, loc, auth.RoleWorker); err != nil {
		t.Fatal(err)
	}
	x["user_id"] = fmt.Sprint(u.ID)
	return x
}

// freshLocation is a new location of tok's user with a fresh fixture, for
// a control deletion.
func freshLocation(t *testing.T, e *env, tok string) isoIDs {
	t.Helper()
	r := e.do(req{Method: "POST", Path: "/companies", Auth: e.userAuth(tok), Body: map[string]any{"title": "Isolation Fresh Salon",
		"timezone_name": "Europe/Moscow"}})
	expect(t, r, 201)
	return isoFixture(t, e, tok, num(r.Data()["id"]), "Fresh")
}

// isoWorker is a new worker of A whose boolean permissions are on where
// on says, with unlimited days back; it returns a user token.
func isoWorker(t *testing.T, e *env, ownerA, name string, on func(slug string) bool) string {
	t.Helper()
	login := name + "@appointd.test"
	u, err := e.svc.CreateUser(t.Context(), booking.NewUser{Login: login, Password: demo.Password, Name: "Isolation " + name})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Grant(t.Context(), login, e.locA, auth.RoleWorker); err != nil {
		t.Fatal(err)
	}
	var perms []map[string]any
	for _, s := range auth.Slugs() {
		if auth.IsNumeric(s) {
			perms = append(perms, map[string]any{"slug": s, "value": -1})
		} else {
			perms = append(perms, map[string]any{"slug": s, "value": on(s)})
		}
	}
	expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, u.ID), Auth: e.userAuth(ownerA),
		Body: map[string]any{"user_permissions": perms}}), 200)
	return e.login(login, demo.Password)
}

// rereadB reads every entity of B's fixture as B's owner.
func rereadB(t *testing.T, e *env, B isoIDs) []string {
	t.Helper()
	var out []string
	for _, p := range []string{
		"/company/{location_id}", "/company/{location_id}/staff", "/staff/{location_id}/{team_member_id}",
		"/company/{location_id}/service_categories", "/service_category/{location_id}/{category_id}",
		"/company/{location_id}/services", "/services/{location_id}/{service_id}",
		"/schedule/{location_id}/{team_member_id}/{date}/{date_end}", "/company/{location_id}/settings/timetable",
		"/clients/{location_id}", "/client/{location_id}/{client_id}", "/client/{location_id}/{client2_id}",
		"/records/{location_id}?with_deleted=1", "/record/{location_id}/{record_id}", "/visits/{visit_id}",
		"/comments/{location_id}", "/activity/{location_id}/{activity_id}", "/activity/{location_id}/{activity2_id}",
		"/company/{location_id}/schedules/search/activity/{activity_id}?include[]=days&include[]=days.events",
		"/company/{location_id}/schedules/{schedule_id}/days/{day_id}/events",
		"/company/{location_id}/users", "/company/{location_id}/users/{user_id}/permissions",
		"/goods/{location_id}/{good_id}", "/goods/{location_id}/{good2_id}",
	} {
		path := pathParam.ReplaceAllStringFunc(p, func(m string) string { return B[m[1:len(m)-1]] })
		r := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(e.ownerB)})
		if r.Status != http.StatusOK {
			t.Fatalf("B's owner reads %s: %d: %s", path, r.Status, truncate(r.Body))
		}
		out = append(out, path+" "+string(r.Body))
	}
	return out
}

// snapshot renders every business table, row by row.
func snapshot(t *testing.T, e *env) string {
	t.Helper()
	db := rawDB(t, e)
	var b strings.Builder
	for _, table := range []string{"locations", "location_users", "positions", "team_members", "service_categories",
		"services", "service_staff", "work_days", "timetable_settings", "clients", "visits", "appointments",
		"appointment_services", "accounts", "payments", "comments", "activities", "event_schedules",
		"schedule_series", "schedule_events", "client_schedules", "client_schedule_series", "ical_feeds",
		"webhook_settings", "webhook_deliveries", "goods", "visit_goods"} {
		rows, err := db.Query("SELECT * FROM " + table + " ORDER BY 1, 2")
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for _, row := range testenv.RowStrings(t, rows) {
			b.WriteString(table + " " + row + "\n")
		}
	}
	return b.String()
}

// diffLines lists the lines only one of a and b has.
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
