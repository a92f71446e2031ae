package main

import (
	"strings"
	"testing"
	"time"

	"appointd/internal/testenv"
)

// TestPartnerRevoke: two servers on one database; after `partner revoke`
// the partner's token and the user sessions issued through it answer 401 on
// both (within the auth cache's lifetime), another partner's token still
// works, and `partner list` marks the revoked one.
func TestPartnerRevoke(t *testing.T) {
	for _, engine := range testenv.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			a, _ := start(t, "--demo", "--demo-week=false", "--db", dsn)
			b, _ := start(t, "--db", dsn)
			out, err := cli(t, "partner", "create", "Other", "--db", dsn)
			if err != nil {
				t.Fatalf("partner create: %v", err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			other := "Bearer " + lines[len(lines)-1]
			demo := "Bearer demo-partner-token"
			login := func(partner string) string {
				code, env := call(t, "POST", a+"/api/v1/auth", partner, map[string]string{"login": "demo@appointd.test", "password": "demo-password"})
				if code != 201 {
					t.Fatalf("login: %d %v", code, env)
				}
				return partner + ", User " + env["data"].(map[string]any)["user_token"].(string)
			}
			demoUser, otherUser := login(demo), login(other)
			check := func(auth string, want int) bool {
				paths := []string{"/api/v1/company/1"}
				if strings.Contains(auth, "User ") {
					paths = append(paths, "/api/v1/user/permissions/1")
				}
				for _, base := range []string{a, b} {
					for _, path := range paths {
						if code, _ := call(t, "GET", base+path, auth, nil); code != want {
							return false
						}
					}
				}
				return true
			}
			// Warm both servers' auth caches.
			if !check(demoUser, 200) || !check(otherUser, 200) {
				t.Fatal("tokens do not work before the revocation")
			}
			if out, err := cli(t, "partner", "revoke", "1", "--db", dsn); err != nil || !strings.Contains(out, `partner 1 "demo" revoked`) {
				t.Fatalf("partner revoke: %v %s", err, out)
			}
			deadline := time.Now().Add(3 * time.Second)
			for !(check(demo, 401) && check(demoUser, 401)) {
				if time.Now().After(deadline) {
					t.Fatal("the revoked partner's tokens still work after 3s")
				}
				time.Sleep(100 * time.Millisecond)
			}
			if !check(other, 200) || !check(otherUser, 200) {
				t.Fatal("another partner's tokens stopped working")
			}
			// Logging in again through the revoked partner is refused too.
			if code, _ := call(t, "POST", a+"/api/v1/auth", demo, map[string]string{"login": "demo@appointd.test", "password": "demo-password"}); code != 401 {
				t.Fatalf("login through a revoked partner: %d", code)
			}
			out, err = cli(t, "partner", "list", "--db", dsn)
			if err != nil || !strings.Contains(out, `"demo" revoked=`) || strings.Contains(out, `"Other" revoked`) {
				t.Fatalf("partner list: %v %s", err, out)
			}
			for _, bad := range []string{"x", "0", "99"} {
				if out, err := cli(t, "partner", "revoke", bad, "--db", dsn); err == nil || !strings.Contains(err.Error(), bad) {
					t.Fatalf("partner revoke %s: %v %s", bad, err, out)
				}
			}
		})
	}
}
