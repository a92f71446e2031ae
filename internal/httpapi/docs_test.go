package httpapi_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"appointd/api"
	"appointd/internal/demo"
)

func TestDocsPage(t *testing.T) {
	e := newEnv(t, "sqlite", "sqlite:"+t.TempDir()+"/d.db", bookingDefaults(), false)
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		res, err := http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}

	for _, path := range []string{"/docs", "/docs/"} {
		res, body := get(path)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		page := string(body)
		for _, want := range []string{
			"POST /api/v1/records/{location_id}", // an operation, with the base path
			"GET /api/v1/companies",
			`href="#`,                        // the table of contents
			`href="#tag-8">Appointments</a>`, // a tag in the contents
			"technical_break_duration",       // a request body field
			"save_if_busy",
			"<td><code>201</code></td>", // a response code
			`href="/docs/openapi.yaml"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("GET %s lacks %q", path, want)
			}
		}
		// Self-contained: no script at all, no stylesheet or image from elsewhere.
		if bad := regexp.MustCompile(`(?i)<script|<link|(src|href)="(https?:)?//`).FindString(page); bad != "" {
			t.Errorf("GET %s loads something from elsewhere: %q", path, bad)
		}
	}

	res, body := get("/docs/openapi.yaml")
	if res.StatusCode != 200 || !bytes.Equal(body, api.OpenAPI) {
		t.Fatalf("GET /docs/openapi.yaml: %d, %d bytes (want the %d of the contract)", res.StatusCode, len(body), len(api.OpenAPI))
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("GET /docs/openapi.yaml: Content-Type %q", ct)
	}
}

// staff_id: null unlinks a user; the request passes the contract (e.do
// validates it against api/openapi.yaml) on both engines.
func TestPermissionsStaffIDNull(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		workerID := e.userID(owner, e.locA, "Demo Worker")
		path := fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID)
		expect(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner), Body: map[string]any{"staff_id": nil}}), 200)
		expect(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner), Body: map[string]any{"staff_id": "0"}}), 200)
	})
}
