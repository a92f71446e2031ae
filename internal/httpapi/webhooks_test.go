package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/netguard"
)

func TestHooksSettings(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.userAuth(e.login(demo.OwnerLogin, demo.Password))
		path := fmt.Sprintf("/hooks_settings/%d", e.locA)
		get := func() map[string]any {
			t.Helper()
			r := e.do(req{Method: "GET", Path: path, Auth: owner})
			expect(t, r, http.StatusOK)
			if m, ok := r.JSON["meta"].([]any); !ok || len(m) != 0 {
				t.Fatalf("meta is not []: %s", r.Body)
			}
			return r.Data()
		}
		// Never configured: no urls, everything off, no secret yet.
		d := get()
		if fmt.Sprint(d["urls"]) != "[]" || num(d["active"]) != 0 || num(d["record"]) != 0 || d["secret"] != "" {
			t.Fatalf("defaults: %v", d)
		}
		before := get()

		// Bad input: a 4xx in the envelope and nothing stored.
		for _, c := range []struct {
			body   any
			status int
			msg    string
		}{
			{map[string]any{"active": 1}, 422, "urls is required"},
			{map[string]any{"urls": []string{"https://hooks.example.test/a"}}, 422, "active is required"},
			{map[string]any{"urls": []string{"ftp://hooks.example.test/a"}, "active": 1}, 422, "only http and https"},
			{map[string]any{"urls": []string{"https:///nohost"}, "active": 1}, 422, "has no host"},
			{map[string]any{"urls": "https://hooks.example.test/a", "active": 1}, 422, "list of URLs"},
			{map[string]any{"urls": []string{"https://hooks.example.test/a"}, "active": "yes"}, 422, "active must be 1 or 0"},
			{map[string]any{"urls": []string{"https://hooks.example.test/a"}, "active": 1, "record": 7}, 422, "record must be 1 or 0"},
			{map[string]any{"urls": []string{"https://hooks.example.test/a"}, "active": 1, "secret": "short"}, 422, "secret must be"},
			{map[string]any{"urls": strings.Split(strings.Repeat("https://h.example.test/x,", 11), ",")[:11], "active": 1}, 422, "at most 10"},
			{`{"urls": [`, 400, "Malformed"},
			{`[1, 2]`, 422, "JSON object"},
		} {
			r := e.do(req{Method: "POST", Path: path, Auth: owner, Body: c.body})
			expectError(t, r, c.status, c.msg)
		}
		if after := get(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("a refused request changed the settings: %v", after)
		}

		// Altegio's shape in, the same shape (and a secret) out.
		r := e.do(req{Method: "POST", Path: path, Auth: owner, Body: map[string]any{
			"urls":   []string{"https://hooks.example.test/a", " https://hooks.example.test/b ", "https://hooks.example.test/a"},
			"active": 1, "record": 1, "client": "1", "visit": true, "master": 1, "salon": 0}})
		expect(t, r, http.StatusOK)
		d = r.Data()
		secret, _ := d["secret"].(string)
		if fmt.Sprint(d["urls"]) != "[https://hooks.example.test/a https://hooks.example.test/b]" || num(d["active"]) != 1 ||
			num(d["record"]) != 1 || num(d["client"]) != 1 || num(d["visit"]) != 1 || num(d["master"]) != 1 ||
			num(d["service"]) != 0 || len(secret) != 64 {
			t.Fatalf("saved: %s", r.Body)
		}
		last := -1
		for _, k := range []string{"urls", "active", "salon", "service_category", "service", "good", "master", "client", "record",
			"goods_operations_sale", "finances_operation", "self_sending", "visit", "secret"} {
			i := bytes.Index(r.Body, []byte(`"`+k+`":`))
			if i < last {
				t.Fatalf("%s is out of Altegio's order: %s", k, r.Body)
			}
			last = i
		}
		if fmt.Sprint(get()) != fmt.Sprint(d) {
			t.Fatalf("GET answers %v after saving %v", get(), d)
		}
		// Absent flags keep their values; the secret stays unless one is sent.
		r = e.do(req{Method: "POST", Path: path, Auth: owner, Body: map[string]any{"urls": []string{}, "active": 0, "record": 0}})
		expect(t, r, http.StatusOK)
		d = r.Data()
		if num(d["record"]) != 0 || num(d["client"]) != 1 || num(d["active"]) != 0 || d["secret"] != secret || fmt.Sprint(d["urls"]) != "[]" {
			t.Fatalf("partial save: %s", r.Body)
		}
		r = e.do(req{Method: "POST", Path: path, Auth: owner, Body: map[string]any{"urls": []string{}, "active": 0,
			"secret": "my-own-secret-of-some-length"}})
		expect(t, r, http.StatusOK)
		if r.Data()["secret"] != "my-own-secret-of-some-length" {
			t.Fatalf("secret not replaced: %s", r.Body)
		}
	})
}

// deliveryList is the location's deliveries, oldest first.
func deliveryList(t *testing.T, e *env, auth string) []map[string]any {
	t.Helper()
	r := e.do(req{Method: "GET", Path: fmt.Sprintf("/hooks_settings/%d/deliveries?state=pending,failed,delivered&count=200", e.locA), Auth: auth})
	expect(t, r, http.StatusOK)
	list := r.List()
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

// TestHookPayloadsAreTheAPIsObjects: with no worker running, every change
// queues one pending delivery per subscribed URL whose data is the object
// the API answers for that resource; refused requests queue nothing.
func TestHookPayloadsAreTheAPIsObjects(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		owner := e.userAuth(tok)
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/hooks_settings/%d", e.locA), Auth: owner, Body: map[string]any{
			"urls": []string{"https://hooks.example.test/in"}, "active": 1, "record": 1, "client": 1, "visit": 1}}), 200)
		seen := 0
		// next returns the deliveries queued since the last call.
		next := func() []map[string]any {
			t.Helper()
			list := deliveryList(t, e, owner)
			out := list[seen:]
			seen = len(list)
			return out
		}
		same := func(what string, payload map[string]any, data any) {
			t.Helper()
			a, _ := json.Marshal(payload["data"])
			b, _ := json.Marshal(data)
			if !bytes.Equal(a, b) {
				t.Fatalf("%s: the payload's data differs from the API's answer:\npayload %s\nanswer  %s", what, a, b)
			}
		}
		one := func(what, resource, status string, id int64) map[string]any {
			t.Helper()
			got := next()
			if len(got) != 1 {
				t.Fatalf("%s: %d deliveries queued, want 1: %v", what, len(got), got)
			}
			d := got[0]
			p, _ := d["payload"].(map[string]any)
			if d["state"] != "pending" || d["url"] != "https://hooks.example.test/in" || len(fmt.Sprint(d["delivery_id"])) != 36 ||
				num(p["company_id"]) != e.locA || p["resource"] != resource || p["status"] != status || num(p["resource_id"]) != id ||
				d["resource"] != resource || d["status"] != status || num(d["resource_id"]) != id {
				t.Fatalf("%s: delivery %v", what, d)
			}
			return p
		}

		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: owner,
			Body: map[string]any{"name": "Hooked", "phone": "+79995550101", "comment": "new"}})
		expect(t, r, 201)
		client := r.Data()
		same("client create", one("client create", "client", "create", num(client["id"])), client)

		anna, haircut := demoIDs(t, e, tok, "Anna Smirnova", "Women's haircut")
		day := bookingDay()
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: owner, Body: map[string]any{
			"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "client_id": num(client["id"]),
			"datetime": day + "T11:00:00"}})
		expect(t, r, 201)
		rec := r.Data()
		id := num(rec["id"])
		same("record create", one("record create", "record", "create", id), rec)

		// A new client made by the booking is a client event too.
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: owner, Body: map[string]any{
			"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "datetime": day + "T16:00:00",
			"client": map[string]any{"name": "Walk In", "phone": "+79995550102"}}})
		expect(t, r, 201)
		walkIn := num(r.Data()["id"])
		if got := next(); len(got) != 2 || got[0]["resource"] != "client" || got[1]["resource"] != "record" {
			t.Fatalf("booking a new client queued %v", got)
		}

		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: owner, Body: map[string]any{"comment": "moved"}})
		expect(t, r, 201)
		same("record update", one("record update", "record", "update", id), r.Data())

		// A visit edit: the visit, then each of its appointments.
		visit := num(rec["visit_id"])
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/visits/%d/%d", visit, id), Auth: owner,
			Body: map[string]any{"attendance": 1, "comment": "arrived"}}), 200)
		got := next()
		if len(got) != 2 || got[0]["resource"] != "visit" || got[1]["resource"] != "record" || num(got[0]["resource_id"]) != visit {
			t.Fatalf("visit edit queued %v", got)
		}
		same("visit update", got[0]["payload"].(map[string]any), e.do(req{Method: "GET", Path: fmt.Sprintf("/visits/%d", visit), Auth: owner}).Data())
		answer := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: owner}).Data()
		delete(answer, "comer_person_info") // GET /record only
		same("record after visit edit", got[1]["payload"].(map[string]any), answer)

		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/client/%d/%d", e.locA, num(client["id"])), Auth: owner, Body: map[string]any{"comment": "regular"}})
		expect(t, r, 200)
		same("client update", one("client update", "client", "update", num(client["id"])), r.Data())

		// Refused requests queue nothing.
		for _, c := range []req{
			{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Body: map[string]any{"staff_id": anna,
				"services": []map[string]any{{"id": haircut}}, "client_id": num(client["id"]), "datetime": day + "T11:30:00"}}, // busy
			{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Body: map[string]any{"staff_id": 999999,
				"services": []map[string]any{{"id": haircut}}, "client": map[string]any{"name": "Nobody", "phone": "+79995550199"},
				"datetime": day + "T12:00:00"}}, // unknown member, new client: the client is rolled back too
			{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Body: map[string]any{"name": "Dup", "phone": "+79995550101"}},
			{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Body: `{"comment": `},
			{Method: "PUT", Path: fmt.Sprintf("/visits/%d/%d", visit, id), Body: map[string]any{"fast_payment": 7}},
			{Method: "DELETE", Path: fmt.Sprintf("/client/%d/%d", e.locA, 999999)},
		} {
			c.Auth = owner
			if r := e.do(c); r.Status < 400 || r.Status > 499 {
				t.Fatalf("%s %s: %d, want a 4xx", c.Method, c.Path, r.Status)
			}
			if got := next(); len(got) != 0 {
				t.Fatalf("refused %s %s queued %v", c.Method, c.Path, got)
			}
		}

		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: owner}), 204)
		deleted := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: owner}).Data()
		if deleted["deleted"] != true {
			t.Fatalf("GET after delete: %v", deleted)
		}
		delete(deleted, "comer_person_info") // GET /record only
		same("record delete", one("record delete", "record", "delete", id), deleted)

		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/client/%d/%d", e.locA, num(client["id"])), Auth: owner}), 204)
		p := one("client delete", "client", "delete", num(client["id"]))
		if data, _ := p["data"].(map[string]any); data["name"] != "Hooked" || data["comment"] != "regular" {
			t.Fatalf("client delete: data %v", p["data"])
		}

		// Unsubscribed entities and other locations queue nothing.
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/hooks_settings/%d", e.locA), Auth: owner, Body: map[string]any{
			"urls": []string{"https://hooks.example.test/in"}, "active": 1, "client": 0}}), 200)
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: owner,
			Body: map[string]any{"name": "Quiet", "phone": "+79995550103"}}), 201)
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locB), Auth: e.userAuth(e.ownerB),
			Body: map[string]any{"name": "Elsewhere", "phone": "+12125550123"}}), 201)
		if got := next(); len(got) != 0 {
			t.Fatalf("unsubscribed changes queued %v", got)
		}
		// Inactive settings queue nothing either.
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/hooks_settings/%d", e.locA), Auth: owner, Body: map[string]any{
			"urls": []string{"https://hooks.example.test/in"}, "active": 0, "record": 1}}), 200)
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, walkIn), Auth: owner,
			Body: map[string]any{"comment": "quiet"}}), 201)
		if got := next(); len(got) != 0 {
			t.Fatalf("inactive settings queued %v", got)
		}
	})
}

// TestHookEventsOfGroupEvents: seats taken, moved with their event and
// deleted with it are record events too.
func TestHookEventsOfGroupEvents(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		owner := e.userAuth(tok)
		anna, haircut := demoIDs(t, e, tok, "Anna Smirnova", "Women's haircut")
		day := bookingDay()
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/activity/%d", e.locA), Auth: owner, Body: map[string]any{
			"date": day + " 21:00", "service_id": haircut, "staff_id": anna, "capacity": 3, "length": 3600, "force": true}})
		expect(t, r, 200)
		act := num(r.Data()["id"])
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/hooks_settings/%d", e.locA), Auth: owner, Body: map[string]any{
			"urls": []string{"https://hooks.example.test/in"}, "active": 1, "record": 1}}), 200)
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: owner, Body: map[string]any{
			"activity_id": act, "client": map[string]any{"name": "Seat Taker", "phone": "+79995550201"}}})
		expect(t, r, 201)
		seat := num(r.Data()["id"])
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/activity/%d/%d", e.locA, act), Auth: owner,
			Body: map[string]any{"date": day + " 21:30", "force": true}}), 200)
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/activity/%d/%d", e.locA, act), Auth: owner}), 202)
		var got []string
		for _, d := range deliveryList(t, e, owner) {
			if num(d["resource_id"]) != seat || d["resource"] != "record" {
				t.Fatalf("unexpected delivery %v", d)
			}
			got = append(got, fmt.Sprint(d["status"]))
		}
		if strings.Join(got, " ") != "create update delete" {
			t.Fatalf("seat events: %v", got)
		}
	})
}

// TestHooksSettingsRefuseInternalAddresses: a URL whose host is a
// loopback, private, own-interface or other special-purpose address is a
// 422 naming it, and nothing is stored; with --webhook-allow-loopback
// (HookAllowLocal) loopback, private and own addresses are saved, the
// other special-purpose ranges are still refused.
func TestHooksSettingsRefuseInternalAddresses(t *testing.T) {
	var own netip.Addr
	for _, a := range netguard.OwnAddrs() {
		if a.Is4() && !a.IsLoopback() {
			own = a
			break
		}
	}
	if !own.IsValid() {
		t.Skip("this machine has no non-loopback IPv4 interface address")
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(own.String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	receiver := httptest.NewUnstartedServer(http.NotFoundHandler())
	receiver.Listener.Close()
	receiver.Listener = ln
	receiver.Start()
	defer receiver.Close()
	ownURL := receiver.URL + "/hook"

	always := []string{"http://198.18.0.1/x", "http://192.0.2.1/x", "https://169.254.169.254/latest", "http://[fe80::1]/x",
		"http://0.0.0.0:8080/", "http://[64:ff9b::a9fe:a9fe]/x", "http://255.255.255.255/"}
	local := []string{ownURL, "http://[::ffff:127.0.0.1]/x", "http://127.0.0.1:9/x", "http://localhost:8080/x",
		"http://api.localhost./x", "http://10.0.0.1/x", "http://[::1]:80/"}
	try := func(t *testing.T, e *env, url string, status int, msg string) {
		t.Helper()
		owner := e.userAuth(e.login(demo.OwnerLogin, demo.Password))
		path := fmt.Sprintf("/hooks_settings/%d", e.locA)
		before := e.do(req{Method: "GET", Path: path, Auth: owner}).Body
		r := e.do(req{Method: "POST", Path: path, Auth: owner,
			Body: map[string]any{"urls": []string{"https://hooks.example.test/ok", url}, "active": 1}})
		if status == http.StatusOK {
			expect(t, r, status)
			return
		}
		expectError(t, r, status, fmt.Sprintf("%q: refused: ", url))
		expectError(t, r, status, msg)
		if after := e.do(req{Method: "GET", Path: path, Auth: owner}).Body; !bytes.Equal(after, before) {
			t.Fatalf("a refused save of %s changed the settings: %s", url, after)
		}
	}
	t.Run("default", func(t *testing.T) {
		eachEngine(t, func(t *testing.T, e *env) {
			for _, u := range always {
				try(t, e, u, 422, "special-purpose address")
			}
			try(t, e, ownURL, 422, own.String()+" is this host's own address")
			for _, u := range local[1:] {
				try(t, e, u, 422, "--webhook-allow-loopback")
			}
		})
	})
	t.Run("allow-loopback", func(t *testing.T) {
		eachEngineWith(t, booking.Options{HookAllowLocal: true}, func(t *testing.T, e *env) {
			for _, u := range always {
				try(t, e, u, 422, "special-purpose address")
			}
			for _, u := range local {
				try(t, e, u, 200, "")
			}
		})
	})
}
