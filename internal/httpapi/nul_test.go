package httpapi_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"appointd/internal/demo"
)

// A NUL byte anywhere a request carries text is refused before any
// database work, alike on both engines (PostgreSQL cannot store it): a 422
// naming the body field, a 400 for the query or a header.
func TestNULRefused(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		clients := func() int64 {
			r := e.do(req{Method: "GET", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(owner)})
			expect(t, r, 200)
			return num(r.Meta()["total_count"])
		}
		comments := func() int {
			r := e.do(req{Method: "GET", Path: fmt.Sprintf("/comments/%d?count=200", e.locA), Auth: e.userAuth(owner)})
			expect(t, r, 200)
			return len(r.List())
		}
		nClients, nComments := clients(), comments()
		anna, _ := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")

		for _, c := range []struct {
			name, method, path, auth, body, field string
		}{
			{"client name", "POST", fmt.Sprintf("/clients/%d", e.locA), e.userAuth(owner),
				`{"name": "Olga\u0000", "phone": "+79265550101"}`, "name"},
			{"nested, in a member no handler reads", "POST", fmt.Sprintf("/clients/%d", e.locA), e.userAuth(owner),
				`{"name": "Olga", "phone": "+79265550102", "extra": {"note": ["a", "b\u0000"]}}`, "extra.note"},
			{"member name", "POST", fmt.Sprintf("/clients/%d", e.locA), e.userAuth(owner),
				`{"name": "Olga", "phone": "+79265550103", "x\u0000": 1}`, ""},
			{"comment", "POST", fmt.Sprintf("/comments/%d/%d", e.locA, anna), e.userAuth(owner),
				`{"mark": 5, "name": "Ann", "text": "fine\u0000"}`, "text"},
			{"login", "POST", "/auth", e.partnerAuth(),
				`{"login": "` + demo.OwnerLogin + `\u0000", "password": "x"}`, "login"},
			{"client search filter", "POST", fmt.Sprintf("/company/%d/clients/search", e.locA), e.userAuth(owner),
				`{"filters": [{"type": "quick_search", "state": {"value": "Ann\u0000"}}]}`, "filters.state.value"},
		} {
			r := e.do(req{Method: c.method, Path: c.path, Auth: c.auth, Body: c.body})
			expectError(t, r, 422, "NUL")
			errs, _ := r.Meta()["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("%s: errors %s", c.name, r.Body)
			}
			if f, _ := errs[0].(map[string]any)["field"].(string); f != c.field {
				t.Errorf("%s: field %q, want %q", c.name, f, c.field)
			}
		}
		if n := clients(); n != nClients {
			t.Errorf("clients: %d, was %d", n, nClients)
		}
		if n := comments(); n != nComments {
			t.Errorf("comments: %d, was %d", n, nComments)
		}

		for _, path := range []string{
			fmt.Sprintf("/clients/%d?fullname=Ann%%00", e.locA),
			fmt.Sprintf("/clients/%d?phone=%%00", e.locA),
			fmt.Sprintf("/comments/%d?x%%00=1", e.locA),
		} {
			r := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)})
			expectError(t, r, 400, "NUL")
		}
		// A NUL in the query of a write refuses it before the body is read.
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d?note=%%00", e.locA), Auth: e.userAuth(owner),
			Body: map[string]any{"name": "Query NUL", "phone": "+79265550104"}})
		expectError(t, r, 400, "NUL")
		if n := clients(); n != nClients {
			t.Errorf("clients after a query NUL: %d, was %d", n, nClients)
		}

		// Go's client will not send a NUL in a header; a raw one is refused
		// by net/http's own parser before any handler (appointd has no check
		// of its own for it: this holds the guarantee it relies on).
		for _, h := range []string{"Authorization: Bearer " + e.partner + ", User " + owner + "\x00",
			"X-Note: a\x00b"} {
			if st := rawStatus(t, e, "GET /api/v1/clients/"+fmt.Sprint(e.locA)+" HTTP/1.1", h); st != 400 {
				t.Errorf("%q: status %d, want 400", h, st)
			}
		}
	})
}

// rawStatus sends a request line and one header as written and returns
// the answer's status.
func rawStatus(t *testing.T, e *env, line, header string) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s\r\nHost: x\r\nAccept: application/json\r\n%s\r\nConnection: close\r\n\r\n", line, header)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// A page far past the data is an empty page; one whose first row would
// overflow (or is absurd) is a 422 naming page; never a 5xx, never another
// page's rows.
func TestHugePage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		day := e.clock.Now().Format("2006-01-02")
		for _, path := range []string{
			fmt.Sprintf("/records/%d?", e.locA),
			fmt.Sprintf("/clients/%d?", e.locA),
			fmt.Sprintf("/comments/%d?", e.locA),
			fmt.Sprintf("/activity/%d/search?from=%s&till=%s&", e.locA, day, day),
			fmt.Sprintf("/hooks_settings/%d/deliveries?", e.locA),
			"/companies?count=10&",
		} {
			for _, page := range []string{"9223372036854775807", "4611686018427387904", "100000000000"} {
				r := e.do(req{Method: "GET", Path: path + "page=" + page, Auth: e.userAuth(owner)})
				expectError(t, r, 422, "page")
			}
			r := e.do(req{Method: "GET", Path: path + "page=1000", Auth: e.userAuth(owner)})
			expect(t, r, 200)
			if n := len(r.List()); n != 0 || strings.Contains(string(r.Body), `"id"`) {
				t.Errorf("%s page=1000: rows %s", path, truncate(r.Body))
			}
		}
		search := fmt.Sprintf("/company/%d/clients/search", e.locA)
		for _, body := range []map[string]any{
			{"page": "9223372036854775807", "page_size": 200},
			{"page": 9223372036854775807, "page_size": 1},
			{"page": 100000000000, "page_size": 25},
		} {
			expectError(t, e.do(req{Method: "POST", Path: search, Auth: e.userAuth(owner), Body: body}), 422, "page")
		}
		r := e.do(req{Method: "POST", Path: search, Auth: e.userAuth(owner), Body: map[string]any{"page": 1000, "page_size": 200}})
		expect(t, r, 200)
		if n := len(r.List()); n != 0 {
			t.Errorf("client search page 1000: %s", truncate(r.Body))
		}
	})
}
