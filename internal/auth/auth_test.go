package auth

import (
	"strings"
	"testing"
	"time"
)

func TestParseAuthorization(t *testing.T) {
	cases := []struct {
		in            string
		partner, user string
		ok            bool
	}{
		{"", "", "", true},
		{"Bearer p1", "p1", "", true},
		{"Bearer p1, User u1", "p1", "u1", true},
		{"bearer p1,user u1", "p1", "u1", true},
		{"  BEARER   p1 ,   USER   u1  ", "p1", "u1", true},
		{"p1, u1", "p1", "u1", true},
		{"p1,u1", "p1", "u1", true},
		{"p1", "p1", "", true},
		{"User u1, Bearer p1", "p1", "u1", true},
		{"User u1", "", "u1", true},
		{"Basic abc", "", "", false},
		{"Bearer p1, User u1, User u2", "", "", false},
		{"Bearer p1, Bearer p2", "", "", false},
		{"Bearer", "p", "", false},
		{"Bearer a b", "", "", false},
		{"Bearer p1,", "", "", false},
		{"Bearer p\x01", "", "", false},
		{"Bearer " + strings.Repeat("x", 600), "", "", false},
	}
	for _, c := range cases {
		got, ok := ParseAuthorization(c.in)
		if ok != c.ok || (ok && (got.Partner != c.partner || got.User != c.user)) {
			t.Errorf("%q: got %+v ok=%v, want partner=%q user=%q ok=%v", c.in, got, ok, c.partner, c.user, c.ok)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{"", "Bearer p", "Bearer p, User u", "p,u", "bearer  p ,user u", "Basic x", ",", "Bearer p,,"} {
		f.Add(s)
	}
	// What clients send (API reference 1.4): the documented form, the
	// YCLIENTS SDKs' form without a space after the comma, the partner
	// token alone, a user token as the only Bearer, bare tokens by
	// position, and the shapes of real tokens (hex, base64url, JWT-like).
	partner, user := "8f2c1d9e4b7a6f3e0d5c", "5e0a2f7c9b1d4e6a8c3f0b2d7e9a1c4f"
	for _, s := range []string{
		"Bearer " + partner + ", User " + user,
		"Bearer " + partner + ",User " + user,
		"Bearer " + partner,
		"Bearer " + user,
		partner + "," + user,
		"User " + user + ", Bearer " + partner,
		"Bearer\t" + partner + ",\tUser\t" + user + "\r\n",
		"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln, User " + user,
		"Bearer " + partner + ", User",
		"Bearer " + partner + ", Basic " + user,
		"Bearer " + strings.Repeat("a", 512),
		"Bearer " + strings.Repeat("a", 513),
		"Bearer p\u00e9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := ParseAuthorization(s)
		if !ok {
			if c != (Credentials{}) {
				t.Fatalf("refused header returned credentials %+v", c)
			}
			return
		}
		// The canonical header of what was read reads back the same.
		var parts []string
		if c.Partner != "" {
			parts = append(parts, "Bearer "+c.Partner)
		}
		if c.User != "" {
			parts = append(parts, "User "+c.User)
		}
		if back, ok := ParseAuthorization(strings.Join(parts, ", ")); !ok || back != c {
			t.Fatalf("%q → %+v, but its canonical form reads %+v (ok %v)", s, c, back, ok)
		}
		for _, tok := range []string{c.Partner, c.User} {
			if strings.ContainsAny(tok, " ,\t\r\n") {
				t.Fatalf("token %q holds a separator", tok)
			}
			if tok != "" && !strings.Contains(s, tok) {
				t.Fatalf("token %q is not in the header %q", tok, s)
			}
		}
	})
}

func TestTokensAreRandomAndHashed(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) != 2*TokenBytes {
		t.Fatalf("tokens %q %q", a, b)
	}
	if HashToken(a) == a || len(HashToken(a)) != 64 || HashToken(a) != HashToken(a) {
		t.Fatal("hash is not a stable SHA-256 hex")
	}
	if !SameHash(HashToken(a), HashToken(a)) || SameHash(HashToken(a), HashToken(b)) {
		t.Fatal("SameHash")
	}
}

func TestHasher(t *testing.T) {
	h := NewHasher(4)
	hash, err := h.Hash("correct-horse")
	if err != nil {
		t.Fatal(err)
	}
	if !h.Check(hash, "correct-horse") || h.Check(hash, "wrong-horse") || h.Check("", "correct-horse") {
		t.Fatal("Check")
	}
	if _, err := h.Hash("short"); err == nil {
		t.Fatal("a 5-character password was accepted")
	}
}

func TestThrottleRetryAfter(t *testing.T) {
	th := Throttle{Limit: 3, Window: 10 * time.Minute}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(minAgo ...int) []time.Time {
		var out []time.Time
		for _, m := range minAgo {
			out = append(out, now.Add(-time.Duration(m)*time.Minute))
		}
		return out
	}
	if d := th.RetryAfter(now, at(5, 4)); d != 0 {
		t.Fatalf("2 of 3: %v", d)
	}
	if d := th.RetryAfter(now, at(5, 4, 1)); d != 5*time.Minute {
		t.Fatalf("3 of 3, oldest 5 min ago: %v", d)
	}
	// With 4 failures, the wait is until only 2 remain.
	if d := th.RetryAfter(now, at(9, 5, 4, 1)); d != 5*time.Minute {
		t.Fatalf("4 failures: %v", d)
	}
}

func TestRoleDefaults(t *testing.T) {
	w, o := Defaults(RoleWorker), Defaults(RoleOwner)
	if w.Allows(PermDeleteRecords) || !w.Allows(PermCreateRecords) || w.Allows(PermUsers) {
		t.Fatalf("worker: %v", w)
	}
	for _, s := range Slugs() {
		if !IsNumeric(s) && !o.Allows(s) {
			t.Errorf("owner lacks %s", s)
		}
	}
	eff := Effective(RoleWorker, map[string]any{PermDeleteRecords: true, "made_up": true})
	if !eff.Allows(PermDeleteRecords) || eff["made_up"] != nil {
		t.Fatalf("overrides: %v", eff)
	}
}
