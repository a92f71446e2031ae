package httpapi_test

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"appointd/internal/auth"
	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/httpapi"
	"appointd/internal/testenv"
)

// membershipOnly are the location routes a member of the location may call
// with every permission switched off; every other user route with an id
// answers such a member 403.
var membershipOnly = map[string]string{
	"GET /api/v1/user/permissions/{location_id}":                    "one's own rights",
	"GET /api/v1/company/{location_id}/users/{user_id}/permissions": "one's own rights, by one's own id",
	"GET /api/v1/comments/{location_id}":                            "reviews are public on the booking page",
	"POST /api/v1/comments/{location_id}/{team_member_id}":          "anyone may leave a review (D17); 422 for the empty body",
	"GET /api/v1/company/{location_id}/service_categories":          "the catalogue, public to partners too",
	"GET /api/v1/company/{location_id}/service_categories/{id}":     "the catalogue",
	"GET /api/v1/company/{location_id}/services":                    "the catalogue",
	"GET /api/v1/company/{location_id}/services/{service_id}":       "the catalogue",
	"GET /api/v1/services/{location_id}":                            "the catalogue",
	"GET /api/v1/company/{location_id}/staff":                       "the team, public to partners too",
	"GET /api/v1/company/{location_id}/staff/{team_member_id}":      "the team",
	"GET /api/v1/company/{location_id}/staff/positions":             "the team's positions",
	"GET /api/v1/company/{location_id}/settings/timetable":          "booking settings every member books by",
	"GET /api/v1/resources/{location_id}":                           "the location's resources",
}

// TestIsolationMatrix walks the route table. Every route that needs a token
// answers 401 without one; every user route answers 401 to a partner token
// alone; every route with an id answers 404 to the owner of another
// location calling it with this location's ids, with none of this
// location's data in the body; and every user route with an id answers 403
// to a worker of the location whose permissions are all off (but those in
// membershipOnly). None of those calls changes anything. A new route is
// covered without editing this test; a new path parameter fails it until
// ids() knows the parameter.
func TestIsolationMatrix(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		ids, markers := isolationFixture(t, e, owner)
		worker := strippedWorker(t, e, owner)
		ids["user_id"] = fmt.Sprint(e.userID(owner, e.locA, "Stripped Worker"))
		before := snapshot(t, e)

		table := httpapi.RouteAuth(httpapi.NewServer(httpapi.Deps{Service: e.svc}))
		var keys []string
		for k := range table {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		param := regexp.MustCompile(`\{([a-z_]+)\}`)
		counts := map[string]int{}
		for _, key := range keys {
			method, pattern, _ := strings.Cut(key, " ")
			level := table[key]
			if level == "none" {
				continue // /healthz, /metrics, the contract
			}
			path := param.ReplaceAllStringFunc(pattern, func(m string) string {
				name := m[1 : len(m)-1]
				v, ok := ids[name]
				if name == "id" {
					v, ok = ids[idOf(pattern)], true
				}
				if !ok || v == "" {
					t.Fatalf("%s: no fixture id for {%s}; add it to isolationFixture", key, name)
				}
				return v
			})
			path = strings.TrimPrefix(path, "/api/v1")
			call := func(auth string) resp {
				var body any
				if method == "POST" || method == "PUT" || method == "PATCH" {
					body = map[string]any{}
				}
				return e.do(req{Method: method, Path: path, Auth: auth, Body: body, Headers: map[string]string{"Accept": "*/*"}})
			}
			// (a) no token
			if r := call(""); r.Status != http.StatusUnauthorized {
				t.Errorf("(a) %s %s without a token: %d, want 401", method, path, r.Status)
			}
			counts["a"]++
			if level != "user" {
				continue
			}
			// (b) a partner token where a user token is needed
			if r := call(e.partnerAuth()); r.Status != http.StatusUnauthorized {
				t.Errorf("(b) %s %s with a partner token only: %d, want 401", method, path, r.Status)
			}
			counts["b"]++
			if !param.MatchString(pattern) {
				continue // no id to swap: /companies, /auth, /records/partner
			}
			// (c) the owner of B with A's ids
			r := call(e.userAuth(e.ownerB))
			if r.Status != http.StatusNotFound {
				t.Errorf("(c) %s %s as the owner of another location: %d, want 404: %s", method, path, r.Status, truncate(r.Body))
			}
			for _, m := range markers {
				if strings.Contains(string(r.Body), m) {
					t.Errorf("(c) %s %s shows another location's %q: %s", method, path, m, truncate(r.Body))
				}
			}
			counts["c"]++
			// (d) a member of A without any permission
			r = call(e.userAuth(worker))
			_, allowed := membershipOnly[key]
			switch {
			case allowed && r.Status == http.StatusForbidden:
				t.Errorf("(d) %s %s: 403 for a member, want the route's own answer", method, path)
			case !allowed && r.Status != http.StatusForbidden:
				t.Errorf("(d) %s %s as a member without permissions: %d, want 403: %s", method, path, r.Status, truncate(r.Body))
			}
			counts["d"]++
		}
		t.Logf("routes checked: (a) %d, (b) %d, (c) %d, (d) %d", counts["a"], counts["b"], counts["c"], counts["d"])
		if after := snapshot(t, e); after != before {
			t.Fatal("the refused calls changed data")
		}
	})
}

// idOf names what a bare {id} is on a route.
func idOf(pattern string) string {
	switch {
	case strings.Contains(pattern, "/client/"):
		return "client_id"
	case strings.Contains(pattern, "service_categor"):
		return "category_id"
	}
	return ""
}

// isolationFixture books an appointment with a marked client in location A
// and leaves a comment, and returns an id for every path parameter of the
// route table plus the strings that must never reach another location.
func isolationFixture(t *testing.T, e *env, owner string) (map[string]string, []string) {
	t.Helper()
	day := time.Now().AddDate(0, 0, 2)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner), Body: map[string]any{
		"staff_id": 1, "services": []map[string]any{{"id": 1}}, "datetime": day.Format("2006-01-02") + "T12:00:00",
		"client": map[string]any{"name": "Isolde Leakcheck", "phone": "+79995550101"}}})
	expect(t, r, 201)
	rec := r.Data()
	expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/comments/%d/1", e.locA), Auth: e.userAuth(owner),
		Body: map[string]any{"text": "Leakcheck comment", "mark": 5, "name": "Reviewer"}}), 201)
	loc := e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d", e.locA), Auth: e.partnerAuth()}).Data()

	db := rawDB(t, e)
	first := func(q string) string {
		var id int64
		if err := db.QueryRow(q, e.locA).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return fmt.Sprint(id)
	}
	ph := "?"
	if e.engine == "postgres" {
		ph = "$1"
	}
	ids := map[string]string{
		"location_id":        fmt.Sprint(e.locA),
		"record_id":          fmt.Sprint(num(rec["id"])),
		"visit_id":           fmt.Sprint(num(rec["visit_id"])),
		"team_member_id":     "1",
		"service_id":         "1",
		"client_id":          fmt.Sprint(num(rec["client"].(map[string]any)["id"])),
		"category_id":        first("SELECT MIN(id) FROM service_categories WHERE location_id = " + ph),
		"activity_id":        first("SELECT MIN(id) FROM activities WHERE location_id = " + ph),
		"schedule_id":        first("SELECT MIN(id) FROM event_schedules WHERE location_id = " + ph),
		"day_id":             first("SELECT MIN(s.id) FROM schedule_series s JOIN event_schedules x ON x.id = s.schedule_id WHERE x.location_id = " + ph),
		"client_schedule_id": first("SELECT MIN(c.id) FROM client_schedules c JOIN event_schedules x ON x.id = c.schedule_id WHERE x.location_id = " + ph),
		"entity_type":        "activity",
		"start_date":         day.Format("2006-01-02"),
		"end_date":           day.Format("2006-01-02"),
		"date":               day.Format("2006-01-02"),
	}
	ids["entity_id"] = ids["activity_id"]
	return ids, []string{"Isolde Leakcheck", "79995550101", "Leakcheck comment", loc["title"].(string)}
}

// strippedWorker is a worker of A with every permission switched off.
func strippedWorker(t *testing.T, e *env, owner string) string {
	t.Helper()
	const login = "stripped@appointd.test"
	if _, err := e.svc.CreateUser(t.Context(), booking.NewUser{Login: login, Password: demo.Password, Name: "Stripped Worker"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Grant(t.Context(), login, e.locA, auth.RoleWorker); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, e.userID(owner, e.locA, "Stripped Worker"))
	var off []map[string]any
	for _, p := range e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Data()["user_permissions"].([]any) {
		p := p.(map[string]any)
		if _, isFlag := p["value"].(bool); isFlag {
			off = append(off, map[string]any{"slug": p["slug"], "value": false})
		}
	}
	expect(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner), Body: map[string]any{"user_permissions": off}}), 200)
	return e.login(login, demo.Password)
}

// snapshot renders every business table, row by row.
func snapshot(t *testing.T, e *env) string {
	t.Helper()
	db := rawDB(t, e)
	var b strings.Builder
	for _, table := range []string{"locations", "location_users", "positions", "team_members", "service_categories",
		"services", "service_staff", "work_days", "timetable_settings", "clients", "visits", "appointments",
		"appointment_services", "accounts", "payments", "comments", "activities", "event_schedules",
		"schedule_series", "schedule_events", "client_schedules", "client_schedule_series"} {
		rows, err := db.Query("SELECT * FROM " + table + " ORDER BY 1, 2")
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		b.WriteString(strings.Join(testenv.RowStrings(t, rows), "\n"))
	}
	return b.String()
}
