package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// documentSample is the documents item of the documented appointment
// object (4.2), with is_sale_bill_printed from its field list.
const documentSample = `{"id":8172893,"type_id":7,"storage_id":0,"user_id":746310,"company_id":4564,"number":4163,"comment":"",
	"date_created":"2026-09-21T23:00:00.000-05:00","category_id":0,"visit_id":3,"record_id":2,"type_title":"Visit",
	"is_sale_bill_printed":false}`

// financeSample is a finance transaction as the documented field list
// (4.2, 5.2) describes it.
const financeSample = `{"id":1,"document_id":8172893,"date":"2026-01-17T19:41:44-0500","type_id":5,"expense_id":5,"account_id":23322,
	"amount":100,"client_id":18936825,"master_id":9,"supplier_id":0,"comment":"","item_id":0,"target_type_id":0,"record_id":2,
	"goods_transaction_id":0,"expense":{"id":5,"title":"Provision of services"},"account":{"id":23322,"title":"Cash"},
	"client":{"id":18936825,"name":"lx","phone":"+13155550175"},"master":[],"supplier":[]}`

func objects(v any) []map[string]any {
	arr, _ := v.([]any)
	out := make([]map[string]any, len(arr))
	for i, x := range arr {
		out[i], _ = x.(map[string]any)
	}
	return out
}

func TestVisitDocumentAndFinanceTransactions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newVisitFixture(t, e)
		record := func(id int64, query string) map[string]any {
			r := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d%s", e.locA, id, query), Auth: e.userAuth(f.owner)})
			expect(t, r, 200)
			return r.Data()
		}

		// Both appointments list the visit's one document, each under its own id.
		var docID int64
		for _, id := range []int64{f.haircut, f.manicure} {
			docs := objects(record(id, "")["documents"])
			if len(docs) != 1 {
				t.Fatalf("appointment %d documents: %v", id, docs)
			}
			d := docs[0]
			assertShape(t, "document", documentSample, d)
			if num(d["type_id"]) != 7 || d["type_title"] != "Visit" || num(d["visit_id"]) != f.visit || num(d["record_id"]) != id ||
				num(d["company_id"]) != e.locA || num(d["number"]) != num(d["id"]) || num(d["user_id"]) == 0 {
				t.Fatalf("appointment %d document: %v", id, d)
			}
			if docID != 0 && num(d["id"]) != docID {
				t.Fatalf("two documents for one visit: %d and %v", docID, d["id"])
			}
			docID = num(d["id"])
		}

		// 1000 by card through the manicure: the payment names the document.
		r := f.edit(e, f.owner, f.manicure, map[string]any{"new_transactions": []map[string]any{{"amount": 1000, "account_id": f.card}}})
		expect(t, r, 200)
		pays := objects(r.Data()["payment_transactions"])
		if len(pays) != 1 || num(pays[0]["document_id"]) != docID {
			t.Fatalf("payment document_id: %s (document %d)", truncate(r.Body), docID)
		}

		// The list shows it on the manicure only, with consumables empty.
		list := e.do(req{Method: "GET", Path: fmt.Sprintf("/records/%d?include_finance_transactions=1&include_consumables=1", e.locA),
			Auth: e.userAuth(f.owner)})
		expect(t, list, 200)
		seen := 0
		for _, a := range list.List() {
			fin := objects(a["finance_transactions"])
			if cons, ok := a["consumables"].([]any); !ok || len(cons) != 0 {
				t.Fatalf("consumables: %v", a["consumables"])
			}
			switch num(a["id"]) {
			case f.haircut:
				seen++
				if len(fin) != 0 {
					t.Fatalf("haircut finance_transactions: %v", fin)
				}
			case f.manicure:
				seen++
				if len(fin) != 1 {
					t.Fatalf("manicure finance_transactions: %v", fin)
				}
				assertShape(t, "finance_transaction", financeSample, fin[0])
				p := fin[0]
				if num(p["document_id"]) != docID || num(p["record_id"]) != f.manicure || p["amount"] != 1000.0 ||
					num(p["account_id"]) != f.card || p["account"].(map[string]any)["title"] == "" {
					t.Fatalf("manicure finance transaction: %v", p)
				}
			}
		}
		if seen != 2 {
			t.Fatalf("the list has %d of the visit's appointments", seen)
		}
		if _, ok := list.List()[0]["finance_transactions"]; !ok {
			t.Fatal("finance_transactions missing")
		}
		plain := e.do(req{Method: "GET", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(f.owner)})
		if _, ok := plain.List()[0]["finance_transactions"]; ok {
			t.Fatal("finance_transactions without include_finance_transactions")
		}

		// One appointment, read and edited, with the flags.
		if fin := objects(record(f.manicure, "?include_finance_transactions=1")["finance_transactions"]); len(fin) != 1 || num(fin[0]["document_id"]) != docID {
			t.Fatalf("GET one with finance: %v", fin)
		}
		path := fmt.Sprintf("/record/%d/%d", e.locA, f.manicure)
		r = e.do(req{Method: "PUT", Path: path + "?include_finance_transactions=1&include_consumables=1", Auth: e.userAuth(f.owner),
			Body: map[string]any{"comment": "edited"}})
		expect(t, r, http.StatusCreated)
		if fin := objects(r.Data()["finance_transactions"]); len(fin) != 1 || r.Data()["consumables"] == nil {
			t.Fatalf("PUT with flags: %s", truncate(r.Body))
		}

		// A bad flag is a 422 and the edit does not happen.
		expectError(t, e.do(req{Method: "PUT", Path: path + "?include_finance_transactions=yes", Auth: e.userAuth(f.owner),
			Body: map[string]any{"comment": "not saved"}}), 422, "include_finance_transactions must be 0 or 1")
		if c := record(f.manicure, "")["comment"]; c != "edited" {
			t.Fatalf("a refused edit changed the comment to %v", c)
		}
	})
}

// TestVisitStatusFollowsAppointments: the visit's status is recomputed
// from its appointments whenever one changes, joins or leaves.
func TestVisitStatusFollowsAppointments(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newVisitFixture(t, e)
		status := func(id int64) int64 {
			t.Helper()
			r := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(f.owner)})
			expect(t, r, 200)
			return num(r.Data()["visit_attendance"])
		}
		set := func(id, attendance int64) {
			t.Helper()
			expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(f.owner),
				Body: map[string]any{"attendance": attendance}}), http.StatusCreated)
		}
		want := func(step string, v int64) {
			t.Helper()
			for _, id := range []int64{f.haircut, f.manicure} {
				if got := status(id); got != v {
					t.Fatalf("%s: appointment %d visit_attendance %d, want %d", step, id, got, v)
				}
			}
			vis := e.do(req{Method: "GET", Path: fmt.Sprintf("/visits/%d", f.visit), Auth: e.userAuth(f.owner)}).Data()
			if num(vis["attendance"]) != v {
				t.Fatalf("%s: visit attendance %v, want %d", step, vis["attendance"], v)
			}
		}

		set(f.haircut, 1)
		want("one arrived", 1)
		set(f.haircut, 0)
		set(f.manicure, -1)
		want("one waiting, one no-show", 0)
		set(f.haircut, -1)
		want("all no-show", -1)
		set(f.haircut, 2)
		want("confirmed and no-show", 2)

		// A new waiting appointment joins the visit: it is no longer confirmed.
		anna, haircut := demoIDs(t, e, f.owner, "Anna Smirnova", "Women's haircut")
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(f.owner),
			Body: map[string]any{"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "save_if_busy": true,
				"client": map[string]any{"name": "Ольга Смирнова", "phone": "+7 916 555-01-02"}, "datetime": bookingDay() + "T16:00:00"}})
		expect(t, r, http.StatusCreated)
		third := num(r.Data()["id"])
		if num(r.Data()["visit_id"]) != f.visit || num(r.Data()["visit_attendance"]) != 0 {
			t.Fatalf("joining appointment: visit %v, visit_attendance %v", r.Data()["visit_id"], r.Data()["visit_attendance"])
		}
		want("a waiting appointment joined", 0)

		// It leaves again: confirmed once more.
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/record/%d/%d", e.locA, third), Auth: e.userAuth(f.owner)}), http.StatusNoContent)
		want("the waiting appointment deleted", 2)

		// The confirmed haircut moves to another day: the manicure's visit is all no-show.
		days := bookingDays(2)
		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, f.haircut), Auth: e.userAuth(f.owner),
			Body: map[string]any{"datetime": days[1] + "T11:00:00", "save_if_busy": true}})
		expect(t, r, http.StatusCreated)
		if num(r.Data()["visit_id"]) == f.visit || num(r.Data()["visit_attendance"]) != 2 {
			t.Fatalf("moved appointment: visit %v, visit_attendance %v", r.Data()["visit_id"], r.Data()["visit_attendance"])
		}
		if got := status(f.manicure); got != -1 {
			t.Fatalf("the visit the haircut left: visit_attendance %d, want -1", got)
		}

		// Edit Visit's attendance sets the visit and its appointments.
		expect(t, f.edit(e, f.owner, f.manicure, map[string]any{"attendance": 1}), 200)
		if got := status(f.manicure); got != 1 {
			t.Fatalf("after Edit Visit attendance 1: visit_attendance %d", got)
		}
	})
}

// TestVisitStatusRace: Edit Visit (visit, then its appointments) and edits
// of the visit's appointments (appointment, then the visit's status) cross
// on the same rows; every request succeeds and the status ends by the rule.
func TestVisitStatusRace(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		second := newEnv(t, e.engine, e.dsn, bookingDefaults(), false)
		second.partner = e.partner
		f := newVisitFixture(t, e)
		const n = 24
		i := 0
		var mu sync.Mutex
		got := raceAcross(n, e, second, func(srv *env) int {
			mu.Lock()
			i++
			k := i
			mu.Unlock()
			if k%3 == 0 {
				return f.edit(srv, f.owner, f.haircut, map[string]any{"attendance": k % 2}).Status
			}
			id := f.haircut
			if k%3 == 1 {
				id = f.manicure
			}
			return srv.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(f.owner),
				Body: map[string]any{"attendance": 2}}).Status
		})
		if got[200]+got[201] != n {
			t.Fatalf("statuses %v, want only 200 and 201", got)
		}
		var att []int64
		for _, id := range []int64{f.haircut, f.manicure} {
			a := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(f.owner)}).Data()
			att = append(att, num(a["attendance"]), num(a["visit_attendance"]))
		}
		want := int64(0)
		switch {
		case att[0] == 1 || att[2] == 1:
			want = 1
		case att[0] == 2 && att[2] == 2:
			want = 2
		}
		if att[1] != want || att[3] != want {
			t.Fatalf("attendance %d and %d give visit %d, shown %d and %d", att[0], att[2], want, att[1], att[3])
		}
	})
}
