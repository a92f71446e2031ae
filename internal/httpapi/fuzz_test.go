package httpapi_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"appointd/internal/booking"
	"appointd/internal/demo"
	"appointd/internal/testenv"
)

// Fuzz targets for every request body family, through the real handler on
// a real SQLite database. The invariant for any body: no panic, no 5xx; a
// 4xx is one of the statuses the API documents for bad input, in the
// envelope with a message; every answer matches api/openapi.yaml (e.do
// checks). Seeds are real requests: the README's, the tests', and the
// fields Altegio clients send.

// fuzzEnv is one seeded server for a whole fuzz run (seeding per input
// would leave no time to fuzz).
type fuzzEnv struct {
	*env
	owner string
	day   string
	rec   map[string]any // an appointment of the owner, for the edit targets
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	e := newEnv(f, "sqlite", testenv.DSN(f, "sqlite"), booking.Options{}, true)
	fe := &fuzzEnv{env: e, owner: e.login(demo.OwnerLogin, demo.Password)}
	day := time.Now().AddDate(0, 0, 3)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	fe.day = day.Format("2006-01-02")
	r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(fe.owner), Body: map[string]any{
		"staff_id": 1, "services": []map[string]any{{"id": 1}}, "datetime": fe.day + "T17:00:00",
		"client": map[string]any{"name": "Fuzz Target", "phone": "+79990007777"}}})
	if r.Status != 201 {
		f.Fatalf("fixture appointment: %d %s", r.Status, r.Body)
	}
	fe.rec = r.Data()
	return fe
}

// check sends body and asserts the invariant.
func (fe *fuzzEnv) check(t *testing.T, method, path string, body []byte) {
	fe.t = t // e.do and its contract check report through this input's t
	r := fe.do(req{Method: method, Path: path, Auth: fe.userAuth(fe.owner), Body: body})
	switch {
	case r.Status >= 500:
		t.Fatalf("%s %s %q: %d %s", method, path, body, r.Status, r.Body)
	case r.Status >= 400:
		if !documentedBadInput[r.Status] {
			t.Fatalf("%s %s %q: undocumented status %d %s", method, path, body, r.Status, r.Body)
		}
		if r.JSON["success"] != false || r.Message() == "" {
			t.Fatalf("%s %s %q: %d without the error envelope: %s", method, path, body, r.Status, r.Body)
		}
	case r.Status >= 200 && r.Status < 300 && r.Status != 204:
		if r.JSON["success"] != true {
			t.Fatalf("%s %s %q: %d without success: %s", method, path, body, r.Status, r.Body)
		}
	}
}

// documentedBadInput: 400 not JSON, 403 a right the body asks for (paying,
// attendance), 404 an id of nothing, 409 a duplicate, 413 too large, 422
// invalid.
var documentedBadInput = map[int]bool{400: true, 403: true, 404: true, 409: true, 413: true, 422: true}

func seed(f *testing.F, bodies ...any) {
	for _, b := range bodies {
		if s, ok := b.(string); ok {
			f.Add([]byte(s))
			continue
		}
		raw, _ := json.Marshal(b)
		f.Add(raw)
	}
	for _, s := range []string{``, `{}`, `[]`, `null`, `{"`, `{"a":1}{}`, `"x"`} {
		f.Add([]byte(s))
	}
}

func FuzzRecordCreateBody(f *testing.F) {
	seed(f,
		`{"staff_id":1,"services":[{"id":1}],"client":{"name":"Jane Roe","phone":"+79990001234"},"datetime":"2026-12-01T11:00:00"}`,
		map[string]any{"staff_id": "2", "services": []any{map[string]any{"id": "3", "first_cost": "1500", "discount": 10, "cost": 1350}},
			"client":       map[string]any{"phone": "79161234567", "name": "Иван", "email": "ivan@example.test"},
			"save_if_busy": false, "datetime": "2026-12-01 15:30:00", "seance_length": 3600, "send_sms": true,
			"sms_remain_hours": 2, "email_remain_hours": 24, "comment": "через API", "api_id": "ext-42",
			"attendance": 0, "custom_color": "#ff0000", "record_labels": []any{1}, "custom_fields": map[string]any{"a": 1}},
		map[string]any{"staff_id": 1, "services": []any{map[string]any{"id": 1}}, "client": map[string]any{"id": 3},
			"datetime": "2026-12-01T10:00:00+03:00", "technical_break_duration": "600"},
		map[string]any{"activity_id": 1, "client": map[string]any{"phone": "+79990001111", "name": "Seat"}, "clients_count": 2},
	)
	fe := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, "POST", fmt.Sprintf("/records/%d", fe.locA), body)
	})
}

func FuzzRecordEditBody(f *testing.F) {
	seed(f,
		`{"comment":"moved","datetime":"2026-12-01T16:00:00"}`,
		map[string]any{"staff_id": 2, "services": []any{map[string]any{"id": 2}}, "seance_length": 1800, "attendance": 1},
		map[string]any{"attendance": "-1", "custom_color": "", "save_if_busy": 1, "client": map[string]any{"phone": "+7 (999) 000-77-77"}},
		map[string]any{"datetime": "2026-03-29T02:30:00", "record_labels": []any{"1", 2}},
	)
	fe := newFuzzEnv(f)
	path := fmt.Sprintf("/record/%d/%d", fe.locA, num(fe.rec["id"]))
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, "PUT", path, body)
	})
}

func FuzzVisitEditBody(f *testing.F) {
	seed(f,
		`{"attendance":"1"}`,
		map[string]any{"comment": "Постоянный клиент", "services": []any{map[string]any{"id": "1", "discount": 10}},
			"new_transactions": []any{map[string]any{"amount": "1000.50", "account_id": 2}}},
		`{"fast_payment":1}`, `{"fast_payment":2}`, `{"deleted_transaction_ids":["1"]}`,
		map[string]any{"attendance": -1, "new_transactions": []any{map[string]any{"amount": -5, "account_id": 1}}},
	)
	fe := newFuzzEnv(f)
	path := fmt.Sprintf("/visits/%d/%d", num(fe.rec["visit_id"]), num(fe.rec["id"]))
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, "PUT", path, body)
	})
}

func FuzzClientBody(f *testing.F) {
	seed(f,
		`{"name":"Анна","surname":"Петрова","phone":"+79161234567","email":"anna@example.test"}`,
		map[string]any{"name": "Ivan", "phone": "79990001122", "sex_id": 1, "importance_id": 3, "discount": "5",
			"card": "0001", "birth_date": "1990-05-17", "comment": "VIP", "sms_check": 1, "sms_not": 0,
			"categories": []any{1}, "custom_fields": map[string]any{"k": "v"}, "spent": 1000, "balance": 0},
		`{"name":"","phone":"+1"}`, `{"name":"X","phone":"+7999","birth_date":"31.12.1999"}`,
	)
	fe := newFuzzEnv(f)
	create := fmt.Sprintf("/clients/%d", fe.locA)
	edit := fmt.Sprintf("/client/%d/%d", fe.locA, num(fe.rec["client"].(map[string]any)["id"]))
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, "POST", create, body)
		fe.check(t, "PUT", edit, body)
	})
}

func FuzzWorkScheduleBody(f *testing.F) {
	seed(f,
		map[string]any{"schedules_to_set": []any{map[string]any{"team_member_id": "1", "dates": []string{"2030-06-07"},
			"slots": []any{map[string]string{"from": "10:00", "to": "12:00"}}}}},
		map[string]any{"schedules_to_delete": []any{map[string]any{"team_member_id": 1, "dates": []string{"2030-06-07", "2030-06-08"}}}},
		map[string]any{"is_working": true, "date": "2030-06-09", "slots": []any{map[string]string{"from": "15:00", "to": "19:00"}, map[string]string{"from": "10:00", "to": "13:00"}}},
		`{"is_working":false,"date":"2030-06-10"}`, `{"slots":[{"from":"25:00","to":"24:00"}],"date":"2030-06-11"}`,
	)
	fe := newFuzzEnv(f)
	bulk := fmt.Sprintf("/company/%d/staff/schedule", fe.locA)
	one := fmt.Sprintf("/schedule/%d/1", fe.locA)
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, "PUT", bulk, body)
		fe.check(t, "PUT", one, body)
	})
}

func FuzzGroupEventBody(f *testing.F) {
	seed(f,
		map[string]any{"date": "2030-03-02T19:00:00", "service_id": 1, "staff_id": 1, "capacity": 3, "length": 3600},
		map[string]any{"date": "2030-03-03 10:00:00", "service_id": "1", "staff_id": "1", "capacity": "0", "length": -5,
			"resource_instance_ids": []any{1}, "labels": []any{2}, "comment": "x", "stream_link": "https://example.test", "force": true},
	)
	fe := newFuzzEnv(f)
	path := fmt.Sprintf("/activity/%d", fe.locA)
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, "POST", path, body)
	})
}

// FuzzEventScheduleBodies: the schedule create, series add and recurring
// (client schedule) bodies, against the demo's weekly workshop.
func FuzzEventScheduleBodies(f *testing.F) {
	seed(f,
		map[string]any{"original_entity_type": "activity", "original_entity_id": 1, "date_end": "2030-03-31",
			"add_clients_from_original_entity": false, "days": []any{
				map[string]any{"day_of_week": "thu", "events_master_id": 1, "events_time": "07:30:00", "events_duration": 1800, "events_capacity": 2}}},
		map[string]any{"day_of_week": "wed", "events_master_id": "1", "events_time": "19:00:00", "events_duration": "3600", "events_capacity": 3},
		map[string]any{"client_id": 1, "schedule_days_ids": []any{1, 2}},
		`{"client_id":"1","schedule_days_ids":[]}`, `{"date_end":"2020-01-01"}`, `{"events_time":"7:30"}`,
	)
	fe := newFuzzEnv(f)
	var schedule, series int64
	db, err := sql.Open("sqlite", strings.TrimPrefix(fe.dsn, "sqlite:"))
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow("SELECT MIN(id) FROM event_schedules").Scan(&schedule); err != nil {
		f.Fatal(err)
	}
	if err := db.QueryRow("SELECT MIN(id) FROM schedule_series").Scan(&series); err != nil {
		f.Fatal(err)
	}
	base := fmt.Sprintf("/company/%d/schedules", fe.locA)
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, "POST", base, body)
		fe.check(t, "POST", fmt.Sprintf("%s/%d/days", base, schedule), body)
		fe.check(t, "POST", fmt.Sprintf("%s/%d/client_schedules", base, schedule), body)
		fe.check(t, "PATCH", fmt.Sprintf("%s/%d/days/%d", base, schedule, series), body)
	})
}
