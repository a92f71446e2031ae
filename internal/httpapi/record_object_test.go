package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"appointd/internal/demo"
)

// recordSample is the appointment object of the reference (4.2), built
// from its field list with the documented types and examples. documents,
// consumables and finance_transactions are left to their own tests.
const recordSample = `{"id":2,"company_id":4564,"staff_id":9,
"services":[{"id":1,"title":"Hair extension","cost":100,"cost_to_pay":100,"manual_cost":100,"cost_per_unit":100,"discount":0,
  "first_cost":100,"amount":1,"assistants":null,"staff_service_link":{"length":3600},"company_service_link":{"price_min":100,"price_max":100}}],
"goods_transactions":[],
"staff":{"id":9,"api_id":null,"name":"Alex Taylor","specialization":"hair extension","position":null,
  "avatar":"http://app.alteg.io/images/no-master-sm.png","avatar_big":"http://app.alteg.io/images/no-master.png","rating":0,"votes_count":0},
"client":{"id":18936825,"name":"lx","surname":"","middle_name":"","patronymic":"","display_name":"lx","comment":"",
  "phone":"+13155550175","card":"","email":"client@example.com","success_visits_count":37,"fail_visits_count":3,"discount":0,
  "is_new":false,"custom_fields":[],"gender":0,"sex":0,"birthday":null,"client_tags":[],"phone_country_id":0},
"clients_count":1,"date":"2026-09-21T23:00:00.000-05:00","datetime":"2026-09-21T23:00:00.000-05:00",
"create_date":"2026-01-17T19:41:44-0500","comment":"do not write down","online":false,"visit_attendance":0,"attendance":0,
"confirmed":1,"seance_length":3600,"length":3600,"sms_before":0,"sms_now":0,"sms_now_text":"","email_now":0,"notified":0,
"master_request":0,"api_id":"","from_url":"","review_requested":0,"is_remind_sms_sent":false,"visit_id":8263004,
"created_user_id":1073232,"deleted":false,"paid_full":0,"prepaid":false,"prepaid_confirmed":false,
"last_change_date":"2026-01-17T19:44:14-0500","custom_color":"f44336","custom_font_color":"#ffffff",
"record_labels":[],"activity_id":0,"custom_fields":null,"documents":[],"sms_remain_hours":5,"email_remain_hours":1,
"bookform_id":0,"record_from":"","is_mobile":0,"is_sale_bill_printed":false,"acceptance_free":null,"comer":null,
"is_update_blocked":false,"payment_status":0,"resource_instance_ids":[],"short_link":"","technical_break_duration":0}`

// recordGetSample adds what only GET /record shows.
var recordGetSample = recordSample[:len(recordSample)-1] + `,"comer_person_info":null}`

// partnerRecordSample is an item of GET /records/partner (4.8); the
// reference lists fields without types, so the values follow the
// appointment object's types for the same fields.
const partnerRecordSample = `{"id":2,"date":"2025-11-17 00:00:00","datetime":"2025-11-17T00:00:00+0400",
"create_date":"2025-11-01T10:00:00+0400","comment":"","deleted":false,"attendance":0,"length":3600,"notify_by_sms":0,
"notify_by_email":0,"master_requested":true,"online":false,"api_id":"","last_change_date":"2025-11-01T10:00:00+0400",
"prepaid":false,"prepaid_confirmed":false,"activity_id":0,
"services":[{"id":1,"title":"Haircut","cost":100,"price_min":100,"price_max":200,"discount":0,"amount":1}],
"company":{"id":4564,"title":"Salon","public_title":"Salon","business_group_id":0,"business_type_id":1,"country_id":1,
  "city_id":2,"timezone":4,"timezone_name":"Asia/Dubai","address":"","coordinate_lat":25.2,"coordinate_lon":55.3,"logo":"",
  "zip":"","phone":"","phones":[],"site":"","allow_delete_record":true,"allow_change_record":true,"country":"","city":""},
"staff":{"id":9,"name":"Alex Taylor","company_id":4564,"specialization":"","position":null,"rating":0,"show_rating":1,
  "comments_count":0,"votes_count":0,"average_score":4.5,"avatar":"","prepaid":"forbidden"},
"client":{"id":1,"name":"lx","phone":"+13155550175","phone_code":"","email":""},
"custom_fields":null}`

// bookOne books Anna's haircut at 10:00 on the first booking day as the
// owner, with reminders of 5 and 1 hours.
func bookOne(t *testing.T, e *env, owner string) map[string]any {
	t.Helper()
	anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
	r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner),
		Body: map[string]any{"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "datetime": bookingDay() + "T10:00:00",
			"client": map[string]any{"name": "Lena", "phone": "+7 916 555-77-01"}, "sms_remain_hours": 5, "email_remain_hours": 1}})
	expect(t, r, http.StatusCreated)
	return r.Data()
}

func TestRecordObjectShape(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		created := bookOne(t, e, owner)
		assertShape(t, "create", recordSample, created)
		id := num(created["id"])

		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(owner)})
		expect(t, r, 200)
		assertShape(t, "get", recordGetSample, r.Data())
		if _, ok := r.Data()["comer_person_info"]; !ok {
			t.Fatal("get has no comer_person_info")
		}

		r = e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(owner),
			Body: map[string]any{"comment": "edited", "sms_remain_hours": 0}})
		expect(t, r, http.StatusCreated)
		assertShape(t, "edit", recordSample, r.Data())
		if num(r.Data()["sms_remain_hours"]) != 0 || r.Data()["sms_remain_hours"] == nil {
			t.Fatalf("sms_remain_hours 0: %v", r.Data()["sms_remain_hours"])
		}

		client := num(created["client"].(map[string]any)["id"])
		r = e.do(req{Method: "GET", Path: fmt.Sprintf("/records/%d?client_id=%d", e.locA, client), Auth: e.userAuth(owner)})
		expect(t, r, 200)
		if len(r.List()) != 1 {
			t.Fatalf("list: %s", truncate(r.Body))
		}
		assertShape(t, "list", recordSample, r.List()[0])

		r = e.do(req{Method: "GET", Path: "/records/partner", Auth: e.userAuth(owner)})
		expect(t, r, 200)
		if len(r.List()) != 1 {
			t.Fatalf("partner list: %s", truncate(r.Body))
		}
		item := r.List()[0]
		assertShape(t, "partner", partnerRecordSample, item)
		if item["master_requested"] != true || item["company"].(map[string]any)["allow_change_record"] != true ||
			item["company"].(map[string]any)["allow_delete_record"] != true || num(item["notify_by_email"]) != 1 {
			t.Fatalf("partner item: %v", item)
		}
	})
}

// confirmed is the appointment's own flag: 1 for a staff or API booking,
// whatever its attendance becomes.
func TestRecordConfirmedStaysAfterAttendance(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		a := bookOne(t, e, owner)
		if num(a["confirmed"]) != 1 {
			t.Fatalf("a new booking: confirmed %v", a["confirmed"])
		}
		for _, att := range []int{2, -1, 1, 0} {
			r := e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, num(a["id"])), Auth: e.userAuth(owner),
				Body: map[string]any{"attendance": att}})
			expect(t, r, http.StatusCreated)
			if num(r.Data()["attendance"]) != int64(att) || num(r.Data()["confirmed"]) != 1 {
				t.Fatalf("attendance %d: attendance %v confirmed %v", att, r.Data()["attendance"], r.Data()["confirmed"])
			}
		}
	})
}

// payment_status follows the visit's payments: 0 none, 1 part, 2 in full;
// is_update_blocked marks a paid-in-full visit for a user without
// record_edit_full_paid_access, and what is outside a worker's column.
func TestRecordPaymentStatusAndUpdateBlocked(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newVisitFixture(t, e)
		get := func(tok string, id int64) map[string]any {
			r := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(tok)})
			expect(t, r, 200)
			return r.Data()
		}
		check := func(status int64, workerBlocked bool) {
			t.Helper()
			for _, id := range []int64{f.haircut, f.manicure} {
				w, o := get(f.worker, id), get(f.owner, id)
				if num(w["payment_status"]) != status || num(o["payment_status"]) != status {
					t.Fatalf("record %d: payment_status %v, want %d", id, w["payment_status"], status)
				}
				if w["is_update_blocked"] != workerBlocked || o["is_update_blocked"] != false {
					t.Fatalf("record %d: is_update_blocked worker %v owner %v, want %v and false", id,
						w["is_update_blocked"], o["is_update_blocked"], workerBlocked)
				}
			}
		}
		check(0, false)
		expect(t, f.edit(e, f.worker, f.manicure, map[string]any{"new_transactions": []map[string]any{{"amount": 1000, "account_id": f.card}}}), 200)
		check(1, false)
		expect(t, f.edit(e, f.worker, f.haircut, map[string]any{"fast_payment": 1}), 200)
		check(2, true)

		// Linked to Anna, the worker sees the whole visit; Vera's
		// manicure is outside the worker's column.
		workerID := e.userID(f.owner, e.locA, "Demo Worker")
		anna, _ := demoIDs(t, e, f.owner, "Anna Smirnova", "Women's haircut")
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: e.userAuth(f.owner),
			Body: map[string]any{"staff_id": anna, "user_permissions": []map[string]any{{"slug": "record_edit_full_paid_access", "value": true}}}}), 200)
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/visits/%d", f.visit), Auth: e.userAuth(f.worker)})
		expect(t, r, 200)
		blocked := map[int64]any{}
		for _, rec := range r.Data()["records"].([]any) {
			m := rec.(map[string]any)
			blocked[num(m["id"])] = m["is_update_blocked"]
		}
		if blocked[f.haircut] != false || blocked[f.manicure] != true {
			t.Fatalf("Anna's worker: is_update_blocked %v (haircut %d, manicure %d)", blocked, f.haircut, f.manicure)
		}

		// Without edit_records_access everything is blocked.
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID), Auth: e.userAuth(f.owner),
			Body: map[string]any{"user_permissions": []map[string]any{{"slug": "edit_records_access", "value": false}}}}), 200)
		if get(f.worker, f.haircut)["is_update_blocked"] != true {
			t.Fatal("without edit_records_access the appointment is not blocked")
		}
	})
}

// The client part counts the client's appointments by attendance; is_new
// is true until an earlier appointment arrived.
func TestRecordClientVisitCounts(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		anna, haircut := demoIDs(t, e, owner, "Anna Smirnova", "Women's haircut")
		days := bookingDays(3)
		var ids []int64
		for _, d := range days {
			r := e.do(req{Method: "POST", Path: fmt.Sprintf("/records/%d", e.locA), Auth: e.userAuth(owner),
				Body: map[string]any{"staff_id": anna, "services": []map[string]any{{"id": haircut}}, "datetime": d + "T10:00:00",
					"client": map[string]any{"name": "Lena", "phone": "+7 916 555-77-02"}}})
			expect(t, r, http.StatusCreated)
			ids = append(ids, num(r.Data()["id"]))
		}
		set := func(id int64, att int) {
			expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/record/%d/%d", e.locA, id), Auth: e.userAuth(owner),
				Body: map[string]any{"attendance": att}}), http.StatusCreated)
		}
		set(ids[0], 1)
		set(ids[1], -1)
		client := num(e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, ids[0]), Auth: e.userAuth(owner)}).Data()["client"].(map[string]any)["id"])
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/records/%d?client_id=%d", e.locA, client), Auth: e.userAuth(owner)})
		expect(t, r, 200)
		if len(r.List()) != 3 {
			t.Fatalf("client's list: %s", truncate(r.Body))
		}
		isNew := map[int64]any{}
		for _, a := range r.List() {
			c := a["client"].(map[string]any)
			if num(c["success_visits_count"]) != 1 || num(c["fail_visits_count"]) != 1 {
				t.Fatalf("counts: %v", c)
			}
			isNew[num(a["id"])] = c["is_new"]
		}
		if isNew[ids[0]] != true || isNew[ids[1]] != false || isNew[ids[2]] != false {
			t.Fatalf("is_new: %v for %v", isNew, ids)
		}
		c := e.do(req{Method: "GET", Path: fmt.Sprintf("/record/%d/%d", e.locA, ids[2]), Auth: e.userAuth(owner)}).Data()["client"].(map[string]any)
		if num(c["success_visits_count"]) != 1 || num(c["fail_visits_count"]) != 1 || c["is_new"] != false {
			t.Fatalf("get: %v", c)
		}
	})
}
