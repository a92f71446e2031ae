package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"appointd/internal/demo"
)

func ids(r resp) []int64 {
	var out []int64
	for _, l := range r.List() {
		out = append(out, num(l["id"]))
	}
	return out
}

func TestListLocations(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		// The partner token alone sees the public catalogue.
		r := e.do(req{Method: "GET", Path: "/companies", Auth: e.partnerAuth()})
		expect(t, r, 200)
		if got := ids(r); len(got) != 2 || got[0] != e.locA || got[1] != e.locB {
			t.Fatalf("ids %v", got)
		}
		a := r.List()[0]
		if a["title"] != demo.LocationTitle || a["timezone_name"] != "Europe/Moscow" || num(a["timezone"]) != 3 ||
			a["currency_short_title"] != "RUB" || num(a["active"]) != 1 || a["phone"] != "+74951234567" {
			t.Fatalf("location A: %v", a)
		}
		if num(r.List()[1]["timezone"]) > -4 || num(r.List()[1]["timezone"]) < -5 {
			t.Fatalf("New York offset %v", r.List()[1]["timezone"])
		}
		// my=1 needs a user and lists only the user's locations.
		expectError(t, e.do(req{Method: "GET", Path: "/companies?my=1", Auth: e.partnerAuth()}), 401, "Authentication needed.")
		tok := e.login(demo.OwnerLogin, demo.Password)
		r = e.do(req{Method: "GET", Path: "/companies?my=1", Auth: e.userAuth(tok)})
		if got := ids(r); len(got) != 1 || got[0] != e.locA {
			t.Fatalf("my=1 ids %v", got)
		}
		r = e.do(req{Method: "GET", Path: "/companies?my=1", Auth: e.userAuth(e.ownerB)})
		if got := ids(r); len(got) != 1 || got[0] != e.locB {
			t.Fatalf("my=1 of B ids %v", got)
		}
		// id filter and paging.
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/companies?id=%d", e.locB), Auth: e.partnerAuth()})
		if got := ids(r); len(got) != 1 || got[0] != e.locB {
			t.Fatalf("id filter %v", got)
		}
		r = e.do(req{Method: "GET", Path: "/companies?count=1&page=2", Auth: e.partnerAuth()})
		if got := ids(r); len(got) != 1 || got[0] != e.locB {
			t.Fatalf("page 2 of 1: %v", got)
		}
		expectError(t, e.do(req{Method: "GET", Path: "/companies?page=0", Auth: e.partnerAuth()}), 422, "page")
		expectError(t, e.do(req{Method: "GET", Path: "/companies?count=x", Auth: e.partnerAuth()}), 422, "count")
	})
}

func TestGetLocation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		path := fmt.Sprintf("/company/%d", e.locA)
		r := e.do(req{Method: "GET", Path: path, Auth: e.partnerAuth()})
		expect(t, r, 200)
		if r.Data()["id"] == nil || r.Data()["access"] != nil {
			t.Fatalf("partner view: %s", r.Body)
		}
		owner := e.login(demo.OwnerLogin, demo.Password)
		r = e.do(req{Method: "GET", Path: path + "?my=1", Auth: e.userAuth(owner)})
		access, _ := r.Data()["access"].(map[string]any)
		if access["user_role"] != "owner" || access["delete_records_access"] != true {
			t.Fatalf("access: %v", access)
		}
		worker := e.login(demo.WorkerLogin, demo.Password)
		r = e.do(req{Method: "GET", Path: path + "?my=1", Auth: e.userAuth(worker)})
		access, _ = r.Data()["access"].(map[string]any)
		if access["user_role"] != "worker" || access["delete_records_access"] != false {
			t.Fatalf("worker access: %v", access)
		}
		// my=1 on a location the user is not linked to: 404, with the
		// legacy errors object of the location pages.
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d?my=1", e.locB), Auth: e.userAuth(owner)})
		expectError(t, r, 404, "Not found")
		if errs, _ := r.JSON["errors"].(map[string]any); num(errs["code"]) != 404 {
			t.Fatalf("legacy errors object: %s", r.Body)
		}
		r = e.do(req{Method: "GET", Path: "/company/999999", Auth: e.partnerAuth()})
		expectError(t, r, 404, "Not found")
		r = e.do(req{Method: "GET", Path: path})
		expectError(t, r, 401, "Authentication needed.")
		if errs, _ := r.JSON["errors"].(map[string]any); num(errs["code"]) != 401 {
			t.Fatalf("legacy errors object: %s", r.Body)
		}
	})
}

func TestCreateLocation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.WorkerLogin, demo.Password)
		body := map[string]any{"title": "Second Studio", "country_id": "1", "city_id": 2, "address": "Arbat 10",
			"site": "https://studio.test", "coordinate_lat": 55.75, "coordinate_lot": "37.59",
			"business_type_id": 1, "short_descr": "Nails", "timezone_name": "Europe/Berlin"}
		r := e.do(req{Method: "POST", Path: "/companies", Auth: e.userAuth(tok), Body: body})
		expect(t, r, http.StatusCreated)
		d := r.Data()
		if d["title"] != "Second Studio" || d["country"] != "Russia" || d["coordinate_lon"] != 37.59 ||
			d["timezone_name"] != "Europe/Berlin" || d["address"] != "Arbat 10" {
			t.Fatalf("created: %s", r.Body)
		}
		id := num(d["id"])
		// The creator owns it.
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d?my=1", id), Auth: e.userAuth(tok)})
		if access, _ := r.Data()["access"].(map[string]any); access["user_role"] != "owner" {
			t.Fatalf("creator is not owner: %s", r.Body)
		}
		count := len(e.do(req{Method: "GET", Path: "/companies", Auth: e.partnerAuth()}).List())
		for _, bad := range []map[string]any{
			{"title": "X", "timezone_name": "Mars/Base"},
			{"short_descr": "no title"},
			{"title": "X", "coordinate_lat": 91},
			{"title": "X", "phones": []string{"12ab"}},
		} {
			r := e.do(req{Method: "POST", Path: "/companies", Auth: e.userAuth(tok), Body: bad})
			expect(t, r, http.StatusUnprocessableEntity)
		}
		if n := len(e.do(req{Method: "GET", Path: "/companies", Auth: e.partnerAuth()}).List()); n != count {
			t.Fatalf("failed creates changed the count: %d → %d", count, n)
		}
		expectError(t, e.do(req{Method: "POST", Path: "/companies", Auth: e.partnerAuth(), Body: body}), 401, "Authentication needed.")
	})
}

func TestUpdateLocation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		path := fmt.Sprintf("/company/%d", e.locA)
		r := e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner),
			Body: map[string]any{"title": "Renamed Salon", "social": map[string]string{"telegram": "@salon"}}})
		expect(t, r, 200)
		d := r.Data()
		if d["title"] != "Renamed Salon" || d["address"] != "Tverskaya St, 1" || d["timezone_name"] != "Europe/Moscow" {
			t.Fatalf("partial update lost fields: %s", r.Body)
		}
		if s, _ := d["social"].(map[string]any); s["telegram"] != "@salon" {
			t.Fatalf("social: %v", d["social"])
		}
		got := e.do(req{Method: "GET", Path: path, Auth: e.partnerAuth()}).Data()
		if got["title"] != "Renamed Salon" {
			t.Fatalf("GET after PUT: %v", got["title"])
		}
		// A worker lacks settings_access: 403; a user of B: 404.
		worker := e.login(demo.WorkerLogin, demo.Password)
		expectError(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: map[string]any{"title": "W"}}), 403, "Access denied.")
		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(e.ownerB), Body: map[string]any{"title": "B"}})
		expectError(t, r, 404, "Not found")
		if e.do(req{Method: "GET", Path: path, Auth: e.partnerAuth()}).Data()["title"] != "Renamed Salon" {
			t.Fatal("a refused update changed the location")
		}
	})
}

func TestDeleteLocation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		path := fmt.Sprintf("/company/%d", e.locA)
		worker := e.login(demo.WorkerLogin, demo.Password)
		expectError(t, e.do(req{Method: "DELETE", Path: path, Auth: e.userAuth(worker)}), 403, "Access denied.")
		expectError(t, e.do(req{Method: "DELETE", Path: path, Auth: e.userAuth(e.ownerB)}), 404, "Not found")
		owner := e.login(demo.OwnerLogin, demo.Password)
		r := e.do(req{Method: "DELETE", Path: path, Auth: e.userAuth(owner)})
		expect(t, r, http.StatusAccepted)
		if r.JSON["success"] != true || r.Message() != "Accepted" {
			t.Fatalf("202 body: %s", r.Body)
		}
		expectError(t, e.do(req{Method: "GET", Path: path, Auth: e.partnerAuth()}), 404, "Not found")
		expectError(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/user/permissions/%d", e.locA), Auth: e.userAuth(owner)}), 404, "Not found")
		if got := ids(e.do(req{Method: "GET", Path: "/companies", Auth: e.partnerAuth()})); len(got) != 1 || got[0] != e.locB {
			t.Fatalf("deleted location still listed: %v", got)
		}
		expectError(t, e.do(req{Method: "DELETE", Path: path, Auth: e.userAuth(owner)}), 404, "Not found")
	})
}
