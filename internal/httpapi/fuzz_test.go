package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/testenv"
)

// Fuzz targets for every request body family (and the paged lists' query),
// through the real handler on a real SQLite database; the seed corpus that
// plain go test replays runs on PostgreSQL too when it is set up. The
// invariant for any body:
//
//   - no panic (the connection would drop) and no 5xx;
//   - a body holding a NUL (raw or as \u0000, anywhere) is a 4xx;
//   - a 4xx is one of the statuses the API documents for bad input, in the
//     error envelope {"success": false, "data": null, "meta": {"message"}},
//     and commits nothing to the database (DESIGN: bad input "changes
//     nothing");
//   - every answer, 2xx or 4xx, matches api/openapi.yaml for its route
//     (e.do checks the status, content type and body);
//   - a success carries money booking accepts (appointment and visit lines,
//     payments, a client's spent and balance): what overflowed int64 or
//     was a NaN on its way in does not.
//
// Seeds are real requests: the shapes of the API reference's examples, of
// Altegio/YCLIENTS clients (null optional fields, numbers as strings, the
// legacy aliases) and of this package's tests, with the ids of the
// fixtures, plus the edge values a lenient decoder must survive.
//
// Run one: go test ./internal/httpapi -run '^$' -fuzz '^FuzzRecordCreateBody$' -fuzztime 30s -fuzzminimizetime 1s -parallel 1
//
// Each input is a few HTTP requests, so Go's default minimizing of every new
// input (up to 60 s each) would take a whole short run: -fuzzminimizetime 1s
// keeps it fuzzing. A failure is written under testdata/fuzz/FuzzX/;
// commit it with the fix (plain go test replays it).

// fuzzEnv is one seeded server for a whole fuzz run (seeding per input
// would leave no time to fuzz).
type fuzzEnv struct {
	*env
	owner string
	day   string         // a working day three days ahead (not a Sunday)
	rec   map[string]any // an appointment of the owner, for the edit targets
	db    *sql.DB        // a second pool onto the server's database
	conn  *sql.Conn      // SQLite: PRAGMA data_version moves when the server commits
	sum   string         // PostgreSQL: the query summing every table's rows
	first bool           // the first engine's env adds the seeds
}

// fuzzEngines sets a target up on each engine and checks every input on
// all of them. Fuzzing (-fuzz) stays on SQLite; the seed corpus that plain
// go test replays runs on PostgreSQL too when it is set up, where a NUL or
// an overflow used to answer differently.
func fuzzEngines(f *testing.F, target func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte)) {
	engines := []string{"sqlite"}
	if fl := flag.Lookup("test.fuzz"); fl == nil || fl.Value.String() == "" {
		engines = testenv.Engines(f)
	}
	var checks []func(*testing.T, []byte)
	for i, engine := range engines {
		fe := newFuzzEnv(f, engine)
		fe.first = i == 0
		checks = append(checks, target(f, fe))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for i, check := range checks {
			t.Logf("on %s", engines[i])
			check(t, body)
		}
	})
}

func newFuzzEnv(f *testing.F, engine string) *fuzzEnv {
	e := newEnv(f, engine, testenv.DSN(f, engine), booking.Options{}, true)
	fe := &fuzzEnv{env: e, owner: e.login(demo.OwnerLogin, demo.Password)}
	var err error
	if engine == "sqlite" {
		fe.db, err = sql.Open("sqlite", strings.TrimPrefix(e.dsn, "sqlite:"))
	} else {
		fe.db, err = sql.Open("pgx", e.dsn)
	}
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { fe.db.Close() })
	if engine == "sqlite" {
		if fe.conn, err = fe.db.Conn(context.Background()); err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { fe.conn.Close() })
	} else {
		fe.sum = fe.checksumQuery(f)
	}

	day := time.Now().AddDate(0, 0, 3)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	fe.day = day.Format("2006-01-02")
	before := fe.version(f)
	fe.rec = fe.fixture(f, "POST", fmt.Sprintf("/records/%d", e.locA), 201, map[string]any{
		"staff_id": 1, "services": []map[string]any{{"id": 1}}, "datetime": fe.day + "T17:00:00",
		"client": map[string]any{"name": "Fuzz Target", "phone": "+79990007777"}})
	// The "4xx commits nothing" check must be able to fail.
	if fe.version(f) == before {
		f.Fatalf("%s: the database's version did not move when the server committed an appointment", engine)
	}
	return fe
}

// checksumQuery is one query over every table of the test's PostgreSQL
// schema: each table's rows as text, hashed in order.
func (fe *fuzzEnv) checksumQuery(f *testing.F) string {
	rows, err := fe.db.Query(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		f.Fatal(err)
	}
	defer rows.Close()
	parts := []string{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			f.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf(`SELECT %s || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM %s x`,
			pq(name), name))
	}
	if len(parts) == 0 {
		f.Fatal("no tables in the test schema")
	}
	return "SELECT string_agg(s, ',') FROM (" + strings.Join(parts, " UNION ALL ") + ") t(s)"
}

func pq(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (fe *fuzzEnv) fixture(f *testing.F, method, path string, want int, body any) map[string]any {
	f.Helper()
	fe.t = f
	r := fe.do(req{Method: method, Path: path, Auth: fe.userAuth(fe.owner), Body: body})
	if r.Status != want {
		f.Fatalf("fixture %s %s: %d, want %d: %s", method, path, r.Status, want, truncate(r.Body))
	}
	return r.Data()
}

// version changes exactly when the server commits a change: SQLite's
// data_version on the second connection, PostgreSQL's rows of every table.
func (fe *fuzzEnv) version(t testing.TB) string {
	t.Helper()
	if fe.conn == nil {
		var v string
		if err := fe.db.QueryRow(fe.sum).Scan(&v); err != nil {
			t.Fatalf("checksum: %v", err)
		}
		return v
	}
	var v int64
	if err := fe.conn.QueryRowContext(context.Background(), "PRAGMA data_version").Scan(&v); err != nil {
		t.Fatalf("PRAGMA data_version: %v", err)
	}
	return fmt.Sprint(v)
}

// id reads one number from the database (fixtures the API does not list).
func (fe *fuzzEnv) id(f *testing.F, query string) int64 {
	f.Helper()
	var v sql.NullInt64
	if err := fe.db.QueryRow(query).Scan(&v); err != nil || !v.Valid {
		f.Fatalf("%s: %v (valid %v)", query, err, v.Valid)
	}
	return v.Int64
}

// documentedBadInput: 400 not JSON, 403 a right the body asks for (paying,
// attendance, deleting payments), 404 an id of nothing, 409 a duplicate,
// 413 too large, 422 invalid (API reference 1.6; each route's own list is
// checked against api/openapi.yaml by e.do). 401 is not among them: the
// credentials are always valid here.
var documentedBadInput = map[int]bool{400: true, 403: true, 404: true, 409: true, 413: true, 422: true}

// check sends body and asserts the invariant; it returns the answer.
func (fe *fuzzEnv) check(t *testing.T, method, path string, body []byte) resp {
	t.Helper()
	fe.t = t // e.do and its contract check report through this input's t
	before := fe.version(t)
	r := fe.do(req{Method: method, Path: path, Auth: fe.userAuth(fe.owner), Body: body})
	switch {
	case r.Status >= 500:
		t.Fatalf("%s %s %q: %d %s", method, path, body, r.Status, truncate(r.Body))
	case r.Status < 400 && holdsNUL(body):
		t.Fatalf("%s %s %q: %d for a body holding a NUL: %s", method, path, body, r.Status, truncate(r.Body))
	case r.Status >= 400:
		if !documentedBadInput[r.Status] {
			t.Fatalf("%s %s %q: undocumented status %d %s", method, path, body, r.Status, truncate(r.Body))
		}
		data, hasData := r.JSON["data"]
		if r.JSON["success"] != false || !hasData || data != nil || r.Message() == "" {
			t.Fatalf("%s %s %q: %d without the error envelope: %s", method, path, body, r.Status, truncate(r.Body))
		}
		if fe.version(t) != before {
			t.Fatalf("%s %s %q: %d, yet the database changed: %s", method, path, body, r.Status, truncate(r.Body))
		}
	case r.Status == http.StatusNoContent:
	case r.Status >= 200 && r.Status < 300:
		if r.JSON["success"] != true {
			t.Fatalf("%s %s %q: %d without success: %s", method, path, body, r.Status, truncate(r.Body))
		}
	default:
		t.Fatalf("%s %s %q: status %d: %s", method, path, body, r.Status, truncate(r.Body))
	}
	return r
}

// holdsNUL: a NUL byte in the body, or in a string or member name of it
// once decoded (the \u0000 escape). Neither engine may take one.
func holdsNUL(body []byte) bool {
	if bytes.IndexByte(body, 0) >= 0 {
		return true
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return strings.IndexByte(x, 0) >= 0
		case []any:
			for _, y := range x {
				if walk(y) {
					return true
				}
			}
		case map[string]any:
			for k, y := range x {
				if strings.IndexByte(k, 0) >= 0 || walk(y) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// maxMoney is the largest price, line total or payment booking accepts
// (1,000,000,000.00).
const maxMoney = 1e9

// checkPrices: the service lines of an appointment (services) or a visit
// (items) and a visit's payments in a success are prices booking accepts:
// costs 0 to maxMoney, discount 0–100, amount at least 1, payments above 0.
// A price that overflowed int64 on its way breaks one of these.
func checkPrices(t *testing.T, body []byte, r resp) {
	t.Helper()
	d := r.Data()
	for _, key := range []string{"services", "items"} {
		lines, _ := d[key].([]any)
		for i, x := range lines {
			l, _ := x.(map[string]any)
			for _, k := range []string{"cost", "first_cost", "manual_cost", "cost_to_pay", "cost_per_unit"} {
				if v, ok := l[k].(float64); ok && (v < 0 || v > maxMoney) {
					t.Fatalf("%q: %s[%d].%s is %v: %s", body, key, i, k, v, truncate(r.Body))
				}
			}
			if a, ok := l["amount"].(float64); ok && (a < 1 || a > maxMoney*100) {
				t.Fatalf("%q: %s[%d].amount is %v: %s", body, key, i, a, truncate(r.Body))
			}
			if dc, ok := l["discount"].(float64); ok && (dc < 0 || dc > 100) {
				t.Fatalf("%q: %s[%d].discount is %v: %s", body, key, i, dc, truncate(r.Body))
			}
		}
	}
	pays, _ := d["payment_transactions"].([]any)
	for i, x := range pays {
		if a, _ := x.(map[string]any)["amount"].(float64); a <= 0 || a > maxMoney {
			t.Fatalf("%q: payment_transactions[%d].amount is %v: %s", body, i, a, truncate(r.Body))
		}
	}
}

// seed adds request bodies (strings as written, anything else as JSON) and
// the shapes every decoder must refuse or accept cleanly; only the first
// engine's env adds them (the corpus is one for all engines).
func (fe *fuzzEnv) seed(f *testing.F, bodies ...any) {
	if !fe.first {
		return
	}
	for _, b := range bodies {
		if s, ok := b.(string); ok {
			f.Add([]byte(s))
			continue
		}
		raw, err := json.Marshal(b)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	for _, s := range []string{``, ` `, `{}`, `[]`, `null`, `{"`, `{"a":1}{}`, `"x"`, `{"a":1}` + "\f", "\xef\xbb\xbf{}", `[{}]`,
		`{"name":"a\u0000b"}`, `{"x\u0000":1}`, `{"a":{"b":["\u0000"]}}`, `{"comment":"\\u0000"}`, "{\"name\":\"\x00\"}"} {
		f.Add([]byte(s))
	}
}

func FuzzRecordCreateBody(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		day := fe.day
		fe.seed(f,
			// The API reference's create example, on a working day.
			fmt.Sprintf(`{"staff_id":1,"services":[{"id":1,"first_cost":9000,"discount":50,"cost":4500}],`+
				`"client":{"phone":"+13155550175","name":"James Smith","email":"j.smith@example.com"},"save_if_busy":false,`+
				`"datetime":"%sT11:00:00.000+03:00","seance_length":3600,"send_sms":true,"comment":"test appointment!",`+
				`"sms_remain_hours":6,"email_remain_hours":24,"attendance":1,"api_id":"777","custom_color":"f44336",`+
				`"record_labels":["67345","104474"],"technical_break_duration":600,`+
				`"custom_fields":{"my_custom_field":123,"some_another_field":["first value","second value"]}}`, day),
			// What YCLIENTS-era clients send: null optional fields, an amount.
			map[string]any{"staff_id": 2, "datetime": day + "T12:00:00", "seance_length": 3600,
				"services":     []any{map[string]any{"id": 2, "first_cost": 1500, "discount": 0, "cost": 1500, "amount": 1}},
				"client":       map[string]any{"phone": "79161234567", "name": "Иван", "email": nil},
				"save_if_busy": false, "send_sms": false, "comment": nil},
			// Existing clients: a top-level client_id, zero reminders.
			map[string]any{"staff_id": "1", "services": []any{map[string]any{"id": "1"}}, "client_id": 1,
				"datetime": day + " 13:30:00", "send_sms": 0, "sms_remain_hours": 0, "email_remain_hours": 0, "save_if_busy": "0"},
			// altegio-pro-mcp: services {id, amount}, send_sms as a number, attendance.
			map[string]any{"staff_id": 1, "services": []any{map[string]any{"id": 1, "amount": 2}},
				"client": map[string]any{"name": "Seat", "phone": "+7 (999) 000-11-22"}, "datetime": day + "T15:00:00+03:00",
				"send_sms": 1, "attendance": 0},
			// team_member_id (the v2 name), a client by id, the offset without a colon.
			map[string]any{"team_member_id": 1, "services": []any{map[string]any{"id": 1}}, "client": map[string]any{"id": 1},
				"datetime": day + "T16:00:00+0300", "technical_break_duration": "600", "save_if_busy": true},
			// A group event seat.
			map[string]any{"activity_id": fe.id(f, "SELECT MIN(id) FROM activities"),
				"client": map[string]any{"phone": "+79990001111", "name": "Seat"}, "clients_count": 2},
			// Busy and outside working hours, with and without save_if_busy.
			map[string]any{"staff_id": 1, "services": []any{map[string]any{"id": 1}}, "client": map[string]any{"id": 1},
				"datetime": day + "T17:00:00"},
			map[string]any{"staff_id": 1, "services": []any{map[string]any{"id": 1}}, "client": map[string]any{"id": 1},
				"datetime": day + "T03:00:00", "save_if_busy": true},
			// Edge values.
			map[string]any{"staff_id": 1, "services": []any{map[string]any{"id": 1, "first_cost": "1e300", "cost": "NaN",
				"amount": 9223372036854775807, "discount": -1}}, "client": map[string]any{"id": 1}, "datetime": day + "T18:00:00"},
			map[string]any{"staff_id": 1, "services": []any{map[string]any{"id": 1, "first_cost": 92233720368547758, "amount": 1000}},
				"client": map[string]any{"id": 1}, "datetime": day + "T18:00:00", "save_if_busy": true},
			map[string]any{"staff_id": 1, "services": []any{map[string]any{"id": 1}}, "client": map[string]any{"id": 1},
				"datetime": "2200-12-31T23:59:59-12:00", "seance_length": 9223372036854775807, "save_if_busy": true},
			map[string]any{"staff_id": -1, "services": []any{map[string]any{"id": 0}}, "client": map[string]any{"id": -9},
				"datetime": "2026-03-29T02:30:00", "sms_remain_hours": -1, "clients_count": -5, "record_labels": []any{-1, "x"}},
			`{"staff_id":1,"services":[{"id":1}],"client":{"name":"\u0000","phone":"+7999000112\u00e9"},"datetime":"`+day+`T19:00:00","custom_fields":[[[[{}]]]]}`,
			`{"staff_id":1.0,"services":{"id":1},"client":"x","datetime":1700000000}`,
		)
		path := fmt.Sprintf("/records/%d", fe.locA)
		return func(t *testing.T, body []byte) {
			checkPrices(t, body, fe.check(t, "POST", path, body))
		}
	})
}

func FuzzRecordEditBody(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		day, rec := fe.day, fe.rec
		client := rec["client"].(map[string]any)
		fe.seed(f,
			// Altegio's rule: resend every main field, here with custom_fields.
			map[string]any{"staff_id": rec["staff_id"], "services": []any{map[string]any{"id": 1, "first_cost": 1500, "discount": 0, "cost": 1500}},
				"client": map[string]any{"phone": client["phone"], "name": client["name"], "email": ""}, "datetime": rec["datetime"],
				"seance_length": rec["seance_length"], "save_if_busy": false, "custom_fields": map[string]any{"code": "v"}},
			// appointd's partial bodies (D5).
			fmt.Sprintf(`{"comment":"moved","datetime":"%sT16:00:00"}`, day),
			map[string]any{"staff_id": 2, "services": []any{map[string]any{"id": 2}}, "seance_length": 1800, "attendance": 1},
			map[string]any{"attendance": "-1", "custom_color": "", "save_if_busy": 1, "client": map[string]any{"phone": "+7 (999) 000-77-77"}},
			map[string]any{"attendance": 2, "api_id": "ext-1", "sms_remain_hours": 3, "send_sms": "true"},
			map[string]any{"datetime": "2026-03-29T02:30:00", "record_labels": []any{"1", 2}},
			map[string]any{"client_id": 1}, map[string]any{"client": nil}, map[string]any{"services": []any{}},
			map[string]any{"activity_id": 0}, map[string]any{"activity_id": 1},
			map[string]any{"technical_break_duration": 3600, "seance_length": 7200, "save_if_busy": true},
			map[string]any{"seance_length": -60}, map[string]any{"seance_length": "9223372036854775807"},
			map[string]any{"datetime": day + "T17:00:00.999999999Z"}, map[string]any{"datetime": "0000-01-01 00:00:00+00:00"},
			map[string]any{"services": []any{map[string]any{"id": 1, "discount": 101, "cost": -1}}},
		)
		path := fmt.Sprintf("/record/%d/%d", fe.locA, num(rec["id"]))
		return func(t *testing.T, body []byte) {
			checkPrices(t, body, fe.check(t, "PUT", path, body))
		}
	})
}

func FuzzVisitEditBody(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		rec := num(fe.rec["id"])
		accounts := fe.do(req{Method: "GET", Path: fmt.Sprintf("/accounts/%d", fe.locA), Auth: fe.userAuth(fe.owner)}).List()
		if len(accounts) < 2 {
			f.Fatalf("accounts: %v", accounts)
		}
		cash, card := num(accounts[0]["id"]), num(accounts[1]["id"])
		fe.seed(f,
			`{"attendance":"1"}`,
			// The API reference's example shapes (ids of this visit).
			map[string]any{"attendance": 1, "comment": "", "deleted_transaction_ids": []any{},
				"new_transactions":   []any{map[string]any{"id": 12345, "amount": 100, "account_id": cash}},
				"services":           []any{map[string]any{"id": 1, "title": "Hand massage (10 min)", "cost": 255, "cost_per_unit": 300, "discount": 15, "first_cost": 300, "record_id": rec}},
				"goods_transactions": []any{map[string]any{"id": 2168657, "amount": -1, "cost_per_unit": 15, "price": 15, "cost": 12, "operation_unit_type": 2, "discount": 20}}},
			// This package's tests.
			map[string]any{"comment": "Постоянный клиент", "services": []any{map[string]any{"id": "1", "discount": 10}},
				"new_transactions": []any{map[string]any{"amount": "1000.50", "account_id": card}}},
			map[string]any{"attendance": 2, "new_transactions": []any{map[string]any{"amount": 5, "account_id": cash}, map[string]any{"amount": 5, "account_id": 999999}}},
			`{"fast_payment":1}`, `{"fast_payment":2}`, `{"fast_payment":129}`, `{"fast_payment":130}`, `{"fast_payment":7}`,
			`{"deleted_transaction_ids":["1"]}`, `{"deleted_transaction_ids":[1,2,3]}`,
			map[string]any{"attendance": -1, "new_transactions": []any{map[string]any{"amount": -5, "account_id": cash}}},
			map[string]any{"attendance": 3}, map[string]any{"services": []any{map[string]any{"id": 1, "discount": 150}}},
			map[string]any{"new_transactions": []any{map[string]any{"amount": "1e300", "account_id": cash}}},
			map[string]any{"new_transactions": []any{map[string]any{"amount": 92233720368547758, "account_id": card},
				map[string]any{"amount": 92233720368547758, "account_id": card}}},
			map[string]any{"services": []any{map[string]any{"id": 1, "record_id": rec, "first_cost": 92233720368547758, "cost": "Infinity"}}},
			map[string]any{"services": []any{map[string]any{"id": 1, "record_id": 999999}}, "new_transactions": []any{map[string]any{"account_id": cash}}},
		)
		path := fmt.Sprintf("/visits/%d/%d", num(fe.rec["visit_id"]), rec)
		return func(t *testing.T, body []byte) {
			checkPrices(t, body, fe.check(t, "PUT", path, body))
		}
	})
}

// FuzzClientBody: one client body through create, edit and (as the one
// element of an array) bulk create.
func FuzzClientBody(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		fe.seed(f,
			`{"name":"Анна","surname":"Петрова","phone":"+79161234567","email":"anna@example.test"}`,
			// Every field of the reference, legacy aliases included.
			map[string]any{"name": "Ivan", "phone": "79990001122", "surname": "Petrov", "patronymic": "Ivanovich", "sex_id": 1,
				"importance_id": 3, "discount": "5", "card": "0001", "birth_date": "1990-05-17", "comment": "VIP", "sms_check": 1,
				"sms_not": 0, "categories": []any{1}, "custom_fields": map[string]any{"k": "v"}, "spent": 1000, "balance": "-20.5"},
			map[string]any{"name": "James", "surname": "Smith", "middle_name": "James", "phone": 13155550178, "email": "",
				"gender_id": 2, "labels": []any{"1"}, "birth_date": nil, "sms_check": "0", "custom_fields": []any{}},
			`{"name":"","phone":"+1"}`, `{"name":"X","phone":"+7999","birth_date":"31.12.1999"}`,
			`{"name":"X","phone":"+79990001122","birth_date":"2026-02-30"}`, `{"name":" ","phone":"  "}`,
			`{"name":"X","phone":"8 (916) 123-45-67","email":"not an email","discount":101,"importance_id":9,"sex_id":-1}`,
			`{"name":"X","phone":"+79990001123","spent":"1e300","balance":"NaN"}`,
			`{"name":"X","phone":"+79990001124","spent":92233720368547758.07,"balance":-92233720368547758}`,
			`{"name":"`+strings.Repeat("я", 300)+`","phone":"+79990001125"}`,
			`{"custom_fields":"x"}`, `{"custom_fields":[1]}`, `{"categories":[999999]}`, `{"labels":null,"categories":null}`,
		)
		create := fmt.Sprintf("/clients/%d", fe.locA)
		bulk := fmt.Sprintf("/clients/%d/bulk", fe.locA)
		edit := fmt.Sprintf("/client/%d/%d", fe.locA, num(fe.rec["client"].(map[string]any)["id"]))
		return func(t *testing.T, body []byte) {
			checkClientMoney(t, body, fe.check(t, "POST", create, body))
			checkClientMoney(t, body, fe.check(t, "PUT", edit, body))
			checkClientMoney(t, body, fe.check(t, "POST", bulk, append(append([]byte("["), body...), ']')))
		}
	})
}

// checkClientMoney: the spent and balance of the clients in a success are
// amounts booking accepts (at most 2^53 minor units either way), not what
// a NaN or 1e300 turned into on its way to int64.
func checkClientMoney(t *testing.T, body []byte, r resp) {
	t.Helper()
	clients := []any{r.Data()}
	if created, ok := r.Data()["created"].([]any); ok {
		clients = created
	}
	for _, x := range clients {
		c, _ := x.(map[string]any)
		for _, k := range []string{"spent", "balance"} {
			if v, ok := c[k].(float64); ok && (v < -(1<<53)/100 || v > (1<<53)/100) {
				t.Fatalf("%q: %s is %v: %s", body, k, v, truncate(r.Body))
			}
		}
	}
}

// FuzzWorkScheduleBody: the bulk schedule body and the one-member day body
// (dated by the body, or by the path's range).
func FuzzWorkScheduleBody(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		fe.seed(f,
			map[string]any{"schedules_to_set": []any{map[string]any{"team_member_id": "1", "dates": []string{"2030-06-07"},
				"slots": []any{map[string]string{"from": "10:00", "to": "12:00"}}}}},
			map[string]any{"schedules_to_delete": []any{map[string]any{"team_member_id": 1, "dates": []string{"2030-06-07", "2030-06-08"}}}},
			map[string]any{"schedules_to_set": []any{map[string]any{"staff_id": 2, "dates": []string{"20300609", "2030-06-10"},
				"slots": []any{map[string]string{"from": "09:00", "to": "13:00"}, map[string]string{"from": "14:00", "to": "18:00"}}}},
				"schedules_to_delete": []any{map[string]any{"staff_id": 3, "dates": []string{"2030-06-09"}}}},
			map[string]any{"schedules_to_set": []any{map[string]any{"team_member_id": 999999, "dates": []string{"2030-06-07"},
				"slots": []any{map[string]string{"from": "12:00", "to": "10:00"}}}}},
			map[string]any{"is_working": true, "date": "2030-06-09", "slots": []any{map[string]string{"from": "15:00", "to": "19:00"}, map[string]string{"from": "10:00", "to": "13:00"}}},
			map[string]any{"is_working": 1, "date": "20300611", "slots": []any{map[string]string{"from": "10:00:00", "to": "24:00"}}},
			`{"is_working":false,"date":"2030-06-10"}`, `{"is_working":0,"date":"2030-06-10","slots":[]}`,
			`{"is_working":true,"date":"2030-06-10","slots":[]}`, `{"slots":[{"from":"25:00","to":"24:00"}],"date":"2030-06-11"}`,
			`{"slots":[{"from":"10:00","to":"12:00"},{"from":"11:00","to":"13:00"}],"date":"2030-06-12"}`,
			`{"date":"2030-06-12","slots":[{"from":"9:00","to":"9:15"}]}`, `{"date":"1899-12-31","is_working":false}`,
			`{"schedules_to_set":[{"team_member_id":1,"dates":[],"slots":[]}],"schedules_to_delete":[{"team_member_id":1,"dates":["x"]}]}`,
		)
		bulk := fmt.Sprintf("/company/%d/staff/schedule", fe.locA)
		one := fmt.Sprintf("/schedule/%d/1", fe.locA)
		week := fmt.Sprintf("/schedule/%d/2/20300701/20300707", fe.locA)
		return func(t *testing.T, body []byte) {
			fe.check(t, "PUT", bulk, body)
			fe.check(t, "PUT", one, body)
			fe.check(t, "PUT", week, body)
		}
	})
}

// FuzzGroupEventBody: the group event body, creating and editing.
func FuzzGroupEventBody(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		act := fe.id(f, "SELECT MIN(id) FROM activities")
		svc := fe.id(f, fmt.Sprintf("SELECT service_id FROM activities WHERE id = %d", act))
		member := fe.id(f, fmt.Sprintf("SELECT team_member_id FROM activities WHERE id = %d", act))
		fe.seed(f,
			map[string]any{"date": "2030-03-02T19:00:00", "service_id": svc, "staff_id": member, "capacity": 3, "length": 3600},
			map[string]any{"date": "2030-03-03 10:00:00", "service_id": fmt.Sprint(svc), "staff_id": fmt.Sprint(member), "capacity": "0",
				"length": -5, "resource_instance_ids": []any{1}, "label_ids": []any{2}, "comment": "x", "color": "#ff0000",
				"font_color": "#ffffff", "instructions": "Bring tweezers", "stream_link": "https://example.test/live", "force": true},
			map[string]any{"date": fe.day + " 19:00", "service_id": svc, "staff_id": member, "capacity": 6, "length": 5400, "force": false},
			map[string]any{"date": fe.day + "T17:00:00+03:00", "service_id": 1, "staff_id": 1, "capacity": 1, "length": 1800},
			`{"capacity":1}`, `{"capacity":100000,"length":86400}`, `{"comment":"front row","date":"2030-03-04T18:00:00"}`,
			`{"service_id":999999,"staff_id":999999}`, `{"label_ids":["1",null,2]}`, `{"length":"9223372036854775807","force":1}`,
			`{"date":"2200-12-31T23:30:00Z","length":7200,"force":true}`,
		)
		create := fmt.Sprintf("/activity/%d", fe.locA)
		edit := fmt.Sprintf("/activity/%d/%d", fe.locA, act)
		return func(t *testing.T, body []byte) {
			fe.check(t, "POST", create, body)
			fe.check(t, "PUT", edit, body)
		}
	})
}

// FuzzEventScheduleBodies: the event schedule body (create, change the
// end) and the series body (add, change), against the demo's weekly
// workshop and a group event of its own that no schedule holds yet.
func FuzzEventScheduleBodies(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		schedule := fe.id(f, "SELECT MIN(id) FROM event_schedules")
		series := fe.id(f, fmt.Sprintf("SELECT MIN(id) FROM schedule_series WHERE schedule_id = %d", schedule))
		act := fe.id(f, "SELECT MIN(id) FROM activities")
		svc := fe.id(f, fmt.Sprintf("SELECT service_id FROM activities WHERE id = %d", act))
		member := fe.id(f, fmt.Sprintf("SELECT team_member_id FROM activities WHERE id = %d", act))
		free := num(fe.fixture(f, "POST", fmt.Sprintf("/activity/%d", fe.locA), 200, map[string]any{
			"date": "2030-03-05T10:00:00", "service_id": svc, "staff_id": member, "capacity": 4, "length": 3600, "force": true})["id"])
		fe.seed(f,
			map[string]any{"original_entity_type": "activity", "original_entity_id": free, "date_end": "2030-03-31",
				"add_clients_from_original_entity": false, "days": []any{
					map[string]any{"day_of_week": "thu", "events_master_id": member, "events_time": "07:30:00", "events_duration": 1800, "events_capacity": 2},
					map[string]any{"day_of_week": "tue", "events_master_id": member, "events_time": "19:00:00", "events_duration": 3600, "events_capacity": 3,
						"labels_ids": []any{}, "resource_instances_ids": []any{}}}},
			map[string]any{"original_entity_type": "record", "original_entity_id": num(fe.rec["id"]), "date_end": "2030-04-30",
				"add_clients_from_original_entity": "1", "days": []any{map[string]any{"day_of_week": "mon", "events_master_id": member,
					"events_time": "10:00:00", "events_duration": 3600, "events_capacity": 1}}},
			map[string]any{"day_of_week": "wed", "events_master_id": fmt.Sprint(member), "events_time": "19:00:00", "events_duration": "3600", "events_capacity": 3},
			map[string]any{"force": true, "events_time": "20:00:00", "events_duration": 5400, "events_capacity": 8, "labels_ids": []any{1}},
			map[string]any{"force": false, "events_master_id": member},
			`{"date_end":"2020-01-01"}`, `{"date_end":"`+time.Now().AddDate(0, 3, 0).Format("2006-01-02")+`"}`,
			`{"date_end":"2200-01-01"}`, `{"date_end":"20301231"}`, `{"events_time":"7:30","force":1}`,
			`{"day_of_week":"someday","events_time":"24:00:00","events_duration":-1,"events_capacity":0,"force":true}`,
			`{"original_entity_type":"activity","original_entity_id":`+fmt.Sprint(act)+`,"date_end":"2030-01-01","days":[]}`,
		)
		base := fmt.Sprintf("/company/%d/schedules", fe.locA)
		return func(t *testing.T, body []byte) {
			fe.check(t, "POST", base, body)
			fe.check(t, "PATCH", fmt.Sprintf("%s/%d", base, schedule), body)
			fe.check(t, "POST", fmt.Sprintf("%s/%d/days", base, schedule), body)
			fe.check(t, "PATCH", fmt.Sprintf("%s/%d/days/%d", base, schedule, series), body)
		}
	})
}

// FuzzClientScheduleBody: the recurring-appointments body, creating and
// changing a client schedule of the demo's workshop.
func FuzzClientScheduleBody(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		schedule := fe.id(f, "SELECT MIN(id) FROM event_schedules")
		cs := fe.id(f, fmt.Sprintf("SELECT MIN(id) FROM client_schedules WHERE schedule_id = %d", schedule))
		tue := fe.id(f, fmt.Sprintf("SELECT MIN(id) FROM schedule_series WHERE schedule_id = %d", schedule))
		thu := fe.id(f, fmt.Sprintf("SELECT MAX(id) FROM schedule_series WHERE schedule_id = %d", schedule))
		client := num(fe.rec["client"].(map[string]any)["id"])
		fe.seed(f,
			map[string]any{"client_id": client, "schedule_days_ids": []any{tue, thu}},
			map[string]any{"client_id": fmt.Sprint(client), "schedule_days_ids": []any{fmt.Sprint(thu)}, "comer_id": client},
			map[string]any{"schedule_days_ids": []any{tue}}, map[string]any{"schedule_days_ids": []any{thu, tue, thu}},
			map[string]any{"client_id": 1, "schedule_days_ids": []any{1, 2, 3, 4, 5, 6, 7, 8}},
			`{"client_id":"1","schedule_days_ids":[]}`, `{"client_id":999999,"schedule_days_ids":[1]}`,
			`{"client_id":1,"schedule_days_ids":[-1,0,null]}`, `{"client_id":1,"schedule_days_ids":"1"}`,
		)
		base := fmt.Sprintf("/company/%d/schedules/%d/client_schedules", fe.locA, schedule)
		return func(t *testing.T, body []byte) {
			fe.check(t, "POST", base, body)
			fe.check(t, "PATCH", fmt.Sprintf("%s/%d", base, cs), body)
		}
	})
}

// FuzzLocationBody: the location body, creating a location and editing
// the demo's.
func FuzzLocationBody(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		fe.seed(f,
			// The create fields of the API reference (coordinate_lot sic).
			map[string]any{"title": "Studio North", "country_id": 1, "city_id": 2, "address": "1 Main St", "site": "https://studio.example",
				"coordinate_lat": 55.7558, "coordinate_lot": 37.6173, "business_type_id": 1, "short_descr": "Beauty salon"},
			// An edit as clients send it: numbers as strings, phones, social.
			map[string]any{"title": "Салон на Арбате", "timezone_name": "Europe/Moscow", "phones": []any{"+74951234567", 74957654321},
				"email": "salon@example.test", "zip": "119002", "coordinate_lat": "55.7520", "coordinate_lon": "37.5929",
				"currency_short_title": "₽", "description": "<p>Hair &amp; nails</p>",
				"social": map[string]any{"instagram": "salon", "telegram": "@salon", "whatsapp": "+74951234567"}},
			`{"title":"Other","timezone_name":"America/New_York","coordinate_lat":-90,"coordinate_lon":180}`,
			`{"coordinate_lat":90.5,"coordinate_lon":-180.1}`, `{"timezone_name":"Mars/Olympus"}`, `{"title":""}`,
			`{"phones":null,"social":null}`, `{"social":{"vk":1}}`, `{"country_id":"x"}`,
			`{"coordinate_lat":"Infinity","coordinate_lon":"-1e400"}`, `{"coordinate_lot":"55.75e1","country_id":9223372036854775807}`,
		)
		create := "/companies"
		edit := fmt.Sprintf("/company/%d", fe.locA)
		return func(t *testing.T, body []byte) {
			fe.check(t, "POST", create, body)
			fe.check(t, "PUT", edit, body)
		}
	})
}

// FuzzServiceBody: the catalog's service body (the prices every booking
// starts from), creating a service and editing the demo's first.
func FuzzServiceBody(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		category := fe.id(f, fmt.Sprintf("SELECT MIN(id) FROM service_categories WHERE location_id = %d", fe.locA))
		fe.seed(f,
			// This package's catalog test, and the legacy master_id link.
			map[string]any{"title": "Haircut", "category_id": category, "price_min": "1500.50", "price_max": 2500, "duration": 3600,
				"technical_break_duration": 600, "staff": []any{map[string]any{"id": 1, "seance_length": 2700}}},
			map[string]any{"title": "Маникюр", "booking_title": "Manicure", "category_id": fmt.Sprint(category), "price_min": 1800,
				"price_max": "1800", "duration": "2700", "discount": 0, "comment": "", "weight": 5, "active": 1, "api_id": "svc-7",
				"staff": []any{map[string]any{"master_id": "2", "seance_length": 3600, "technological_card_id": 0}}},
			`{"price_min":100,"price_max":50}`, `{"technical_break_duration":null}`, `{"technical_break_duration":"x"}`,
			`{"duration":299}`, `{"staff":[]}`, `{"staff":[{"id":999999}]}`, `{"active":"false","title":"Off"}`,
			`{"price_min":"NaN","price_max":"Infinity"}`, `{"price_min":1000000000.01,"price_max":1e300}`,
		)
		create := fmt.Sprintf("/services/%d", fe.locA)
		edit := fmt.Sprintf("/services/%d/1", fe.locA)
		return func(t *testing.T, body []byte) {
			fe.check(t, "POST", create, body)
			fe.check(t, "PATCH", edit, body)
		}
	})
}

// FuzzHooksSettingsBody: the webhook settings body (Altegio's
// hooks_settings), saved for the demo location.
func FuzzHooksSettingsBody(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		fe.seed(f,
			// The API reference's example.
			map[string]any{"urls": []string{"https://dev.tools.test.com/test/Hooks"}, "active": 1, "salon": 1, "service_category": 0,
				"service": 1, "good": 1, "master": 1, "client": 1, "record": 1, "goods_operations_sale": 1, "finances_operation": 1},
			map[string]any{"urls": []string{}, "active": "0", "record": "1", "visit": true, "secret": "0123456789abcdef"},
			`{"urls":["http://a.example/x","http://a.example/x"],"active":true}`, `{"urls":null,"active":1}`,
			`{"urls":["javascript:alert(1)"],"active":1}`, `{"urls":[1,2],"active":1}`, `{"urls":["https://[::1]:80/"],"active":2}`,
			`{"urls":["https://a.example"],"active":1,"secret":12345678901234567}`, `{"urls":{},"active":1}`,
		)
		path := fmt.Sprintf("/hooks_settings/%d", fe.locA)
		return func(t *testing.T, body []byte) {
			fe.check(t, "POST", path, body)
		}
	})
}

// FuzzListQuery: the query string of every paged list (body is the query,
// re-encoded so that any input makes a URL). Beyond the shared invariant,
// a page past the first never repeats the first page's rows: an offset
// that overflowed int64 turned negative and answered page 1 on SQLite (and
// 500 on PostgreSQL).
func FuzzListQuery(f *testing.F) {
	fuzzEngines(f, func(f *testing.F, fe *fuzzEnv) func(*testing.T, []byte) {
		day := fe.day
		fe.seed(f, "page=9223372036854775807", "page=4611686018427387904&count=2", "page=1000", "page=2&count=1",
			"page=2&count=1&from="+day+"&till="+day, "page=-1", "count=0", "count=9223372036854775807&page=3",
			"page=1e3", "page= 2", "fullname=%00", "page=%00", "x%00=1", "page=100000000000&count=200", "page=1000000001&count=1")
		paths := []string{
			fmt.Sprintf("/records/%d", fe.locA), fmt.Sprintf("/clients/%d", fe.locA), fmt.Sprintf("/comments/%d", fe.locA),
			fmt.Sprintf("/activity/%d/search", fe.locA), fmt.Sprintf("/hooks_settings/%d/deliveries", fe.locA), "/companies",
		}
		return func(t *testing.T, body []byte) {
			q, err := url.ParseQuery(string(body))
			if err != nil {
				return
			}
			first := url.Values{}
			for k, v := range q {
				first[k] = v
			}
			first.Set("page", "1")
			for _, p := range paths {
				r := fe.check(t, "GET", p+"?"+q.Encode(), nil)
				if r.Status != http.StatusOK || len(r.List()) == 0 {
					continue
				}
				if page, err := strconv.ParseInt(strings.TrimSpace(q.Get("page")), 10, 64); err != nil || page < 2 {
					continue
				}
				if count, _ := strconv.ParseInt(strings.TrimSpace(q.Get("count")), 10, 64); p == "/companies" && count == 0 {
					continue // count 0 lists every location: no pages at all
				}
				one := fe.check(t, "GET", p+"?"+first.Encode(), nil)
				if l := one.List(); len(l) > 0 && fmt.Sprint(l[0]) == fmt.Sprint(r.List()[0]) {
					t.Fatalf("GET %s?%s answers page 1's rows: %s", p, q.Encode(), truncate(r.Body))
				}
			}
		}
	})
}
