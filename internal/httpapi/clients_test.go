package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"appointd/internal/demo"
)

func TestClientLifecycle(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(worker), Body: map[string]any{
			"name": "Ольга", "surname": "Иванова", "patronymic": "Петровна", "phone": "+7 (926) 555-12-34",
			"email": "olga@example.test", "sex_id": "2", "importance_id": 3, "discount": "15", "birth_date": "1990-05-17",
			"sms_check": 1, "spent": "1200.50", "categories": []any{"7", 9}, "custom_fields": map[string]any{"vip": true}}})
		expect(t, r, http.StatusCreated)
		d := r.Data()
		id := num(d["id"])
		// The worker lacks client_phones_access: contacts come masked.
		if d["phone"] != "+7********34" || d["email"] != "o***@example.test" || d["middle_name"] != "Петровна" || num(d["gender_id"]) != 2 || d["gender"] != "Female" ||
			d["importance"] != "Gold" || num(d["discount"]) != 15 || d["birth_date"] != "1990-05-17" || d["spent"] != 1200.5 ||
			num(d["sms_check"]) != 1 || len(d["categories"].([]any)) != 2 || !strings.HasSuffix(d["last_change_date"].(string), "+0300") {
			t.Fatalf("created: %s", r.Body)
		}
		path := fmt.Sprintf("/client/%d/%d", e.locA, id)
		r = e.do(req{Method: "GET", Path: path, Auth: e.userAuth(worker)})
		if r.Status != 200 || r.Data()["name"] != "Ольга" {
			t.Fatalf("get: %s", r.Body)
		}
		if r = e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}); r.Data()["phone"] != "+79265551234" || r.Data()["email"] != "olga@example.test" {
			t.Fatalf("the owner's get: %s", r.Body)
		}
		// A partial PUT keeps the rest; tags come as labels.
		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: map[string]any{"comment": "prefers mornings", "labels": []int{3}}})
		expect(t, r, 200)
		if r.Data()["comment"] != "prefers mornings" || r.Data()["email"] != "o***@example.test" || len(r.Data()["categories"].([]any)) != 1 {
			t.Fatalf("partial PUT: %s", r.Body)
		}
		// Bad input: 422 naming the field; nothing changes.
		before := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Body
		for field, body := range map[string]map[string]any{
			"phone":      {"phone": "+7 926 abc"},
			"discount":   {"discount": 120},
			"birth_date": {"birth_date": "17.05.3000"},
			"email":      {"email": "not-an-email"},
			"gender_id":  {"gender_id": 5},
			"name":       {"name": ""},
		} {
			r := e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: body})
			expect(t, r, 422)
			if !strings.Contains(string(r.Body), `"field":"`+field+`"`) {
				t.Errorf("%v does not name %s: %s", body, field, r.Body)
			}
		}
		expect(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(worker), Body: `{"discount": "lots"}`}), 422)
		if after := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Body; string(after) != string(before) {
			t.Fatal("refused PUTs changed the client")
		}
		// One client per phone, compared on digits.
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(worker), Body: map[string]any{"name": "Twin", "phone": "79265551234"}})
		expectError(t, r, 422, "already exists")
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(worker), Body: map[string]any{"name": "No phone"}}), 422)
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(worker), Body: map[string]any{"name": "Short", "phone": "12345"}}), 422)
		// The same phone in another location is another client.
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locB), Auth: e.userAuth(e.ownerB), Body: map[string]any{"name": "Olga B", "phone": "+79265551234"}}), 201)
		// Other location and permissions.
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/client/%d/%d", e.locB, id), Auth: e.userAuth(e.ownerB)}), 404)
		expect(t, e.do(req{Method: "GET", Path: path, Auth: e.userAuth(e.ownerB)}), 404)
		expectError(t, e.do(req{Method: "DELETE", Path: path, Auth: e.userAuth(worker)}), 403, "Access denied.")
		// Delete frees the phone.
		expect(t, e.do(req{Method: "DELETE", Path: path, Auth: e.userAuth(owner)}), 204)
		expect(t, e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}), 404)
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(worker), Body: map[string]any{"name": "Olga again", "phone": "+79265551234"}}), 201)
	})
}

func TestClientListsAndSearch(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password) // sees phones: the searches check them
		// The demo seeds DemoClients clients with phones +7916000000N.
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/clients/%d?page=2&count=50", e.locA), Auth: e.userAuth(tok)})
		expect(t, r, 200)
		if len(r.List()) != 50 || num(r.Meta()["total_count"]) != demo.DemoClients || num(r.Meta()["page"]) != 2 {
			t.Fatalf("page 2: %d items, meta %v", len(r.List()), r.Meta())
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/clients/%d?phone=79160000007", e.locA), Auth: e.userAuth(tok)})
		if len(r.List()) != 1 || r.List()[0]["phone"] != "+79160000007" {
			t.Fatalf("by phone: %s", truncate(r.Body))
		}
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/clients/%d?fullname=АННА", e.locA), Auth: e.userAuth(tok)})
		if n := num(r.Meta()["total_count"]); n == 0 || n != int64(len(r.List())) {
			t.Fatalf("Cyrillic fullname, case-insensitive: %s", truncate(r.Body))
		}
		for _, c := range r.List() {
			if c["name"] != "Анна" {
				t.Fatalf("fullname=АННА matched %v", c["name"])
			}
		}
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/clients/%d?changed_after=2000-01-01T00:00:00", e.locA), Auth: e.userAuth(tok)}), 200)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/clients/%d?changed_after=yesterday", e.locA), Auth: e.userAuth(tok)}), 422)

		search := fmt.Sprintf("/company/%d/clients/search", e.locA)
		r = e.do(req{Method: "POST", Path: search, Auth: e.userAuth(tok), Body: map[string]any{
			"page": 1, "page_size": 5, "fields": []string{"id", "name", "phone"}, "order_by": "phone", "order_by_direction": "desc",
			"filters": []map[string]any{{"type": "quick_search", "state": map[string]any{"value": "9160000"}}}}})
		expect(t, r, 200)
		if len(r.List()) != 5 || num(r.Meta()["total_count"]) != demo.DemoClients {
			t.Fatalf("search: %s", truncate(r.Body))
		}
		first := r.List()[0]
		if first["phone"] != fmt.Sprintf("+7916%07d", demo.DemoClients-1) || len(first) != 3 {
			t.Fatalf("order desc / fields: %v", first)
		}
		r = e.do(req{Method: "POST", Path: search, Auth: e.userAuth(tok), Body: map[string]any{
			"filters": []map[string]any{{"type": "quick_search", "state": map[string]any{"value": "client3@"}}}}})
		if num(r.Meta()["total_count"]) != 1 {
			t.Fatalf("search by e-mail: %s", truncate(r.Body))
		}
		r = e.do(req{Method: "POST", Path: search, Auth: e.userAuth(tok), Body: map[string]any{
			"filters": []map[string]any{{"type": "unheard_of", "state": map[string]any{}}}}})
		expect(t, r, http.StatusBadRequest)
		if r.Message() != "Invalid filter value" {
			t.Fatalf("filter error: %s", r.Body)
		}
		expect(t, e.do(req{Method: "POST", Path: search, Auth: e.userAuth(tok), Body: map[string]any{"page_size": 201}}), 422)
		expect(t, e.do(req{Method: "POST", Path: search, Auth: e.userAuth(e.ownerB), Body: map[string]any{}}), 404)
	})
}

func TestClientBulk(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d/bulk", e.locA), Auth: e.userAuth(tok), Body: []map[string]any{
			{"name": "Bulk One", "phone": "+15550000001"},
			{"name": "Bulk Two", "phone": "15550000002"},
			{"name": "Dup In Request", "phone": "+1 555 000 0002"},
			{"name": "Existing", "phone": "+79160000001"},
			{"name": "", "phone": "+15550000009"},
			{"name": "Bad Phone", "phone": "12"},
		}})
		expect(t, r, 200)
		created, _ := r.Data()["created"].([]any)
		errs, _ := r.Data()["errors"].([]any)
		if len(created) != 2 || len(errs) != 4 {
			t.Fatalf("bulk: %s", r.Body)
		}
		if !strings.Contains(fmt.Sprint(errs), "already exists") || !strings.Contains(fmt.Sprint(errs), "Client name not specified") {
			t.Fatalf("bulk errors: %v", errs)
		}
	})
}

// TestConcurrentClientCreate: one phone, 20 requests at once, one client.
func TestConcurrentClientCreate(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		var wg sync.WaitGroup
		codes := make(chan int, 20)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(tok),
					Body: map[string]any{"name": fmt.Sprintf("Racer %d", i), "phone": "+44 7700 900123"}, NoValidate: true})
				codes <- r.Status
			}(i)
		}
		wg.Wait()
		close(codes)
		got := map[int]int{}
		for c := range codes {
			got[c]++
		}
		if got[201] != 1 || got[422] != 19 {
			t.Fatalf("statuses %v, want one 201 and 19 422", got)
		}
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/clients/%d?phone=447700900123", e.locA), Auth: e.userAuth(tok)})
		if num(r.Meta()["total_count"]) != 1 {
			t.Fatalf("clients with the phone: %s", r.Body)
		}
	})
}

// TestConcurrentBulkCreate: bulk creates with overlapping phones race; on
// PostgreSQL a unique violation used to abort the whole transaction (500).
// Every request answers 200, a collision is a per-row error, and every
// phone exists exactly once.
func TestConcurrentBulkCreate(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		const rounds, racers, phones = 10, 4, 6
		for round := 0; round < rounds; round++ {
			var wg sync.WaitGroup
			res := make([]resp, racers)
			for i := 0; i < racers; i++ {
				// Each racer sends the same phones in another order, so each
				// meets the others' rows mid-request.
				var rows []map[string]any
				for k := 0; k < phones; k++ {
					p := (k + i*2) % phones
					rows = append(rows, map[string]any{"name": fmt.Sprintf("Racer %d", i), "phone": fmt.Sprintf("+1555%03d%04d", round, p)})
				}
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					res[i] = e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d/bulk", e.locA), Auth: e.userAuth(tok), Body: rows})
				}(i)
			}
			wg.Wait()
			created := 0
			for _, r := range res {
				expect(t, r, 200)
				c, _ := r.Data()["created"].([]any)
				errs, _ := r.Data()["errors"].([]any)
				if len(c)+len(errs) != phones {
					t.Fatalf("round %d: %d created + %d errors, want %d rows: %s", round, len(c), len(errs), phones, r.Body)
				}
				created += len(c)
			}
			if created != phones {
				t.Fatalf("round %d: %d clients created, want %d", round, created, phones)
			}
			for p := 0; p < phones; p++ {
				r := e.do(req{Method: "POST", Path: fmt.Sprintf("/company/%d/clients/search", e.locA), Auth: e.userAuth(tok),
					Body: map[string]any{"filters": []map[string]any{{"type": "quick_search", "state": map[string]any{"value": fmt.Sprintf("1555%03d%04d", round, p)}}}}})
				expect(t, r, 200)
				if n := len(r.JSON["data"].([]any)); n != 1 {
					t.Fatalf("round %d phone %d: %d clients", round, p, n)
				}
			}
		}
	})
}
