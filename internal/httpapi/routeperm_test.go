package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"appointd/internal/demo"
	"appointd/internal/httpapi"
)

// selfServe are routes a member may call on themselves without the right
// the route needs for others, so the use case decides, not the wrapper.
var selfServe = map[string]string{
	"GET /api/v1/company/{location_id}/users/{user_id}/permissions": "one's own permissions are readable",
}

// TestRoutesDeclareTheirRight: every route of a location that needs one
// fixed right (isoTable's perms) declares it in the routes table, so the
// wrapper refuses a member without it (403) before the body is read: a
// malformed body from such a user is a 403, never a 400 or 422, and
// changes nothing.
func TestRoutesDeclareTheirRight(t *testing.T) {
	perms := httpapi.NewServer(httpapi.Deps{}).RoutePerms()
	for key, sp := range isoTable {
		if len(sp.perms) != 1 || !strings.Contains(key, "{location_id}") || selfServe[key] != "" {
			continue
		}
		if got := perms[key]; got != sp.perms[0] {
			t.Errorf("%s: the routes table checks %q first, the route needs %q", key, got, sp.perms[0])
		}
	}
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		nobody := isoWorker(t, e, owner, "rightless", func(string) bool { return false })
		before := snapshot(t, e)
		for key, perm := range perms {
			if perm == "" {
				continue
			}
			method, path, _ := strings.Cut(key, " ")
			path = strings.ReplaceAll(path, "{location_id}", fmt.Sprint(e.locA))
			for strings.Contains(path, "{") {
				i, j := strings.Index(path, "{"), strings.Index(path, "}")
				path = path[:i] + "1" + path[j+1:]
			}
			hr, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader([]byte(`{"broken":`)))
			hr.Header.Set("Authorization", e.userAuth(nobody))
			hr.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s with a broken body, without %s: %d, want 403", key, perm, res.StatusCode)
			}
		}
		if after := snapshot(t, e); after != before {
			t.Fatalf("refused calls changed the database:\n%s", diffLines(before, after))
		}
	})
}
