package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"appointd/internal/demo"
)

func TestAcceptHeaders(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		path := fmt.Sprintf("/company/%d", e.locA)
		for _, accept := range []string{"application/vnd.api.v2+json", "application/vnd.yclients.v2+json",
			"application/json", "*/*", "application/json; charset=utf-8", "text/html, */*;q=0.8"} {
			r := e.do(req{Method: "GET", Path: path, Auth: e.partnerAuth(), Headers: map[string]string{"Accept": accept}})
			if r.Status != 200 {
				t.Errorf("Accept %q: %d", accept, r.Status)
			}
		}
		// No Accept header at all.
		hr, _ := http.NewRequest("GET", e.srv.URL+"/api/v1"+path, nil)
		hr.Header.Set("Authorization", e.partnerAuth())
		res, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("no Accept: %d", res.StatusCode)
		}
		for _, accept := range []string{"text/html", "application/xml"} {
			r := e.do(req{Method: "GET", Path: path, Auth: e.partnerAuth(), Headers: map[string]string{"Accept": accept}})
			expectError(t, r, http.StatusNotAcceptable, "Not acceptable")
		}
	})
}

func TestTrailingSlashAndContentTypeOnGet(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		for _, path := range []string{"/companies/", fmt.Sprintf("/company/%d/", e.locA),
			fmt.Sprintf("/user/permissions/%d/", e.locA), fmt.Sprintf("/company/%d/users/", e.locA)} {
			r := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(tok),
				Headers: map[string]string{"Content-Type": "application/json"}})
			if r.Status != 200 || r.JSON["success"] != true {
				t.Errorf("GET %s: %d %s", path, r.Status, truncate(r.Body))
			}
		}
		r := e.do(req{Method: "POST", Path: "/auth/", Auth: e.partnerAuth(),
			Body: map[string]string{"login": demo.OwnerLogin, "password": demo.Password}})
		expect(t, r, http.StatusCreated)
	})
}

func TestMetaShapes(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		arrays := []string{"/companies", fmt.Sprintf("/company/%d", e.locA)}
		objects := []string{fmt.Sprintf("/user/permissions/%d", e.locA),
			fmt.Sprintf("/company/%d/users/2/permissions", e.locA)}
		for _, p := range arrays {
			r := e.do(req{Method: "GET", Path: p, Auth: e.userAuth(tok)})
			if m, ok := r.JSON["meta"].([]any); !ok || len(m) != 0 {
				t.Errorf("GET %s: meta is not []: %s", p, truncate(r.Body))
			}
		}
		for _, p := range objects {
			r := e.do(req{Method: "GET", Path: p, Auth: e.userAuth(tok)})
			if m, ok := r.JSON["meta"].(map[string]any); !ok || len(m) != 0 {
				t.Errorf("GET %s: meta is not {}: %s", p, truncate(r.Body))
			}
		}
	})
}

func TestBadBodiesChangeNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		path := fmt.Sprintf("/company/%d", e.locA)
		before := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(tok)}).Data()

		big := `{"title":"` + strings.Repeat("x", 2<<20) + `"}`
		expectError(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(tok), Body: big}), http.StatusRequestEntityTooLarge, "too large")

		r := e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(tok), Body: `{"title": "New", `})
		expectError(t, r, http.StatusBadRequest, "malformed JSON")

		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(tok), Body: `{"title": "New", "country_id": "Russia"}`})
		expectError(t, r, http.StatusUnprocessableEntity, "country_id")
		if errs, _ := r.Meta()["errors"].([]any); len(errs) != 1 {
			t.Fatalf("meta.errors: %s", r.Body)
		}

		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(tok), Body: `["title"]`})
		expectError(t, r, http.StatusUnprocessableEntity, "JSON object")

		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(tok), Body: `{"title": "New", "coordinate_lat": 123}`})
		expectError(t, r, http.StatusUnprocessableEntity, "coordinate_lat")

		after := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(tok)}).Data()
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Fatalf("a failed request changed the location:\n%v\n%v", before, after)
		}
	})
}

func TestUnknownRouteAndMethod(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		r := e.do(req{Method: "GET", Path: "/no/such/route", Auth: e.partnerAuth(), NoValidate: true})
		expectError(t, r, http.StatusNotFound, "Not found")
		r = e.do(req{Method: "PATCH", Path: "/auth", Auth: e.partnerAuth(), NoValidate: true})
		expectError(t, r, http.StatusMethodNotAllowed, "not allowed")
		if allow := r.Header.Get("Allow"); allow != "POST, DELETE" {
			t.Fatalf("Allow %q", allow)
		}
		// An id that is not a number is an unknown id.
		expectError(t, e.do(req{Method: "GET", Path: "/company/abc", Auth: e.partnerAuth()}), 404, "Not found")
	})
}

func TestOperationsRoutes(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		r := e.do(req{Method: "GET", Path: "//healthz"})
		if r.Status != 200 || r.JSON["status"] != "ok" {
			t.Fatalf("healthz: %d %s", r.Status, r.Body)
		}
		if r := e.do(req{Method: "GET", Path: "//livez"}); r.Status != 200 || r.JSON["status"] != "ok" {
			t.Fatalf("livez: %d %s", r.Status, r.Body)
		}
		if r := e.do(req{Method: "GET", Path: "//readyz"}); r.Status != 200 || r.JSON["status"] != "ok" {
			t.Fatalf("readyz: %d %s", r.Status, r.Body)
		}
		e.do(req{Method: "GET", Path: "/companies", Auth: e.partnerAuth()})
		res, err := http.Get(e.srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		for _, want := range []string{
			`appointd_http_requests_total{method="GET",route="GET /api/v1/companies",status="200"} 1`,
			`appointd_http_request_duration_seconds_bucket{route="GET /api/v1/companies"`,
			`appointd_build_info{goversion="` + runtime.Version() + `",revision="`,
		} {
			if !strings.Contains(string(body), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		res, err = http.Get(e.srv.URL + "/api/v1/openapi.yaml")
		if err != nil {
			t.Fatal(err)
		}
		spec, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(string(spec), "openapi: 3.0.3") {
			t.Fatalf("openapi.yaml: %d %.40s", res.StatusCode, spec)
		}
	})
}

// TestEveryRouteIsInTheContract walks the routes table.
func TestEveryRouteIsInTheContract(t *testing.T) {
	e := newEnv(t, "sqlite", "sqlite:"+t.TempDir()+"/c.db", bookingDefaults(), true)
	for _, rt := range e.routes() {
		method, path, _ := strings.Cut(rt, " ")
		concrete := regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllString(path, "1")
		switch {
		case path == "/ical/{file}": // the calendar feed, documented as /ical/{secret}.ics
			concrete = "/ical/" + strings.Repeat("0", 64) + ".ics"
		case !strings.HasPrefix(path, "/api/v1/"): // probes and metrics are not in the contract
			continue
		}
		hr, _ := http.NewRequest(method, e.srv.URL+concrete, nil)
		if _, _, err := e.router.FindRoute(hr); err != nil {
			t.Errorf("%s %s is not in api/openapi.yaml", method, path)
		}
	}
}
