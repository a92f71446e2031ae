package httpapi_test

import (
	"context"
	"testing"

	"appointd/internal/auth"
	"appointd/internal/demo"
)

// TestPartnerRevokedAtOnce: a revocation made through this process's
// service takes effect on its very next request, although the partner's and
// the user's credentials are in the auth cache (the test clock stands still,
// so the cache would never expire by itself).
func TestPartnerRevokedAtOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		_, otherToken, err := e.svc.CreatePartner(ctx, "Other")
		if err != nil {
			t.Fatal(err)
		}
		other := "Bearer " + otherToken
		user := e.userAuth(e.login(demo.OwnerLogin, demo.Password))
		for _, a := range []string{e.partnerAuth(), user, other} {
			if r := e.do(req{Method: "GET", Path: "/company/1", Auth: a}); r.Status != 200 {
				t.Fatalf("before revoke: %d %s", r.Status, r.Body)
			}
		}
		list, err := e.svc.Partners(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		for _, p := range list {
			if p.TokenHash == auth.HashToken(demo.PartnerToken) {
				id = p.ID
			}
		}
		if _, err := e.svc.RevokePartner(ctx, id); err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{e.partnerAuth(), user} {
			if r := e.do(req{Method: "GET", Path: "/company/1", Auth: a}); r.Status != 401 {
				t.Fatalf("revoked partner: %d %s", r.Status, r.Body)
			}
		}
		if r := e.do(req{Method: "GET", Path: "/company/1", Auth: other}); r.Status != 200 {
			t.Fatalf("other partner: %d %s", r.Status, r.Body)
		}
	})
}
