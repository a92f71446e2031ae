package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"appointd/internal/auth"
	"appointd/internal/demo"
)

// TestUserTokenBoundToItsPartner: a user token issued through one partner
// does not answer with another partner's token, for reads or deletes, and
// nothing is deleted; the issuing partner still works, even right after the
// refused requests (the auth cache must not serve a mismatch).
func TestUserTokenBoundToItsPartner(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		_, other, err := e.svc.CreatePartner(ctx, "Other Partner")
		if err != nil {
			t.Fatal(err)
		}
		tok := e.login(demo.OwnerLogin, demo.Password)
		foreign := "Bearer " + other + ", User " + tok
		perms := fmt.Sprintf("/user/permissions/%d", e.locA)
		company := fmt.Sprintf("/company/%d", e.locA)

		// Used once with its own partner first, so that it is in the cache.
		expect(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok)}), 200)
		expectError(t, e.do(req{Method: "GET", Path: perms, Auth: foreign}), 401, "Authentication needed.")
		expectError(t, e.do(req{Method: "GET", Path: "/companies", Auth: foreign}), 401, "Authentication needed.")
		r := e.do(req{Method: "DELETE", Path: company, Auth: foreign})
		expect(t, r, 401)
		expectError(t, e.do(req{Method: "DELETE", Path: "/auth", Auth: foreign}), 401, "Authentication needed.")

		// Nothing deleted: the location and the session are still there.
		expect(t, e.do(req{Method: "GET", Path: company, Auth: e.userAuth(tok)}), 200)
		expect(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok)}), 200)

		// A token issued through the other partner works only with it.
		e2 := *e
		e2.partner = other
		tok2 := e2.login(demo.OwnerLogin, demo.Password)
		expect(t, e2.do(req{Method: "GET", Path: perms, Auth: e2.userAuth(tok2)}), 200)
		expectError(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok2)}), 401, "Authentication needed.")
	})
}

// TestCalendarSessionOnlyThroughTheCalendar: a web calendar session's token
// answers through its cookie, never as a User token with an API partner;
// an API token does not work as a calendar cookie.
func TestCalendarSessionOnlyThroughTheCalendar(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		_, web, err := e.svc.WebLogin(context.Background(), "127.0.0.1", demo.OwnerLogin, demo.Password)
		if err != nil {
			t.Fatal(err)
		}
		perms := fmt.Sprintf("/user/permissions/%d", e.locA)
		cookie := func(tok string) map[string]string {
			return map[string]string{"Cookie": auth.SessionCookie + "=" + tok}
		}
		expect(t, e.do(req{Method: "GET", Path: perms, Headers: cookie(web)}), 200)
		expectError(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(web)}), 401, "Authentication needed.")
		expectError(t, e.do(req{Method: "DELETE", Path: "/auth", Auth: e.userAuth(web)}), 401, "Authentication needed.")
		expect(t, e.do(req{Method: "GET", Path: perms, Headers: cookie(web)}), 200)

		api := e.login(demo.OwnerLogin, demo.Password)
		expect(t, e.do(req{Method: "GET", Path: perms, Headers: cookie(api)}), http.StatusUnauthorized)
	})
}

// TestLoginIgnoresTheUserPart: POST /auth reads the partner token and the
// body; a stale, revoked or unknown User part does not stop a new login.
func TestLoginIgnoresTheUserPart(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		old := e.login(demo.OwnerLogin, demo.Password)
		expect(t, e.do(req{Method: "DELETE", Path: "/auth", Auth: e.userAuth(old)}), 204)
		body := map[string]string{"login": demo.OwnerLogin, "password": demo.Password}
		for _, userPart := range []string{old, "garbage-token"} {
			r := e.do(req{Method: "POST", Path: "/auth", Auth: e.userAuth(userPart), Body: body})
			expect(t, r, http.StatusCreated)
			tok, _ := r.Data()["user_token"].(string)
			expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/user/permissions/%d", e.locA), Auth: e.userAuth(tok)}), 200)
		}
		// The partner token is still required and checked.
		r := e.do(req{Method: "POST", Path: "/auth", Auth: "Bearer not-a-partner, User " + old, Body: body})
		expectError(t, r, http.StatusUnauthorized, "Authentication needed.")
		// A wrong password is still refused.
		r = e.do(req{Method: "POST", Path: "/auth", Auth: e.userAuth("garbage-token"),
			Body: map[string]string{"login": demo.OwnerLogin, "password": "wrong-password"}})
		expectError(t, r, http.StatusUnauthorized, "Incorrect login or password.")
	})
}
