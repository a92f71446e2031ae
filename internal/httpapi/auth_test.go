package httpapi_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"appointd/internal/booking"
	"appointd/internal/demo"
)

func TestLoginIssuesAWorkingToken(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		r := e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(),
			Body: map[string]string{"login": demo.OwnerLogin, "password": demo.Password}})
		expect(t, r, http.StatusCreated)
		d := r.Data()
		if d["login"] != demo.OwnerLogin || d["email"] != demo.OwnerLogin || d["name"] != "Demo Owner" || d["is_approved"] != true {
			t.Fatalf("user object: %s", r.Body)
		}
		if _, isArray := r.JSON["meta"].([]any); !isArray {
			t.Fatalf("meta of POST /auth is not []: %s", r.Body)
		}
		tok := d["user_token"].(string)
		if len(tok) < 64 {
			t.Fatalf("token %q is shorter than 32 random bytes", tok)
		}
		expect(t, e.do(req{Method: "GET", Path: fmt.Sprintf("/user/permissions/%d", e.locA), Auth: e.userAuth(tok)}), 200)
		// Each login is a new token.
		if other := e.login(demo.OwnerLogin, demo.Password); other == tok {
			t.Fatal("two logins returned the same token")
		}
	})
}

func TestLoginByPhoneAndLenientBody(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		_, err := e.svc.CreateUser(context.Background(), booking.NewUser{Login: "+7 (916) 123-45-67",
			Password: "phone-password", Name: "Phone User"})
		if err != nil {
			t.Fatal(err)
		}
		// A phone as a JSON number, and with other punctuation.
		r := e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(), Body: `{"login": 79161234567, "password": "phone-password"}`})
		expect(t, r, http.StatusCreated)
		if r.Data()["phone"] != "+79161234567" {
			t.Fatalf("phone %v", r.Data()["phone"])
		}
		e.login("+7-916-123-45-67", "phone-password")
	})
}

func TestWrongCredentials(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		for _, body := range []map[string]string{
			{"login": demo.OwnerLogin, "password": "wrong-password"},
			{"login": "nobody@appointd.test", "password": demo.Password},
		} {
			r := e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(), Body: body})
			expectError(t, r, http.StatusUnauthorized, "Incorrect login or password.")
		}
		r := e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(), Body: map[string]string{"login": demo.OwnerLogin}})
		expectError(t, r, http.StatusUnprocessableEntity, "password is required")
		// POST /auth needs the partner token.
		r = e.do(req{Method: "POST", Path: "/auth", Body: map[string]string{"login": demo.OwnerLogin, "password": demo.Password}})
		expectError(t, r, http.StatusUnauthorized, "Authentication needed.")
	})
}

func TestTokenRules(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		perms := fmt.Sprintf("/user/permissions/%d", e.locA)
		cases := []struct {
			name, auth string
			path       string
			want       int
		}{
			{"partner route with partner token", e.partnerAuth(), "/companies", 200},
			{"partner route without token", "", "/companies", 401},
			{"unknown partner token", "Bearer not-a-partner", "/companies", 401},
			{"unknown user token on a partner route", e.userAuth("not-a-token"), "/companies", 401},
			{"user route with partner token only", e.partnerAuth(), perms, 401},
			{"user route with both", e.userAuth(tok), perms, 200},
			{"user token without partner", "User " + tok, perms, 401},
			{"user token alone as bearer", "Bearer " + tok, perms, 401},
			{"lower-case scheme words", "bearer " + e.partner + ",user " + tok, perms, 200},
			{"upper-case and spacing", "BEARER   " + e.partner + " ,   USER " + tok, perms, 200},
			{"no scheme words", e.partner + ", " + tok, perms, 200},
			{"basic scheme", "Basic " + e.partner, "/companies", 401},
			{"three parts", e.userAuth(tok) + ", User x", perms, 401},
		}
		for _, c := range cases {
			r := e.do(req{Method: "GET", Path: c.path, Auth: c.auth})
			if r.Status != c.want {
				t.Errorf("%s: status %d, want %d (%s)", c.name, r.Status, c.want, truncate(r.Body))
			}
			if c.want == 401 && r.Message() != "Authentication needed." {
				t.Errorf("%s: message %q", c.name, r.Message())
			}
		}
	})
}

func TestLogoutRevokesOnlyThatToken(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.login(demo.OwnerLogin, demo.Password)
		b := e.login(demo.OwnerLogin, demo.Password)
		r := e.do(req{Method: "DELETE", Path: "/auth", Auth: e.userAuth(a)})
		expect(t, r, http.StatusNoContent)
		if len(r.Body) != 0 {
			t.Fatalf("204 with a body: %s", r.Body)
		}
		perms := fmt.Sprintf("/user/permissions/%d", e.locA)
		expectError(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(a)}), 401, "Authentication needed.")
		expect(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(b)}), 200)
		expectError(t, e.do(req{Method: "DELETE", Path: "/auth", Auth: e.userAuth(a)}), 401, "Authentication needed.")
		expectError(t, e.do(req{Method: "DELETE", Path: "/auth", Auth: e.partnerAuth()}), 401, "Authentication needed.")
	})
}

// TestLogoutThroughAnotherProcess: a server remembers an authenticated
// token for at most a second (booking.authCacheTTL); a logout made through
// another server on the same database holds here once that time has passed.
func TestLogoutThroughAnotherProcess(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		second := newEnv(t, e.engine, e.dsn, bookingDefaults(), false)
		second.partner = e.partner
		tok := e.login(demo.OwnerLogin, demo.Password)
		perms := fmt.Sprintf("/user/permissions/%d", e.locA)
		expect(t, second.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok)}), 200)
		expect(t, e.do(req{Method: "DELETE", Path: "/auth", Auth: e.userAuth(tok)}), 204)
		expectError(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok)}), 401, "Authentication needed.")
		second.clock.Add(1100 * time.Millisecond)
		expectError(t, second.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok)}), 401, "Authentication needed.")
	})
}

func TestPasswordChangeRevokesAllTokens(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.login(demo.WorkerLogin, demo.Password)
		b := e.login(demo.WorkerLogin, demo.Password)
		owner := e.login(demo.OwnerLogin, demo.Password)
		perms := fmt.Sprintf("/user/permissions/%d", e.locA)
		for _, tok := range []string{a, b} { // used once: remembered by the server
			expect(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok)}), 200)
		}
		if err := e.svc.SetPassword(context.Background(), demo.WorkerLogin, "new-password-1"); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{a, b} {
			expectError(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok)}), 401, "Authentication needed.")
		}
		expect(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(owner)}), 200)
		r := e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(), Body: map[string]string{"login": demo.WorkerLogin, "password": demo.Password}})
		expectError(t, r, 401, "Incorrect login or password.")
		e.login(demo.WorkerLogin, "new-password-1")
	})
}

func TestSessionIdleExpiry(t *testing.T) {
	eachEngineWith(t, booking.Options{SessionIdleTimeout: time.Hour}, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		perms := fmt.Sprintf("/user/permissions/%d", e.locA)
		e.clock.Add(50 * time.Minute)
		expect(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok)}), 200)
		// Use refreshed it: another 50 minutes is still within the hour.
		e.clock.Add(50 * time.Minute)
		expect(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok)}), 200)
		e.clock.Add(61 * time.Minute)
		expectError(t, e.do(req{Method: "GET", Path: perms, Auth: e.userAuth(tok)}), 401, "Authentication needed.")
	})
}

func failLogin(e *env, login string) resp {
	return e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(),
		Body: map[string]string{"login": login, "password": "wrong-password"}})
}

func TestLoginThrottlePerLogin(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		for i := 0; i < 10; i++ {
			expect(t, failLogin(e, demo.OwnerLogin), 401)
		}
		// The 11th attempt is refused, even with the right password.
		r := e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(),
			Body: map[string]string{"login": demo.OwnerLogin, "password": demo.Password}})
		expectError(t, r, http.StatusTooManyRequests, "Too many login attempts.")
		secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 900 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		// Another login from the same client is still counted per IP only
		// (10 failures so far from this IP, so it is throttled too).
		expect(t, failLogin(e, demo.WorkerLogin), http.StatusTooManyRequests)
		// After the window it works again.
		e.clock.Add(15*time.Minute + time.Second)
		e.login(demo.OwnerLogin, demo.Password)
	})
}

func TestLoginThrottlePerIP(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		for i := 0; i < 10; i++ {
			expect(t, failLogin(e, fmt.Sprintf("guess%d@appointd.test", i)), 401)
		}
		r := e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(),
			Body: map[string]string{"login": demo.OwnerLogin, "password": demo.Password}})
		expectError(t, r, http.StatusTooManyRequests, "Too many login attempts.")
	})
}

// TestLoginThrottleAcrossServers: two servers on one database (two appointd
// processes behind a load balancer) share the failure count.
func TestLoginThrottleAcrossServers(t *testing.T) {
	eachEngine(t, func(t *testing.T, a *env) {
		b := newEnv(t, a.engine, a.dsn, booking.Options{Now: a.clock.Now}, false)
		for i := 0; i < 10; i++ {
			e := a
			if i%2 == 1 {
				e = b
			}
			expect(t, failLogin(e, demo.OwnerLogin), 401)
		}
		for _, e := range []*env{a, b} {
			expect(t, failLogin(e, demo.OwnerLogin), http.StatusTooManyRequests)
		}
	})
}

// TestTokensAreStoredHashed reads the tables: no token or password is
// stored as given.
func TestTokensAreStoredHashed(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		tok := e.login(demo.OwnerLogin, demo.Password)
		db := rawDB(t, e)
		var hashes []string
		for _, q := range []string{"SELECT token_hash FROM sessions", "SELECT token_hash FROM partners"} {
			rows, err := db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var h string
				_ = rows.Scan(&h)
				hashes = append(hashes, h)
			}
			rows.Close()
		}
		want := map[string]bool{sha256hex(tok): false, sha256hex(demo.PartnerToken): false}
		for _, h := range hashes {
			if h == tok || h == demo.PartnerToken || strings.Contains(h, tok) {
				t.Fatal("a token is stored in plain text")
			}
			if _, ok := want[h]; ok {
				want[h] = true
			}
		}
		for h, seen := range want {
			if !seen {
				t.Fatalf("SHA-256 %s of an issued token is not stored", h)
			}
		}
		var pw string
		if err := db.QueryRow("SELECT password_hash FROM users WHERE login = '" + demo.OwnerLogin + "'").Scan(&pw); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(pw, "$2") || strings.Contains(pw, demo.Password) {
			t.Fatalf("password not stored as bcrypt: %q", pw)
		}
	})
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// rawDB opens the test database directly, for reading what is stored.
func rawDB(t *testing.T, e *env) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", e.dsn
	if e.engine == "sqlite" {
		driver, dsn = "sqlite", strings.TrimPrefix(e.dsn, "sqlite:")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestLoginThrottleHoldsUnderBursts: 200 wrong passwords for one login at
// once, through two servers with their own stores on one database, run at
// most the throttle's 10 password checks; the right password after them is
// refused like any throttled attempt.
func TestLoginThrottleHoldsUnderBursts(t *testing.T) {
	var checks atomic.Int64
	count := func() { checks.Add(1) }
	eachEngineWith(t, booking.Options{PasswordChecked: count}, func(t *testing.T, a *env) {
		b := newEnv(t, a.engine, a.dsn, booking.Options{Now: a.clock.Now, PasswordChecked: count}, false)
		checks.Store(0)
		const n = 200
		refused := raceAcross(n, a, b, func(e *env) int { return failLogin(e, demo.OwnerLogin).Status })
		got := checks.Load()
		if got < 1 || got > 10 {
			t.Fatalf("%d password checks for %d attempts (statuses %v), want at most 10", got, n, refused)
		}
		if refused[401] != int(got) || refused[401]+refused[429] != n {
			t.Fatalf("statuses %v for %d password checks", refused, got)
		}
		for _, e := range []*env{a, b} {
			r := e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(),
				Body: map[string]string{"login": demo.OwnerLogin, "password": demo.Password}})
			expectError(t, r, http.StatusTooManyRequests, "Too many login attempts.")
		}
		if got2 := checks.Load(); got2 != got {
			t.Fatalf("a throttled attempt checked the password (%d checks, were %d)", got2, got)
		}
	})
}

// TestSuccessfulLoginsDoNotCountAgainstTheIP: a login reserves its attempt
// as a failure before the password check; a success takes that back, so
// many good logins from one address never throttle it.
func TestSuccessfulLoginsDoNotCountAgainstTheIP(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		for i := 0; i < 12; i++ {
			e.login(demo.WorkerLogin, demo.Password)
		}
		expect(t, failLogin(e, demo.OwnerLogin), http.StatusUnauthorized)
		e.login(demo.OwnerLogin, demo.Password)
	})
}

// TestLoginKeysArePruned: the per-key lock rows and failures of keys last
// tried before the window go with a later failed login's prune.
func TestLoginKeysArePruned(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		expect(t, failLogin(e, "old-guess@appointd.test"), http.StatusUnauthorized)
		e.clock.Add(15*time.Minute + time.Second)
		expect(t, failLogin(e, "new-guess@appointd.test"), http.StatusUnauthorized)
		db := rawDB(t, e)
		var keys, failures int
		if err := db.QueryRow("SELECT count(*) FROM login_keys WHERE subject = 'login:old-guess@appointd.test'").Scan(&keys); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("SELECT count(*) FROM login_failures WHERE subject = 'login:old-guess@appointd.test'").Scan(&failures); err != nil {
			t.Fatal(err)
		}
		if keys != 0 || failures != 0 {
			t.Fatalf("after the window: %d key rows, %d failures of the old login", keys, failures)
		}
		if err := db.QueryRow("SELECT count(*) FROM login_keys WHERE subject = 'login:new-guess@appointd.test'").Scan(&keys); err != nil || keys != 1 {
			t.Fatalf("the new login's key: %d rows (%v)", keys, err)
		}
	})
}

// TestConcurrentRightPasswordsAllLogIn: more right passwords at once than
// the throttle's limit, through two servers: the attempts past the limit
// wait for the pending ones to be taken back instead of answering 429. A
// slow password check keeps them all in flight together.
func TestConcurrentRightPasswordsAllLogIn(t *testing.T) {
	slow := func() { time.Sleep(100 * time.Millisecond) }
	eachEngineWith(t, booking.Options{PasswordChecked: slow}, func(t *testing.T, a *env) {
		b := newEnv(t, a.engine, a.dsn, booking.Options{Now: a.clock.Now, PasswordChecked: slow}, false)
		got := raceAcross(30, a, b, func(e *env) int {
			return e.do(req{Method: "POST", Path: "/auth", Auth: e.partnerAuth(),
				Body: map[string]string{"login": demo.OwnerLogin, "password": demo.Password}}).Status
		})
		if got[http.StatusCreated] != 30 {
			t.Fatalf("right passwords at once with others: %v", got)
		}
		expect(t, failLogin(a, demo.OwnerLogin), http.StatusUnauthorized)
	})
}

// TestCancelledLoginTakesItsReservationBack: clients that give up during
// the password check leave no pending failure behind (nor a session), so
// they do not throttle the next attempt.
func TestCancelledLoginTakesItsReservationBack(t *testing.T) {
	inCheck := make(chan struct{}, 100)
	hook := func() {
		select {
		case inCheck <- struct{}{}:
		default:
		}
		time.Sleep(200 * time.Millisecond)
	}
	eachEngineWith(t, booking.Options{PasswordChecked: hook}, func(t *testing.T, e *env) {
		for len(inCheck) > 0 {
			<-inCheck
		}
		db := rawDB(t, e)
		count := func(q string) int {
			var n int
			if err := db.QueryRow(q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		sessions := count("SELECT count(*) FROM sessions")
		body := `{"login":"` + demo.OwnerLogin + `","password":"` + demo.Password + `"}`
		for i := 0; i < 10; i++ {
			ctx, cancel := context.WithCancel(context.Background())
			hr, _ := http.NewRequestWithContext(ctx, "POST", e.srv.URL+"/api/v1/auth", strings.NewReader(body))
			hr.Header.Set("Authorization", e.partnerAuth())
			hr.Header.Set("Content-Type", "application/json")
			done := make(chan struct{})
			go func() {
				defer close(done)
				if res, err := http.DefaultClient.Do(hr); err == nil {
					res.Body.Close()
				}
			}()
			<-inCheck
			cancel()
			<-done
		}
		deadline := time.Now().Add(5 * time.Second)
		for count("SELECT count(*) FROM login_failures") > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%d reservations left by cancelled logins", count("SELECT count(*) FROM login_failures"))
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n := count("SELECT count(*) FROM sessions"); n != sessions {
			t.Fatalf("cancelled logins made %d sessions", n-sessions)
		}
		expect(t, failLogin(e, demo.OwnerLogin), http.StatusUnauthorized)
	})
}
