package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"appointd/internal/auth"
	"appointd/internal/demo"
)

// userID finds a user of location loc by name through the API.
func (e *env) userID(token string, loc int64, name string) int64 {
	e.t.Helper()
	r := e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/users", loc), Auth: e.userAuth(token)})
	for _, u := range r.List() {
		if u["name"] == name {
			return num(u["id"])
		}
	}
	e.t.Fatalf("no user %q in %s", name, r.Body)
	return 0
}

func permValue(r resp, slug string) any {
	list, _ := r.Data()["user_permissions"].([]any)
	for _, p := range list {
		m := p.(map[string]any)
		if m["slug"] == slug {
			return m["value"]
		}
	}
	return "absent"
}

func TestMyPermissions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		path := fmt.Sprintf("/user/permissions/%d", e.locA)
		owner := e.login(demo.OwnerLogin, demo.Password)
		r := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)})
		expect(t, r, 200)
		for _, g := range []string{"timetable", "record_form", "finances", "clients", "dashboard",
			"notification", "loyalty", "storages", "settings", "other"} {
			if _, ok := r.Data()[g].(map[string]any); !ok {
				t.Fatalf("group %s missing: %s", g, r.Body)
			}
		}
		rf := r.Data()["record_form"].(map[string]any)
		if rf["delete_records_access"] != true || rf["create_records_access"] != true {
			t.Fatalf("owner record_form: %v", rf)
		}
		worker := e.login(demo.WorkerLogin, demo.Password)
		r = e.do(req{Method: "GET", Path: path, Auth: e.userAuth(worker)})
		rf = r.Data()["record_form"].(map[string]any)
		if rf["delete_records_access"] != false || rf["create_records_access"] != true {
			t.Fatalf("worker record_form: %v", rf)
		}
		expectError(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/user/permissions/%d", e.locB), Auth: e.userAuth(owner)}), 404, "Not found")
		expectError(t, e.do(req{Method: "GET", Path: path, Auth: e.partnerAuth()}), 401, "Authentication needed.")
	})
}

func TestLocationUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		path := fmt.Sprintf("/company/%d/users", e.locA)
		r := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)})
		expect(t, r, 200)
		if len(r.List()) != 2 || num(r.Meta()["count"]) != 2 {
			t.Fatalf("users: %s", r.Body)
		}
		for _, u := range r.List() {
			if u["name"] == "Owner B" {
				t.Fatal("a user of location B is listed in A")
			}
			if (u["name"] == "Demo Owner") != (u["is_non_deletable"] == true) {
				t.Fatalf("is_non_deletable: %v", u)
			}
		}
		r = e.do(req{Method: "GET", Path: path + "?filter[is_approved]=0", Auth: e.userAuth(owner)})
		if len(r.List()) != 0 {
			t.Fatalf("unapproved users: %s", r.Body)
		}
		worker := e.login(demo.WorkerLogin, demo.Password)
		expectError(t, e.do(req{Method: "GET", Path: path, Auth: e.userAuth(worker)}), 403, "Access denied.")
		expectError(t, e.do(req{Method: "GET", Path: path, Auth: e.userAuth(e.ownerB)}), 404, "Not found")
	})
}

func TestUserPermissionsReadAndEdit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		workerID := e.userID(owner, e.locA, "Demo Worker")
		ownerID := e.userID(owner, e.locA, "Demo Owner")
		path := fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID)

		r := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)})
		expect(t, r, 200)
		if r.Data()["user_role"] != "worker" || r.Data()["is_editable"] != true || permValue(r, "timetable_access") != true {
			t.Fatalf("worker permissions: %s", truncate(r.Body))
		}
		// One's own: readable, not editable. Another's without users_access: 403.
		r = e.do(req{Method: "GET", Path: path, Auth: e.userAuth(worker)})
		if r.Status != 200 || r.Data()["is_editable"] != false {
			t.Fatalf("own permissions: %d %s", r.Status, truncate(r.Body))
		}
		expectError(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, ownerID),
			Auth: e.userAuth(worker)}), 403, "Access denied.")

		// Promote with an override; values arrive leniently ("1", 0).
		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner), Body: map[string]any{
			"user_role": "administrator",
			"user_permissions": []map[string]any{
				{"slug": "delete_records_access", "value": 0},
				{"slug": "users_access", "value": "1"},
				{"slug": "last_days_count", "value": 7},
			},
			"staff_id": "15",
		}})
		expect(t, r, 200)
		if r.Data()["user_role"] != "administrator" || permValue(r, "delete_records_access") != false ||
			permValue(r, "users_access") != true || permValue(r, "last_days_count") != float64(7) ||
			num(r.Data()["staff_id"]) != 15 {
			t.Fatalf("after PUT: %s", truncate(r.Body))
		}
		// The worker's own view follows: now it may list users.
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/users", e.locA), Auth: e.userAuth(worker)}), 200)
		mine := e.do(req{Method: "GET", Path: fmt.Sprintf("/user/permissions/%d", e.locA), Auth: e.userAuth(worker)})
		if mine.Data()["record_form"].(map[string]any)["delete_records_access"] != false ||
			num(mine.Data()["timetable"].(map[string]any)["master_id"]) != 15 {
			t.Fatalf("own view after PUT: %s", truncate(mine.Body))
		}

		before := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Body
		for _, bad := range []map[string]any{
			{"user_role": "emperor"},
			{"user_permissions": []map[string]any{{"slug": "no_such_permission", "value": true}}},
			{"user_permissions": []map[string]any{{"slug": "timetable_access", "value": "maybe"}}},
			{"user_permissions": []map[string]any{{"slug": "last_days_count", "value": true}}},
			{"staff_id": "abc"},
		} {
			expect(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner), Body: bad}), http.StatusUnprocessableEntity)
		}
		if after := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Body; string(after) != string(before) {
			t.Fatalf("refused PUTs changed permissions:\n%s\n%s", before, after)
		}
		// Nobody edits their own rights; a non-owner cannot make owners.
		expectError(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID),
			Auth: e.userAuth(worker), Body: map[string]any{"user_role": "owner"}}), 403, "Access denied.")
		expectError(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, ownerID),
			Auth: e.userAuth(worker), Body: map[string]any{"user_role": "worker"}}), 403, "Access denied.")
		// Other location: 404 for ids of A seen from B.
		expectError(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(e.ownerB), Body: map[string]any{"user_role": "worker"}}), 404, "Not found")
		expectError(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locB, workerID),
			Auth: e.userAuth(e.ownerB)}), 404, "Not found")
	})
}

func TestRemoveUser(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		worker := e.login(demo.WorkerLogin, demo.Password)
		workerID := e.userID(owner, e.locA, "Demo Worker")
		ownerID := e.userID(owner, e.locA, "Demo Owner")
		expectError(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/company/%d/users/%d", e.locA, ownerID),
			Auth: e.userAuth(worker)}), 403, "Access denied.")
		expectError(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/company/%d/users/%d", e.locA, workerID),
			Auth: e.userAuth(e.ownerB)}), 404, "Not found")
		// The last owner stays.
		expectError(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/company/%d/users/%d", e.locA, ownerID),
			Auth: e.userAuth(owner)}), 422, "last owner")
		r := e.do(req{Method: "DELETE", Path: fmt.Sprintf("/company/%d/users/%d", e.locA, workerID), Auth: e.userAuth(owner)})
		expect(t, r, http.StatusNoContent)
		// The removed user no longer sees the location at all.
		expectError(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/user/permissions/%d", e.locA), Auth: e.userAuth(worker)}), 404, "Not found")
		expectError(t, e.do(req{Method: "DELETE", Path: fmt.Sprintf("/company/%d/users/%d", e.locA, workerID),
			Auth: e.userAuth(owner)}), 404, "Not found")
	})
}

// TestCrossLocationIsNotFound: a user of A gets 404 for every
// location-scoped route of B, and no B data leaks into the body.
func TestCrossLocationIsNotFound(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		ownerBID := e.userID(e.ownerB, e.locB, "Owner B")
		b := e.locB
		calls := []struct{ method, path string }{
			{"GET", fmt.Sprintf("/company/%d?my=1", b)},
			{"PUT", fmt.Sprintf("/company/%d", b)},
			{"DELETE", fmt.Sprintf("/company/%d", b)},
			{"GET", fmt.Sprintf("/user/permissions/%d", b)},
			{"GET", fmt.Sprintf("/company/%d/users", b)},
			{"GET", fmt.Sprintf("/company/%d/users/%d/permissions", b, ownerBID)},
			{"PUT", fmt.Sprintf("/company/%d/users/%d/permissions", b, ownerBID)},
			{"DELETE", fmt.Sprintf("/company/%d/users/%d", b, ownerBID)},
		}
		for _, c := range calls {
			var body any
			if c.method == "PUT" {
				body = map[string]any{"title": "hijack", "user_role": "worker"}
			}
			r := e.do(req{Method: c.method, Path: c.path, Auth: e.userAuth(owner), Body: body})
			if r.Status != 404 {
				t.Errorf("%s %s: %d, want 404", c.method, c.path, r.Status)
			}
			if bytesContain(r.Body, "Other Salon") || bytesContain(r.Body, "Owner B") {
				t.Errorf("%s %s leaks B: %s", c.method, c.path, r.Body)
			}
		}
		// B is untouched.
		r := e.do(req{Method: "GET", Path: fmt.Sprintf("/company/%d", b), Auth: e.partnerAuth()})
		if r.Data()["title"] != "Other Salon" {
			t.Fatalf("B changed: %s", r.Body)
		}
	})
}

func bytesContain(b []byte, s string) bool { return strings.Contains(string(b), s) }

// TestGrantOnlyWhatYouHold: a user with users_access who is not an owner
// may hand out only rights they hold themselves (and no longer reach into
// the past than their own last_days_count); the owner may grant anything.
func TestGrantOnlyWhatYouHold(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.login(demo.OwnerLogin, demo.Password)
		workerID := e.userID(owner, e.locA, "Demo Worker")
		path := fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, workerID)
		// An administrator with users_access, but without finances and
		// without settings, looking back 30 days.
		admin := isoWorker(t, e, owner, "granter", func(slug string) bool {
			return slug != auth.PermFinances && slug != auth.PermSettings
		})
		adminID := e.userID(owner, e.locA, "Isolation granter")
		perms := []map[string]any{{"slug": auth.PermLastDaysCount, "value": 30}}
		for _, s := range auth.Slugs() {
			if !auth.IsNumeric(s) {
				perms = append(perms, map[string]any{"slug": s, "value": s != auth.PermFinances && s != auth.PermSettings})
			}
		}
		expect(t, e.do(req{Method: "PUT", Path: fmt.Sprintf("/company/%d/users/%d/permissions", e.locA, adminID), Auth: e.userAuth(owner),
			Body: map[string]any{"user_permissions": perms}}), 200)
		// It holds users_access: the refusals below are the grant rule.
		expect(t, e.do(req{Method: "GET", Path: path, Auth: e.userAuth(admin)}), 200)

		before := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Body
		for _, body := range []map[string]any{
			{"user_permissions": []map[string]any{{"slug": auth.PermFinances, "value": true}}},
			{"user_permissions": []map[string]any{{"slug": auth.PermSettings, "value": true}, {"slug": auth.PermClientPhones, "value": true}}},
			{"user_permissions": []map[string]any{{"slug": auth.PermLastDaysCount, "value": 31}}},
			{"user_permissions": []map[string]any{{"slug": auth.PermLastDaysCount, "value": -1}}},
			// A role whose defaults hold finances_access grants it too.
			{"user_role": auth.RoleAccountant},
			{"user_role": auth.RoleManager},
		} {
			expectError(t, e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(admin), Body: body}), 403, "Access denied.")
		}
		if after := e.do(req{Method: "GET", Path: path, Auth: e.userAuth(owner)}).Body; string(after) != string(before) {
			t.Fatalf("refused grants changed permissions:\n%s\n%s", before, after)
		}
		// What the granter holds may be given, and anything may be taken.
		r := e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(admin), Body: map[string]any{"user_permissions": []map[string]any{
			{"slug": auth.PermClientPhones, "value": true}, {"slug": auth.PermLastDaysCount, "value": 30},
			{"slug": auth.PermTimetable, "value": false}}}})
		expect(t, r, 200)
		if permValue(r, auth.PermClientPhones) != true || permValue(r, auth.PermLastDaysCount) != float64(30) || permValue(r, auth.PermTimetable) != false {
			t.Fatalf("allowed grant: %s", truncate(r.Body))
		}
		// The owner grants anything.
		r = e.do(req{Method: "PUT", Path: path, Auth: e.userAuth(owner), Body: map[string]any{"user_permissions": []map[string]any{
			{"slug": auth.PermFinances, "value": true}, {"slug": auth.PermLastDaysCount, "value": -1}}}})
		expect(t, r, 200)
		if permValue(r, auth.PermFinances) != true {
			t.Fatalf("owner's grant: %s", truncate(r.Body))
		}
	})
}
