package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"appointd/internal/demo"
)

// createGood adds a good to a location's catalog and returns its id.
func createGood(t *testing.T, e *env, tok string, loc int64, body map[string]any) int64 {
	t.Helper()
	r := e.do(req{Method: "POST", Path: fmt.Sprintf("/goods/%d", loc), Auth: e.userAuth(tok), Body: body})
	expect(t, r, http.StatusCreated)
	return num(r.Data()["good_id"])
}

// fieldError asserts a 422 whose errors name field.
func fieldError(t *testing.T, r resp, field, msg string) {
	t.Helper()
	expect(t, r, http.StatusUnprocessableEntity)
	errs, _ := r.Meta()["errors"].([]any)
	for _, x := range errs {
		if fe, _ := x.(map[string]any); fe["field"] == field && strings.Contains(fmt.Sprint(fe["message"]), msg) {
			return
		}
	}
	t.Fatalf("no %s error with %q: %s", field, msg, truncate(r.Body))
}

func TestGoodsCatalog(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner, worker := e.login(demo.OwnerLogin, demo.Password), e.login(demo.WorkerLogin, demo.Password)
		base := fmt.Sprintf("/goods/%d", e.locA)
		id := createGood(t, e, owner, e.locA, map[string]any{"title": "Vital Creme Shampoo", "article": "120277",
			"barcode": "4600000000017", "cost": "15.50", "actual_cost": 7, "unit_short_title": "pcs", "amount": 4, "category_id": 3})
		createGood(t, e, owner, e.locA, map[string]any{"title": "Hair mask", "cost": 20})
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("%s/%d", base, id), Auth: e.userAuth(owner)})
		expect(t, r, 200)
		assertShape(t, "good", `{"good_id":1,"title":"Shampoo","value":"Shampoo","label":"Shampoo","print_title":"",
			"article":"123","barcode":"123","category_id":0,"category":"","salon_id":1,"cost":1.5,"actual_cost":0.5,
			"unit_short_title":"pcs","unit_equals":1,"critical_amount":0,"desired_amount":0,
			"actual_amounts":[{"storage_id":1,"amount":1}],"comment":"","last_change_date":"2026-01-01T00:00:00+00:00"}`, r.Data())
		g := r.Data()
		if g["cost"] != 15.5 || g["barcode"] != "4600000000017" || num(g["category_id"]) != 3 {
			t.Fatalf("good: %s", truncate(r.Body))
		}
		if st := g["actual_amounts"].([]any)[0].(map[string]any); num(st["storage_id"]) != e.locA || st["amount"] != 4.0 {
			t.Fatalf("stock: %v", g["actual_amounts"])
		}

		// Filters and paging.
		list := func(q string) resp {
			r := e.do(req{Method: "GET", Path: base + q, Auth: e.userAuth(owner)})
			expect(t, r, 200)
			return r
		}
		if r := list("?term=shamp"); len(r.List()) != 1 || num(r.List()[0]["good_id"]) != id || num(r.Meta()["count"]) != 1 {
			t.Fatalf("term: %s", truncate(r.Body))
		}
		if r := list("?term=4600000"); len(r.List()) != 1 {
			t.Fatalf("barcode term: %s", truncate(r.Body))
		}
		if r := list("?category_id=3"); len(r.List()) != 1 {
			t.Fatalf("category: %s", truncate(r.Body))
		}
		if r := list("?count=1&page=2"); len(r.List()) != 1 || r.List()[0]["title"] != "Hair mask" || num(r.Meta()["count"]) != 2 {
			t.Fatalf("page 2: %s", truncate(r.Body))
		}
		expect(t, e.do(req{Method: "GET", Path: base + "?page=0", Auth: e.userAuth(owner)}), 422)

		// Edit keeps what is not sent; bad values are refused.
		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("%s/%d", base, id), Auth: e.userAuth(owner), Body: map[string]any{"cost": 16}})
		expect(t, r, 200)
		if r.Data()["cost"] != 16.0 || r.Data()["title"] != "Vital Creme Shampoo" {
			t.Fatalf("edited: %s", truncate(r.Body))
		}
		fieldError(t, e.do(req{Method: "POST", Path: base, Auth: e.userAuth(owner), Body: map[string]any{"cost": 1}}), "title", "required")
		fieldError(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("%s/%d", base, id), Auth: e.userAuth(owner),
			Body: map[string]any{"amount": -1}}), "amount", "from 0")

		// storages_access: the worker has not got it; another location's owner sees nothing.
		expectError(t, e.do(req{Method: "GET", Path: base, Auth: e.userAuth(worker)}), 403, "Access denied.")
		other := e.login("owner-b@appointd.test", demo.Password)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/goods/%d/%d", e.locB, id), Auth: e.userAuth(other)}), 404)

		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("%s/%d", base, id), Auth: e.userAuth(owner)}), 204)
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("%s/%d", base, id), Auth: e.userAuth(owner)}), 404)
		if r := list(""); len(r.List()) != 1 {
			t.Fatalf("after delete: %s", truncate(r.Body))
		}
	})
}

func goodStock(t *testing.T, e *env, tok string, loc, id int64) float64 {
	t.Helper()
	r := e.do(req{Method: "GET", Path: fmt.Sprintf("/goods/%d/%d", loc, id), Auth: e.userAuth(tok)})
	expect(t, r, 200)
	return r.Data()["actual_amounts"].([]any)[0].(map[string]any)["amount"].(float64)
}

func TestVisitGoods(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newVisitFixture(t, e)
		shampoo := createGood(t, e, f.owner, e.locA, map[string]any{"title": "Shampoo", "cost": 500, "amount": 3, "barcode": "123"})
		foreign := createGood(t, e, e.login("owner-b@appointd.test", demo.Password), e.locB, map[string]any{"title": "Elsewhere", "cost": 1, "amount": 9})
		details := func() resp {
			return e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, f.haircut, f.visit), Auth: e.userAuth(f.owner)})
		}
		before := string(details().Body)
		for name, c := range map[string]struct {
			lines []map[string]any
			msg   string
		}{
			"unknown good":   {[]map[string]any{{"good_id": 999999, "amount": 1}}, "not a good of this location"},
			"foreign good":   {[]map[string]any{{"good_id": foreign, "amount": 1}}, "not a good of this location"},
			"too many":       {[]map[string]any{{"good_id": shampoo, "amount": 4}}, "not enough"},
			"twice too many": {[]map[string]any{{"good_id": shampoo, "amount": 2}, {"good_id": shampoo, "amount": 2}}, "not enough"},
			"zero amount":    {[]map[string]any{{"good_id": shampoo, "amount": 0}}, "amount"},
			"bad storage":    {[]map[string]any{{"good_id": shampoo, "amount": 1, "storage_id": e.locB}}, "storage"},
		} {
			r := f.edit(e, f.worker, f.haircut, map[string]any{"goods_transactions": c.lines, "fast_payment": 1})
			if r.Status != 422 {
				t.Fatalf("%s: %d %s", name, r.Status, truncate(r.Body))
			}
			fieldError(t, r, "goods_transactions", c.msg)
		}
		if after := string(details().Body); after != before {
			t.Fatalf("refused goods changed the visit:\n%s\n%s", before, after)
		}
		if n := goodStock(t, e, f.owner, e.locA, shampoo); n != 3 {
			t.Fatalf("refused goods changed the stock: %v", n)
		}

		// Two units with 10% off, written as Altegio writes a sale (-2).
		r := f.edit(e, f.worker, f.haircut, map[string]any{"goods_transactions": []map[string]any{
			{"good_id": shampoo, "amount": -2, "discount": 10, "operation_unit_type": 1}}})
		expect(t, r, 200)
		var good map[string]any
		for _, it := range r.Data()["items"].([]any) {
			if it.(map[string]any)["is_good"] == true {
				good = it.(map[string]any)
			}
		}
		if good == nil || num(good["good_id"]) != shampoo || num(good["item_type_id"]) != 7 || good["cost"] != 900.0 ||
			num(good["amount"]) != 2 || good["first_cost"] != 500.0 || num(good["record_id"]) != f.haircut || good["item_title"] != "Shampoo" {
			t.Fatalf("goods item: %s", truncate(r.Body))
		}
		if n := goodStock(t, e, f.owner, e.locA, shampoo); n != 1 {
			t.Fatalf("stock after selling 2 of 3: %v", n)
		}
		rec := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, f.haircut), Auth: e.userAuth(f.owner)}).Data()
		lines, _ := rec["goods_transactions"].([]any)
		if len(lines) != 1 {
			t.Fatalf("record goods_transactions: %v", rec["goods_transactions"])
		}
		assertShape(t, "goods line", `{"id":2168657,"title":"Vital Creme Shampoo Plus","barcode":"123","article":"120277","amount":-1,
			"cost_per_unit":15,"price":15,"cost":12,"operation_unit_type":2,"master_id":55436,"storage_id":91303,"good_id":232658,"discount":20}`, lines[0])
		if l := lines[0].(map[string]any); l["amount"] != -2.0 || l["price"] != 1000.0 || l["cost"] != 900.0 || num(l["storage_id"]) != e.locA {
			t.Fatalf("record goods line: %v", l)
		}

		// Replacing: one unit now; the other goes back to stock.
		expect(t, f.edit(e, f.worker, f.haircut, map[string]any{"goods_transactions": []map[string]any{{"good_id": shampoo, "amount": 1, "cost": 450}}}), 200)
		if n := goodStock(t, e, f.owner, e.locA, shampoo); n != 2 {
			t.Fatalf("stock after replacing 2 by 1: %v", n)
		}
		// A body without goods_transactions leaves the lines alone.
		expect(t, f.edit(e, f.worker, f.haircut, map[string]any{"comment": "x"}), 200)

		// Paying the services (2500 + 1800) leaves the goods unpaid; the fast
		// payment pays the 450 left.
		expect(t, f.edit(e, f.worker, f.haircut, map[string]any{"new_transactions": []map[string]any{{"amount": 4300, "account_id": f.card}}}), 200)
		rec = e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, f.manicure), Auth: e.userAuth(f.owner)}).Data()
		if num(rec["paid_full"]) != 0 {
			t.Fatal("paid_full with the goods unpaid")
		}
		r = f.edit(e, f.worker, f.haircut, map[string]any{"fast_payment": 1})
		expect(t, r, 200)
		if p := r.Data()["payment_transactions"].([]any); len(p) != 2 || p[1].(map[string]any)["amount"] != 450.0 {
			t.Fatalf("fast payment: %s", truncate(r.Body))
		}
		rec = e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, f.manicure), Auth: e.userAuth(f.owner)}).Data()
		if num(rec["paid_full"]) != 1 {
			t.Fatalf("paid_full after paying services and goods: %v", rec["paid_full"])
		}
		text := pdfText(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/attendance/receipt_print/%d", f.visit), Auth: e.userAuth(f.owner)}).Body)
		for _, want := range []string{"Shampoo", "450.00", "Total: 4750.00 RUB", "Status: Paid"} {
			if !strings.Contains(text, want) {
				t.Errorf("receipt lacks %q:\n%s", want, text)
			}
		}
		// Paid in full: changing the goods needs record_edit_full_paid_access.
		expectError(t, f.edit(e, f.worker, f.haircut, map[string]any{"goods_transactions": []any{}}), 403, "Access denied.")
		// The owner removes them; the unit goes back.
		expect(t, f.edit(e, f.owner, f.haircut, map[string]any{"goods_transactions": []any{}}), 200)
		if n := goodStock(t, e, f.owner, e.locA, shampoo); n != 3 {
			t.Fatalf("stock after removing the lines: %v", n)
		}
	})
}

// TestLastUnitSoldOnce: many visits race for the last unit of a good
// through two servers; exactly one sale passes (the goods row lock).
func TestLastUnitSoldOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		second := newEnv(t, e.engine, e.dsn, bookingDefaults(), false)
		second.partner = e.partner
		var visits []visitFixture
		for _, day := range bookingDays(6) {
			visits = append(visits, newVisitFixtureOn(t, e, day))
		}
		owner := visits[0].owner
		for round := 0; round < 3; round++ {
			good := createGood(t, e, owner, e.locA, map[string]any{"title": fmt.Sprint("Last one ", round), "cost": 10, "amount": 1})
			var next atomic.Int64
			got := raceAcross(len(visits), e, second, func(srv *env) int {
				f := visits[next.Add(1)-1] // one sale per visit: a visit's own lines are replaced, not added
				return f.edit(srv, f.worker, f.haircut, map[string]any{"goods_transactions": []map[string]any{{"good_id": good, "amount": 1}}}).Status
			})
			if got[200] != 1 || got[422] != len(visits)-1 {
				t.Fatalf("round %d: statuses %v, want one 200", round, got)
			}
			if n := goodStock(t, e, owner, e.locA, good); n != 0 {
				t.Fatalf("round %d: stock %v after the race", round, n)
			}
		}
	})
}

// TestDeletedAppointmentReturnsItsGoods: deleting an appointment undoes
// the sales made through it: the units go back to stock and the visit, kept
// by its other appointment, no longer lists the lines.
func TestDeletedAppointmentReturnsItsGoods(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newVisitFixture(t, e)
		shampoo := createGood(t, e, f.owner, e.locA, map[string]any{"title": "Shampoo", "cost": 500, "amount": 5})
		expect(t, f.edit(e, f.owner, f.haircut, map[string]any{"goods_transactions": []map[string]any{{"good_id": shampoo, "amount": 2}}}), 200)
		if n := goodStock(t, e, f.owner, e.locA, shampoo); n != 3 {
			t.Fatalf("stock after selling 2 of 5: %v", n)
		}
		expect(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/record/%d/%d", e.locA, f.haircut), Auth: e.userAuth(f.owner)}), 204)
		if n := goodStock(t, e, f.owner, e.locA, shampoo); n != 5 {
			t.Fatalf("stock after deleting the appointment that sold 2: %v, want 5", n)
		}
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/visit/details/%d/%d/%d", e.locA, f.manicure, f.visit), Auth: e.userAuth(f.owner)})
		expect(t, r, 200)
		for _, it := range r.Data()["items"].([]any) {
			if it := it.(map[string]any); it["is_service"] == false {
				t.Fatalf("the visit still lists a goods line after the delete: %v", it)
			}
		}
		// Selling them again works: the lines are gone, not hidden.
		expect(t, f.edit(e, f.owner, f.manicure, map[string]any{"goods_transactions": []map[string]any{{"good_id": shampoo, "amount": 5}}}), 200)
		if n := goodStock(t, e, f.owner, e.locA, shampoo); n != 0 {
			t.Fatalf("stock after selling all 5 again: %v", n)
		}
	})
}
