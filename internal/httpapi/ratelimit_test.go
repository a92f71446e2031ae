package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"appointd/internal/booking"
	"appointd/internal/testenv"
)

func TestParseRateLimit(t *testing.T) {
	for in, want := range map[string]RateLimit{
		"": {}, "off": {}, "altegio": {PerSecond: 5, PerMinute: 200}, "Altegio": AltegioRateLimit,
		"10/s": {PerSecond: 10}, "100/m": {PerMinute: 100}, "3/s, 50/m": {PerSecond: 3, PerMinute: 50},
	} {
		got, err := ParseRateLimit(in)
		if err != nil || got != want {
			t.Errorf("ParseRateLimit(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"5", "0/s", "-1/m", "5/h", "x/s", "5/s,", "fast"} {
		if _, err := ParseRateLimit(in); err == nil {
			t.Errorf("ParseRateLimit(%q) accepted", in)
		}
	}
}

// TestLimiterBuckets walks the Altegio preset on a fake clock: a burst of 5
// in one second, then one more every 200 ms, until the 200 of the minute are
// used; then one every 300 ms (200 per minute).
func TestLimiterBuckets(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	l := newLimiter(AltegioRateLimit, func() time.Time { return now })
	for i := 0; i < 5; i++ {
		if ok, _ := l.allow("10.0.0.1"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow("10.0.0.1")
	if ok || wait != 200*time.Millisecond {
		t.Fatalf("6th request: allowed %v, wait %v; want refused, 200ms", ok, wait)
	}
	if ok, _ := l.allow("10.0.0.2"); !ok {
		t.Fatal("another IP was limited")
	}
	// One every 200 ms is within 5/s but 300 per minute: the minute bucket
	// (200, minus the burst of 5, refilled at 10/3 per second) runs dry.
	allowed := 5
	for i := 0; i < 600; i++ {
		now = now.Add(200 * time.Millisecond)
		if ok, _ := l.allow("10.0.0.1"); ok {
			allowed++
		}
	}
	// In the 120 s since the start: 200 at once plus 120 s × 200/60.
	if allowed < 595 || allowed > 600 {
		t.Fatalf("%d requests allowed in 2 minutes at 5/s, want 200 + 400", allowed)
	}
	_, wait = l.allow("10.0.0.1")
	if wait <= 0 || wait > 300*time.Millisecond {
		t.Fatalf("wait %v once the minute bucket is dry, want up to 300ms", wait)
	}
	// Clients whose allowance is whole again are forgotten.
	now = now.Add(2 * time.Minute)
	l.allow("10.0.0.3")
	if len(l.clients) != 1 {
		t.Fatalf("%d clients remembered after two idle minutes, want 1", len(l.clients))
	}
}

// TestRateLimitOverHTTP: 429 in the envelope with Retry-After, per client
// IP, /api/ only; off by default.
func TestRateLimitOverHTTP(t *testing.T) {
	st := testenv.Open(t, testenv.DSN(t, "sqlite"))
	svc := booking.NewService(st, booking.Options{})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(NewServer(Deps{Service: svc, Logger: quiet, TrustForwardedFor: true,
		RateLimit: RateLimit{PerSecond: 3, PerMinute: 1000}}))
	defer srv.Close()
	get := func(path, ip string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("X-Forwarded-For", ip)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var env map[string]any
		_ = json.NewDecoder(res.Body).Decode(&env)
		return res, env
	}
	for i := 0; i < 3; i++ {
		if res, _ := get("/api/v1/companies", "192.0.2.1"); res.StatusCode != 401 {
			t.Fatalf("request %d: %d, want the route's own 401", i+1, res.StatusCode)
		}
	}
	res, env := get("/api/v1/companies", "192.0.2.1")
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "1" {
		t.Fatalf("4th request: %d, Retry-After %q; want 429, 1", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if env["success"] != false || env["data"] != nil || env["meta"].(map[string]any)["message"] != "Too many requests." {
		t.Fatalf("429 envelope: %v", env)
	}
	if res, _ := get("/api/v1/companies", "192.0.2.2"); res.StatusCode != 401 {
		t.Fatalf("another IP: %d", res.StatusCode)
	}
	if res, _ := get("/healthz", "192.0.2.1"); res.StatusCode != 200 {
		t.Fatalf("/healthz is limited: %d", res.StatusCode)
	}
	time.Sleep(400 * time.Millisecond) // more than one token's refill at 3/s
	if res, _ := get("/api/v1/companies", "192.0.2.1"); res.StatusCode != 401 {
		t.Fatalf("after the refill: %d", res.StatusCode)
	}

	off := httptest.NewServer(NewServer(Deps{Service: svc, Logger: quiet}))
	defer off.Close()
	for i := 0; i < 50; i++ {
		res, err := http.Get(off.URL + "/api/v1/companies")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == 429 {
			t.Fatal("rate limited with the limit off")
		}
	}
}
