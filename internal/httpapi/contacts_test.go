package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"appointd/internal/demo"
)

// clientContact is a client's phone and e-mail, with the masked forms a caller
// without client_phones_access must get instead.
type clientContact struct {
	phone, email             string
	maskedPhone, maskedEmail string
}

// TestClientContactsNeedTheRight: every answer that carries a client's phone
// or e-mail shows it to the owner and only masked to the demo worker (no
// client_phones_access), anywhere in the body; webhook payloads stay full.
// A new route that shows clients is one more entry of routes.
func TestClientContactsNeedTheRight(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ownerTok := e.login(demo.OwnerLogin, demo.Password)
		workerTok := e.login(demo.WorkerLogin, demo.Password)
		owner := e.userAuth(ownerTok)
		expect(t, e.do(req{Method: "POST", Path: fmt.Sprintf("/hooks_settings/%d", e.locA), Auth: owner, Body: map[string]any{
			"urls": []string{"https://hooks.example.test/in"}, "active": 1, "record": 1, "client": 1, "visit": 1}}), 200)

		main := clientContact{"+79161234567", "anna.contact@mail.ru", "+7********67", "a***@mail.ru"}
		// Clients created by a route's own request, one per caller.
		made := []clientContact{
			{"+79261112200", "worker.made@example.org", "+7********00", "w***@example.org"},
			{"+79261112201", "owner.made@example.org", "+7********01", "o***@example.org"},
			{"+79261112210", "worker.bulk@example.org", "+7********10", "w***@example.org"},
			{"+79261112211", "owner.bulk@example.org", "+7********11", "o***@example.org"},
			{"+79261112220", "", "+7********20", ""},
			{"+79261112221", "", "+7********21", ""},
		}
		known := append([]clientContact{main}, made...)

		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: owner,
			Body: map[string]any{"name": "Contact Test", "phone": main.phone, "email": main.email}})
		expect(t, r, http.StatusCreated)
		client := num(r.Data()["id"])
		anna, haircut := demoIDs(t, e, ownerTok, "Anna Smirnova", "Women's haircut")
		day := bookingDay()
		r = e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: owner, Body: map[string]any{
			"staff_id": anna, "save_if_busy": true, "services": []map[string]any{{"id": haircut}}, "client_id": client, "datetime": day + "T10:00:00"}})
		expect(t, r, http.StatusCreated)
		record, visit := num(r.Data()["id"]), num(r.Data()["visit_id"])

		// who: 0 the worker, 1 the owner.
		get := func(path string) func(tok string, who int) (resp, clientContact) {
			return func(tok string, who int) (resp, clientContact) {
				return e.do(req{Method: "GET", Path: path, Auth: e.userAuth(tok)}), main
			}
		}
		routes := []struct {
			name string
			call func(tok string, who int) (resp, clientContact)
		}{
			{"GET /clients", get(fmt.Sprintf("/clients/%d?id=%d", e.locA, client))},
			{"GET /client", get(fmt.Sprintf("/client/%d/%d", e.locA, client))},
			{"POST clients/search by the full phone", func(tok string, who int) (resp, clientContact) {
				return e.do(req{Method: "POST", Path: fmt.Sprintf("/company/%d/clients/search", e.locA), Auth: e.userAuth(tok),
					Body: map[string]any{"filters": []map[string]any{{"type": "quick_search", "state": map[string]any{"value": main.phone}}}}}), main
			}},
			{"PUT /client", func(tok string, who int) (resp, clientContact) {
				return e.do(req{Method: "PUT", Path: fmt.Sprintf("/client/%d/%d", e.locA, client), Auth: e.userAuth(tok),
					Body: map[string]any{"comment": fmt.Sprintf("edited by %d", who)}}), main
			}},
			{"POST /clients", func(tok string, who int) (resp, clientContact) {
				c := made[who]
				return e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d", e.locA), Auth: e.userAuth(tok),
					Body: map[string]any{"name": "Made", "phone": c.phone, "email": c.email}}), c
			}},
			{"POST /clients/bulk", func(tok string, who int) (resp, clientContact) {
				c := made[2+who]
				return e.do(req{Method: "POST", Path: fmt.Sprintf("/clients/%d/bulk", e.locA), Auth: e.userAuth(tok),
					Body: []map[string]any{{"name": "Bulk", "phone": c.phone, "email": c.email}}}), c
			}},
			{"GET /records", get(fmt.Sprintf("/records/%d?start_date=%s&end_date=%s", e.locA, day, day))},
			{"GET /records/partner", get("/records/partner")},
			{"GET /record", get(fmt.Sprintf("/record/%d/%d", e.locA, record))},
			{"POST /records", func(tok string, who int) (resp, clientContact) {
				return e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(tok), Body: map[string]any{
					"staff_id": anna, "save_if_busy": true, "services": []map[string]any{{"id": haircut}}, "client_id": client,
					"datetime": fmt.Sprintf("%sT%d:00:00", day, 14+who)}}), main
			}},
			{"POST /records with a new client", func(tok string, who int) (resp, clientContact) {
				c := made[4+who]
				return e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(tok), Body: map[string]any{
					"staff_id": anna, "save_if_busy": true, "services": []map[string]any{{"id": haircut}}, "client": map[string]any{"name": "Walk In", "phone": c.phone},
					"datetime": fmt.Sprintf("%sT%d:00:00", day, 16+who)}}), c
			}},
			{"PUT /record", func(tok string, who int) (resp, clientContact) {
				return e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, record), Auth: e.userAuth(tok),
					Body: map[string]any{"comment": fmt.Sprintf("record edited by %d", who)}}), main
			}},
			{"GET /visits", get(fmt.Sprintf("/visits/%d", visit))},
			{"GET /visit/details (no contacts)", func(tok string, who int) (resp, clientContact) {
				return e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, record, visit), Auth: e.userAuth(tok)}), clientContact{}
			}},
			{"PUT /visits (no contacts)", func(tok string, who int) (resp, clientContact) {
				return e.do(req{Method: "PUT", Path: fmt.Sprintf("/visits/%d/%d", visit, record), Auth: e.userAuth(tok),
					Body: map[string]any{"comment": fmt.Sprintf("visit edited by %d", who)}}), clientContact{}
			}},
			{"GET receipt_print (PDF text)", func(tok string, who int) (resp, clientContact) {
				r := e.do(req{Method: "GET", Path: fmt.Sprintf("/attendance/receipt_print/%d", visit), Auth: e.userAuth(tok)})
				if r.Status == http.StatusOK {
					r.Body = []byte(pdfText(t, r.Body))
				}
				return r, clientContact{phone: main.phone, maskedPhone: main.maskedPhone} // the receipt shows no e-mail
			}},
		}
		for _, rt := range routes {
			for who, tok := range []string{workerTok, ownerTok} {
				r, want := rt.call(tok, who)
				if r.Status < 200 || r.Status > 299 {
					t.Errorf("%s (caller %d): %d %s", rt.name, who, r.Status, truncate(r.Body))
					continue
				}
				// want.phone "" is an answer without contacts: only checked for leaks.
				body := string(r.Body)
				if who == 1 {
					if !strings.Contains(body, want.phone) || !strings.Contains(body, want.email) {
						t.Errorf("%s: the owner's answer lacks %s / %s: %s", rt.name, want.phone, want.email, truncate(r.Body))
					}
					continue
				}
				for _, k := range known {
					if strings.Contains(body, strings.TrimPrefix(k.phone, "+")) || (k.email != "" && strings.Contains(body, k.email)) {
						t.Errorf("%s: the worker's answer shows %s / %s: %s", rt.name, k.phone, k.email, truncate(r.Body))
					}
				}
				if want.phone != "" && (!strings.Contains(body, want.maskedPhone) || !strings.Contains(body, want.maskedEmail)) {
					t.Errorf("%s: the worker's answer lacks the masked %s / %s: %s", rt.name, want.maskedPhone, want.maskedEmail, truncate(r.Body))
				}
			}
		}

		// A worker who sends the masked contacts back changes neither.
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/client/%d/%d", e.locA, client), Auth: e.userAuth(workerTok),
			Body: map[string]any{"name": "Contact Test", "phone": main.maskedPhone, "email": main.maskedEmail}}), 200)
		got := e.do(req{Method: "GET", Path: fmt.Sprintf("/client/%d/%d", e.locA, client), Auth: owner}).Data()
		if got["phone"] != main.phone || got["email"] != main.email {
			t.Errorf("the masked contacts sent back changed the client: %v %v", got["phone"], got["email"])
		}

		// The business's own receiver gets the full contacts, also for the
		// worker's changes.
		var full, total int
		for _, d := range deliveryList(t, e, owner) {
			p := fmt.Sprint(d["payload"])
			if !strings.Contains(p, "Contact Test") {
				continue
			}
			total++
			if strings.Contains(p, main.phone) && strings.Contains(p, main.email) && !strings.Contains(p, main.maskedPhone) {
				full++
			}
		}
		if total < 8 || full != total {
			t.Errorf("%d of %d webhook payloads about the client carry its full contacts", full, total)
		}

		// A member who may read the deliveries but not clients' contacts
		// sees each delivery without its payload.
		workerID := e.userID(ownerTok, e.locA, "Demo Worker")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: owner,
			Body: map[string]any{"user_permissions": []map[string]any{{"slug": "settings_access", "value": true}}}}), 200)
		seen := deliveryList(t, e, e.userAuth(workerTok))
		if len(seen) < total {
			t.Fatalf("the worker with settings_access lists %d deliveries, want at least %d", len(seen), total)
		}
		for _, d := range seen {
			if p, ok := d["payload"]; !ok || p != nil {
				t.Fatalf("a delivery's payload shown to a member without client_phones_access: %v", p)
			}
		}
	})
}
