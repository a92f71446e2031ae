package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"appointd/internal/demo"
)

// visitFixture books a Cyrillic client into two appointments of one day:
// Anna's haircut at 11:00 and Vera's manicure (renamed in Cyrillic) at
// 13:00. Both join one visit (D11).
type visitFixture struct {
	owner, worker string
	visit         int64
	haircut       int64 // appointment ids
	manicure      int64
	manicureSvc   int64
	cash, card    int64 // account ids
}

func newVisitFixture(t *testing.T, e *env) visitFixture {
	t.Helper()
	return newVisitFixtureOn(t, e, bookingDay())
}

func newVisitFixtureOn(t *testing.T, e *env, day string) visitFixture {
	t.Helper()
	f := visitFixture{owner: e.login(demo.OwnerLogin, demo.Password), worker: e.login(demo.WorkerLogin, demo.Password)}
	anna, haircut := demoIDs(t, e, f.owner, "Anna Smirnova", "Women's haircut")
	vera, _ := demoIDs(t, e, f.owner, "Vera Popova", "Gel polish")
	manicure := int64(0)
	for _, s := range e.do(req{Method: "GET", Path: fmt.Sprintf("/services/%d", e.locA), Auth: e.userAuth(f.owner)}).List() {
		if s["title"] == "Manicure" || s["title"] == "Маникюр классический" {
			manicure = num(s["id"])
		}
	}
	f.manicureSvc = manicure
	expect(t, e.do(req{Method: "PATCH", Path: fmt.Sprintf("/services/%d/%d", e.locA, manicure), Auth: e.userAuth(f.owner),
		Body: map[string]any{"title": "Маникюр классический"}}), 200)
	book := func(member, service int64, at string) map[string]any {
		r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(f.worker),
			Body: map[string]any{"staff_id": member, "services": []map[string]any{{"id": service}},
				"client": map[string]any{"name": "Ольга Смирнова", "phone": "+7 916 555-01-02"}, "datetime": day + "T" + at}})
		expect(t, r, http.StatusCreated)
		return r.Data()
	}
	a, b := book(anna, haircut, "11:00:00"), book(vera, manicure, "13:00:00+03:00")
	f.haircut, f.manicure, f.visit = num(a["id"]), num(b["id"]), num(a["visit_id"])
	if num(b["visit_id"]) != f.visit || f.visit == 0 {
		t.Fatalf("two appointments of one client and day are not one visit: %v and %v", a["visit_id"], b["visit_id"])
	}
	// The worker takes payments: finances_access on top of the role's rights.
	workerID := e.userID(f.owner, e.locA, "Demo Worker")
	expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: e.userAuth(f.owner),
		Body: map[string]any{"user_permissions": []map[string]any{{"slug": "finances_access", "value": true}}}}), 200)
	for _, acc := range e.do(req{Method: "GET", Path: fmt.Sprintf("/accounts/%d", e.locA), Auth: e.userAuth(f.worker)}).List() {
		switch num(acc["type"]) {
		case 0:
			f.cash = num(acc["id"])
		case 1:
			f.card = num(acc["id"])
		}
	}
	if f.cash == 0 || f.card == 0 {
		t.Fatal("the location has no cash or card account")
	}
	return f
}

func (f visitFixture) edit(e *env, tok string, record int64, body any) resp {
	return e.do(req{Method: "PUT", Path: fmt.Sprintf("/visits/%d/%d", f.visit, record), Auth: e.userAuth(tok), Body: body})
}

func TestVisitAttendanceAndPayments(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newVisitFixture(t, e)

		// GET /visits/{id}: both appointments, full objects with events.
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/visits/%d", f.visit), Auth: e.userAuth(f.worker)})
		expect(t, r, 200)
		v := r.Data()
		recs, _ := v["records"].([]any)
		if len(recs) != 2 || num(v["attendance"]) != 0 || !strings.HasSuffix(v["datetime"].(string), "T11:00:00+03:00") {
			t.Fatalf("visit: %s", truncate(r.Body))
		}

		// Attendance alone is a valid body; it flows to the appointments.
		r = f.edit(e, f.worker, f.haircut, map[string]any{"attendance": "1"})
		expect(t, r, 200)
		for _, id := range []int64{f.haircut, f.manicure} {
			a := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(f.worker)}).Data()
			if num(a["visit_attendance"]) != 1 || num(a["attendance"]) != 1 || num(a["paid_full"]) != 0 {
				t.Fatalf("appointment %d after attendance 1: %v %v %v", id, a["visit_attendance"], a["attendance"], a["paid_full"])
			}
		}

		// Details: one item per service line; nothing paid yet.
		details := fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, f.manicure, f.visit)
		r = e.do(req{Method: "GET", Path: details, Auth: e.userAuth(f.worker)})
		expect(t, r, 200)
		items, _ := r.Data()["items"].([]any)
		if len(items) != 2 || len(r.Data()["payment_transactions"].([]any)) != 0 {
			t.Fatalf("details: %s", truncate(r.Body))
		}
		if it := items[1].(map[string]any); it["item_title"] != "Маникюр классический" || num(it["record_id"]) != f.manicure ||
			it["cost"] != 1800.0 || it["is_service"] != true || num(it["item_type_id"]) != 1 {
			t.Fatalf("manicure item: %v", it)
		}

		// A 10% discount on the manicure and a partial payment by card.
		r = f.edit(e, f.worker, f.manicure, map[string]any{"comment": "Постоянный клиент",
			"services":         []map[string]any{{"id": fmt.Sprint(f.manicureSvc), "discount": 10}},
			"new_transactions": []map[string]any{{"amount": "1000.50", "account_id": f.card}}})
		expect(t, r, 200)
		pays, _ := r.Data()["payment_transactions"].([]any)
		if len(pays) != 1 || pays[0].(map[string]any)["amount"] != 1000.5 || num(pays[0].(map[string]any)["record_id"]) != f.manicure {
			t.Fatalf("after payment: %s", truncate(r.Body))
		}
		if it := r.Data()["items"].([]any)[1].(map[string]any); it["cost"] != 1620.0 || num(it["discount"]) != 10 {
			t.Fatalf("discounted item: %v", it)
		}
		a := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, f.haircut), Auth: e.userAuth(f.worker)}).Data()
		if num(a["paid_full"]) != 0 {
			t.Fatal("a partly paid visit shows paid_full")
		}

		// fast_payment pays the rest in cash: the visit is paid in full.
		r = f.edit(e, f.worker, f.haircut, map[string]any{"fast_payment": 1})
		expect(t, r, 200)
		pays, _ = r.Data()["payment_transactions"].([]any)
		last := pays[len(pays)-1].(map[string]any)
		if len(pays) != 2 || last["amount"] != 3119.5 || num(last["account_id"]) != f.cash {
			t.Fatalf("fast payment: %s", truncate(r.Body))
		}
		for _, id := range []int64{f.haircut, f.manicure} {
			a := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(f.worker)}).Data()
			if num(a["paid_full"]) != 1 {
				t.Fatalf("appointment %d of a paid visit: paid_full %v", id, a["paid_full"])
			}
		}
		expectError(t, f.edit(e, f.worker, f.haircut, map[string]any{"fast_payment": 2}), 422, "nothing is left to pay")

		// A worker may not undo payments of a visit paid in full; the owner may.
		firstPay := num(pays[0].(map[string]any)["id"])
		expectError(t, f.edit(e, f.worker, f.haircut, map[string]any{"deleted_transaction_ids": []int64{firstPay}}), 403, "Access denied.")
		r = f.edit(e, f.owner, f.haircut, map[string]any{"deleted_transaction_ids": []any{fmt.Sprint(firstPay)}})
		expect(t, r, 200)
		if len(r.Data()["payment_transactions"].([]any)) != 1 {
			t.Fatalf("after deleting a payment: %s", truncate(r.Body))
		}
		a = e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, f.haircut), Auth: e.userAuth(f.worker)}).Data()
		if num(a["paid_full"]) != 0 {
			t.Fatal("paid_full stays after a payment is deleted")
		}
		// A visit with payments: deleting its appointment needs delete_paid_records_access.
		expectError(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/record/%d/%d", e.locA, f.haircut), Auth: e.userAuth(f.worker)}),
			403, "Access denied.")

		// GET /visits shows the comment and the attendance.
		v = e.do(req{Method: "GET", Path: fmt.Sprintf("/visits/%d", f.visit), Auth: e.userAuth(f.worker)}).Data()
		if v["comment"] != "Постоянный клиент" || num(v["attendance"]) != 1 {
			t.Fatalf("visit after edits: %v", v)
		}
	})
}

func TestVisitBadInputChangesNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newVisitFixture(t, e)
		expect(t, f.edit(e, f.worker, f.haircut, map[string]any{"new_transactions": []map[string]any{{"amount": 500, "account_id": f.cash}}}), 200)
		details := func() string {
			return string(e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, f.haircut, f.visit),
				Auth: e.userAuth(f.owner)}).Body)
		}
		before := details()
		for name, body := range map[string]any{
			"negative amount":       map[string]any{"new_transactions": []map[string]any{{"amount": -5, "account_id": f.cash}}},
			"zero amount":           map[string]any{"new_transactions": []map[string]any{{"amount": 0, "account_id": f.cash}}},
			"non-numeric amount":    map[string]any{"new_transactions": []map[string]any{{"amount": "lots", "account_id": f.cash}}},
			"unknown account":       map[string]any{"new_transactions": []map[string]any{{"amount": 5, "account_id": 999999}}},
			"payment and bad acct":  map[string]any{"attendance": 2, "new_transactions": []map[string]any{{"amount": 5, "account_id": f.cash}, {"amount": 5, "account_id": 999999}}},
			"foreign transaction":   map[string]any{"deleted_transaction_ids": []int64{999999}},
			"attendance 3":          map[string]any{"attendance": 3},
			"discount 150":          map[string]any{"services": []map[string]any{{"id": f.manicureSvc, "discount": 150}}},
			"service not in record": map[string]any{"services": []map[string]any{{"id": f.manicureSvc, "discount": 5}}},
			"fast payment 7":        map[string]any{"fast_payment": 7},
		} {
			r := f.edit(e, f.owner, f.haircut, body)
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422: %s", name, r.Status, truncate(r.Body))
			}
		}
		if after := details(); after != before {
			t.Fatalf("refused edits changed the visit:\n%s\n%s", before, after)
		}
		a := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, f.haircut), Auth: e.userAuth(f.owner)}).Data()
		if num(a["attendance"]) != 0 {
			t.Fatal("a refused edit changed the attendance")
		}

		// Unknown or foreign ids are 404; a record outside the visit is 404.
		other := e.login("owner-b@appointd.test", demo.Password)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/visits/%d", f.visit), Auth: e.userAuth(other)}), 404)
		expect(t, e.do(req{Method: "GET", Path: "/visits/999999", Auth: e.userAuth(f.owner)}), 404)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locB, f.haircut, f.visit), Auth: e.userAuth(f.owner)}), 404)
		expect(t, f.edit(e, other, f.haircut, map[string]any{"attendance": 1}), 404)
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/attendance/receipt_print/%d", f.visit), Auth: e.userAuth(other)})
		expect(t, r, 404)
		anna, haircut := demoIDs(t, e, f.owner, "Anna Smirnova", "Women's haircut")
		lone := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(f.owner),
			Body: map[string]any{"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "save_if_busy": true,
				"client": map[string]any{"name": "Someone Else", "phone": "+15550001111"}, "datetime": bookingDay() + "T17:00:00"}}).Data()
		expect(t, f.edit(e, f.owner, num(lone["id"]), map[string]any{"attendance": 1}), 404)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, num(lone["id"]), f.visit), Auth: e.userAuth(f.owner)}), 404)

		// Attendance needs edit_records_attendance_access.
		workerID := e.userID(f.owner, e.locA, "Demo Worker")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: e.userAuth(f.owner),
			Body: map[string]any{"user_permissions": []map[string]any{{"slug": "edit_records_attendance_access", "value": 0}}}}), 200)
		expectError(t, f.edit(e, f.worker, f.haircut, map[string]any{"attendance": -1}), 403, "Access denied.")
	})
}

func TestReceiptPDF(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newVisitFixture(t, e)
		expect(t, f.edit(e, f.worker, f.manicure, map[string]any{
			"services":         []map[string]any{{"id": f.manicureSvc, "discount": 10}},
			"new_transactions": []map[string]any{{"amount": 1000, "account_id": f.card}, {"amount": 500.5, "account_id": f.cash}}}), 200)
		path := fmt.Sprintf("/attendance/receipt_print/%d", f.visit)
		var pdfs [][]byte
		for _, accept := range []string{"application/vnd.api.v2+json", "application/json", "application/pdf"} {
			r := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(f.worker), Headers: map[string]string{"Accept": accept}})
			expect(t, r, 200)
			if r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
				t.Fatalf("Accept %s: %s, %q", accept, r.Header.Get("Content-Type"), truncate(r.Body))
			}
			pdfs = append(pdfs, r.Body)
		}
		if !bytes.Equal(pdfs[0], pdfs[1]) || !bytes.Equal(pdfs[0], pdfs[2]) {
			t.Fatal("the same visit gave different PDFs")
		}
		text := pdfText(t, pdfs[0])
		for _, want := range []string{
			"appointd Demo Salon", "Tverskaya St, 1",
			fmt.Sprintf("Receipt for visit No. %d", f.visit),
			"Date: " + bookingDay() + " 11:00 (Europe/Moscow)",
			"Client: Ольга Смирнова, +7********02", // the worker sees the phone masked
			"11:00 Women's haircut", "Anna Smirnova", "2500.00", "0%",
			"13:00 Маникюр классический", "Vera Popova", "1800.00", "10%", "1620.00",
			"Total: 4120.00 RUB", "Paid: 1500.50 RUB", "Main location account: 500.50 RUB",
			"Card payment account: 1000.00 RUB", "Unpaid: 2619.50 RUB", "Status: Partly paid",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("receipt lacks %q; text:\n%s", want, text)
			}
		}
		if n := pdfPages(t, pdfs[0]); n != 1 {
			t.Errorf("receipt has %d pages", n)
		}
	})
}

// pdfText extracts a PDF's text with pdftotext (poppler-utils), collapsing
// runs of spaces so that table columns read as "label value".
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	out := pdfTool(t, "pdftotext", pdf, "-layout", "-enc", "UTF-8", "IN", "-")
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	for _, l := range strings.Split(pdfTool(t, "pdfinfo", pdf, "IN"), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "Pages:" {
			var n int
			fmt.Sscan(f[1], &n)
			return n
		}
	}
	t.Fatal("pdfinfo printed no page count")
	return 0
}

// pdfTool runs a poppler tool on pdf (the argument IN). CI installs
// poppler-utils; elsewhere a missing tool skips the test.
func pdfTool(t *testing.T, tool string, pdf []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (poppler-utils); CI must install it", tool)
		}
		t.Skipf("%s is not installed (apt-get install poppler-utils)", tool)
	}
	in := filepath.Join(t.TempDir(), "receipt.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, a := range args {
		if a == "IN" {
			args[i] = in
		}
	}
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, out)
	}
	return string(out)
}

func TestComments(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		anna, _ := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		vera, _ := demoIDs(t, e, owner, "Vera Popova", "Manicure")
		leave := func(member int64, body any) resp {
			return e.do(req{Method: "POST", Path: fmt.Sprintf("/comments/%d/%d", e.locA, member), Auth: e.userAuth(owner), Body: body})
		}
		r := leave(anna, map[string]any{"mark": "4", "name": "Виктор", "text": "Всё отлично"})
		expect(t, r, http.StatusCreated)
		c := r.List()
		if len(c) != 1 || num(c[0]["rating"]) != 4 || num(c[0]["type"]) != 1 || num(c[0]["master_id"]) != anna ||
			c[0]["user_name"] != "Виктор" || num(c[0]["salon_id"]) != e.locA || num(c[0]["id"]) == 0 {
			t.Fatalf("created comment: %s", r.Body)
		}
		expect(t, leave(anna, map[string]any{"mark": 2, "name": "Ann", "text": "Late"}), 201)
		expect(t, leave(vera, map[string]any{"mark": 5, "name": "Bob", "text": "Great nails"}), 201)

		// Bad input changes nothing: the member's stats stay at two comments.
		for name, body := range map[string]any{
			"mark 0": map[string]any{"mark": 0, "name": "X", "text": "x"}, "mark 6": map[string]any{"mark": 6, "name": "X", "text": "x"},
			"mark 4.5": map[string]any{"mark": 4.5, "name": "X", "text": "x"}, "mark word": map[string]any{"mark": "four", "name": "X", "text": "x"},
			"no mark": map[string]any{"name": "X", "text": "x"}, "no text": map[string]any{"mark": 3, "name": "X"},
		} {
			if r := leave(anna, body); r.Status != 422 {
				t.Errorf("%s: %d, want 422", name, r.Status)
			}
		}
		expect(t, leave(999999, map[string]any{"mark": 3, "name": "X", "text": "x"}), 422)

		// The staff object follows the comments.
		var stats map[string]any
		for _, m := range e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.partnerAuth()}).List() {
			if num(m["id"]) == anna {
				stats = m
			}
		}
		if stats["rating"] != 3.0 || num(stats["votes_count"]) != 2 || num(stats["comments_count"]) != 2 {
			t.Fatalf("Anna's rating: %v %v %v", stats["rating"], stats["votes_count"], stats["comments_count"])
		}

		// Lists: newest first; filters by member (either name) and rating.
		list := func(q string) []map[string]any {
			r := e.do(req{Method: "GET", Path: fmt.Sprintf("/comments/%d%s", e.locA, q), Auth: e.userAuth(owner)})
			expect(t, r, 200)
			return r.List()
		}
		if all := list(""); len(all) != 3 || all[0]["text"] != "Great nails" || all[2]["text"] != "Всё отлично" {
			t.Fatalf("all comments: %v", all)
		}
		if l := list(fmt.Sprintf("?staff_id=%d", anna)); len(l) != 2 {
			t.Fatalf("staff_id filter: %d", len(l))
		}
		if l := list(fmt.Sprintf("?team_member_id=%d&rating=2", anna)); len(l) != 1 || l[0]["text"] != "Late" {
			t.Fatalf("team_member_id + rating: %v", l)
		}
		if l := list("?count=2&page=2"); len(l) != 1 {
			t.Fatalf("page 2 of 2: %d", len(l))
		}
		moscow, _ := time.LoadLocation("Europe/Moscow")
		today := e.clock.Now().In(moscow).Format("2006-01-02")
		if l := list("?start_date=" + today + "&end_date=" + today); len(l) != 3 {
			t.Fatalf("today's comments: %d", len(l))
		}
		if l := list("?end_date=2000-01-01"); len(l) != 0 {
			t.Fatalf("comments before 2000: %d", len(l))
		}
		for _, q := range []string{"?count=0", "?start_date=yesterday", "?rating=9"} {
			expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/comments/%d%s", e.locA, q), Auth: e.userAuth(owner)}), 422)
		}
		other := e.login("owner-b@appointd.test", demo.Password)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/comments/%d", e.locA), Auth: e.userAuth(other)}), 404)

		// Team member 0: a review of the location, listed with the rest,
		// counted in no member's rating.
		r = leave(0, map[string]any{"mark": 5, "name": "Eve", "text": "Lovely salon"})
		expect(t, r, http.StatusCreated)
		if c := r.List(); len(c) != 1 || num(c[0]["type"]) != 0 || num(c[0]["master_id"]) != 0 || num(c[0]["rating"]) != 5 {
			t.Fatalf("location review: %s", r.Body)
		}
		if all := list(""); len(all) != 4 || all[0]["text"] != "Lovely salon" {
			t.Fatalf("comments with the location review: %v", all)
		}
		for _, m := range e.do(req{Method: "GET", Path: fmt.Sprintf("/staff/%d", e.locA), Auth: e.partnerAuth()}).List() {
			if num(m["comments_count"]) > 2 || (num(m["id"]) == anna && m["rating"] != 3.0) {
				t.Fatalf("a location review counted for %v: %v %v", m["name"], m["rating"], m["comments_count"])
			}
		}
	})
}

// TestFastPaymentsRaceOnce: 16 fast payments of one visit at once, half
// through a second server on the same database: exactly one pays the
// remainder, the others find nothing left (the visit's row lock). Several
// visits, because one round does not always interleave the transactions.
func TestFastPaymentsRaceOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		second := newEnv(t, e.engine, e.dsn, bookingDefaults(), false)
		second.partner = e.partner
		for _, day := range bookingDays(6) {
			f := newVisitFixtureOn(t, e, day)
			const n = 16
			// Cash through one server, card through the other.
			got := raceAcross(n, e, second, func(srv *env) int {
				kind := 1
				if srv == second {
					kind = 2
				}
				return f.edit(srv, f.worker, f.haircut, map[string]any{"fast_payment": kind}).Status
			})
			if got[200] != 1 || got[422] != n-1 {
				t.Fatalf("%s: statuses %v, want one 200 and %d 422", day, got, n-1)
			}
			r := e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, f.haircut, f.visit), Auth: e.userAuth(f.owner)})
			pays, _ := r.Data()["payment_transactions"].([]any)
			if len(pays) != 1 || pays[0].(map[string]any)["amount"] != 4300.0 {
				t.Fatalf("%s: payments after the race: %s", day, truncate(r.Body))
			}
		}
	})
}
